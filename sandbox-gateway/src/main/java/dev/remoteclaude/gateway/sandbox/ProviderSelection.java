package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which provider a new sandbox goes to. A request naming a provider gets that one (no failover: the
 * user chose it). A request for {@code auto} lets the platform pick: the providers of {@code
 * gateway.providers.order} that have the capabilities the session needs and serve its region (when
 * it asks for one), by priority, equals in a random order weighted by their {@code weight};
 * provisioning takes the first whose circuit breaker is not open and goes on to the next when
 * creating fails as an outage (see SandboxPreparation).
 */
@ApplicationScoped
public class ProviderSelection {

  /** The provider name that leaves the choice to the platform. */
  public static final String AUTO = "auto";

  public static final String PAUSE = "pause";

  private final ProviderOrderConfig order;
  private final GatewayConfig config;
  private final ProviderCalls providers;

  public ProviderSelection(
      ProviderOrderConfig order, GatewayConfig config, ProviderCalls providers) {
    this.order = order;
    this.config = config;
    this.providers = providers;
  }

  /** Whether the platform picks the provider (and may fail over to another). */
  public static boolean auto(SessionRequested request) {
    return request.provider() != null && AUTO.equalsIgnoreCase(request.provider().strip());
  }

  /**
   * What the session needs of a provider: pause when it is paused once idle (it has an idle
   * timeout), plus {@code gateway.providers.required-capabilities}.
   */
  public Set<String> needs(SessionRequested request) {
    Set<String> needs = new TreeSet<>(order.requiredCapabilities().orElse(Set.of()));
    if (request.idleTimeout() != null && !request.idleTimeout().isZero()) {
      needs.add(PAUSE);
    }
    return needs;
  }

  /** The region the session asked for, or null when it names none. */
  public static String region(SessionRequested request) {
    return request.region() == null || request.region().isBlank() ? null : request.region().strip();
  }

  /**
   * The providers to try for an {@code auto} request, in order: those this gateway has that offer
   * everything the session needs and serve its region; empty when none does.
   */
  public List<String> candidates(SessionRequested request) {
    List<ProviderOrderConfig.Entry> entries = order.order().orElse(List.of());
    String region = region(request);
    if (entries.isEmpty()) {
      // Without an order no provider is known to serve any region.
      return region == null && providers.knows(config.defaultProvider())
          ? List.of(config.defaultProvider())
          : List.of();
    }
    Set<String> needs = needs(request);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<Ranked> ranked = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      ProviderOrderConfig.Entry entry = entries.get(i);
      if (!providers.knows(entry.name())
          || entry.weight() <= 0
          || !entry.capabilities().orElse(Set.of()).containsAll(needs)
          || (region != null && !entry.regions().orElse(Set.of()).contains(region))) {
        continue;
      }
      // Weighted random order among equals (Efraimidis-Spirakis): a larger weight, a smaller key.
      double key = -Math.log(1.0 - random.nextDouble()) / entry.weight();
      ranked.add(new Ranked(entry.name(), entry.priority().orElse(i), key));
    }
    ranked.sort(Comparator.comparingInt(Ranked::priority).thenComparingDouble(Ranked::key));
    return ranked.stream().map(Ranked::name).distinct().toList();
  }

  /** The provider a new row records before provisioning starts: the first candidate. */
  public String initial(SessionRequested request) {
    if (!auto(request)) {
      return request.provider() == null || request.provider().isBlank()
          ? config.defaultProvider()
          : request.provider();
    }
    return candidates(request).stream().filter(providers::healthy).findFirst().orElse(AUTO);
  }

  private record Ranked(String name, int priority, double key) {}
}
