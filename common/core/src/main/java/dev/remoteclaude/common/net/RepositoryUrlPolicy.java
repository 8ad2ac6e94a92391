package dev.remoteclaude.common.net;

import dev.remoteclaude.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which repository URLs a sandbox may clone, and so which may be registered or given to a session:
 * {@code https} to a public host. Loopback, link-local (cloud metadata), private and other internal
 * addresses are refused, whether written as an address or reached through a name, unless the local
 * profile allows them; extra schemes such as {@code file} are allowed only where configured. The
 * gateway resolves the host again right before it clones and refuses internal addresses the same
 * way ({@link HostAddressPolicy}).
 */
public final class RepositoryUrlPolicy {

  /**
   * What a service configures of the policy (its {@code ...repository} or {@code ...url} group).
   */
  public interface Rules {
    /**
     * Schemes allowed besides {@code https}, e.g. {@code file} for the local profile only. Never
     * set in production.
     */
    Optional<Set<String>> extraSchemes();

    /** Whether loopback, link-local and private hosts are allowed (local profile only). */
    boolean allowPrivateHosts();

    /** Whether host names are resolved to check that none points at a private address. */
    boolean resolveHosts();

    /** How long a resolution may take; a host that does not answer in time is refused (503). */
    Duration resolveTimeout();
  }

  private static final Set<String> INTERNAL_NAMES =
      Set.of("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata");
  private static final List<String> INTERNAL_SUFFIXES =
      List.of(
          ".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa");
  private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|[0-9]+)");

  private final Rules config;
  private final HostAddressPolicy addresses;
  private final String field;

  /** The policy with the system's resolver; problems name {@code field} (the request's). */
  public RepositoryUrlPolicy(Rules config, String field) {
    this(config, HostAddressPolicy.Resolver.system(), field);
  }

  public RepositoryUrlPolicy(Rules config, HostAddressPolicy.Resolver resolver, String field) {
    this.config = config;
    this.addresses = new HostAddressPolicy(resolver);
    this.field = field;
  }

  /**
   * Checks the URL; fails with a 400 naming the field. Host names are resolved off the event loop.
   * A name that does not resolve is let through (cloning it fails with a reason the user sees, and
   * the gateway resolves it again before it clones); a lookup that does not answer in time fails
   * closed with a 503, since nothing is known about where the name points.
   */
  public Uni<Void> check(String url) {
    String host;
    try {
      host = checkSyntax(url);
    } catch (ProblemException e) {
      return Uni.createFrom().failure(e);
    }
    if (host == null || config.allowPrivateHosts() || !config.resolveHosts() || isAddress(host)) {
      return Uni.createFrom().voidItem();
    }
    Context context = Vertx.currentContext();
    Uni<HostAddressPolicy.Lookup> lookup =
        Uni.createFrom()
            .item(() -> addresses.lookUp(host, config.resolveTimeout()))
            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    if (context != null) {
      // Continue on the caller's Vert.x context: the database work that follows needs it.
      lookup = lookup.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }
    return lookup
        .invoke(
            found -> {
              switch (found) {
                case HostAddressPolicy.Lookup.Internal internal ->
                    throw ProblemException.badRequest(
                        field, "the host " + host + " points at a private or local address");
                case HostAddressPolicy.Lookup.TimedOut timedOut ->
                    throw ProblemException.unavailable(
                        "the host "
                            + host
                            + " of the url could not be resolved in time to check that it"
                            + " is public; try again later");
                case HostAddressPolicy.Lookup.Public ok -> {}
                case HostAddressPolicy.Lookup.Unknown unknown -> {}
              }
            })
        .replaceWithVoid();
  }

  /** Checks everything that needs no lookup; returns the host still to resolve (or null). */
  public String checkSyntax(String url) {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw ProblemException.badRequest(field, "is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    Set<String> extra = config.extraSchemes().orElse(Set.of());
    if (scheme == null || !(scheme.equals("https") || extra.contains(scheme))) {
      throw ProblemException.badRequest(
          field,
          extra.isEmpty()
              ? "must be an https URL"
              : "must be an https URL (or use one of " + String.join(", ", extra) + ")");
    }
    if (uri.getRawUserInfo() != null) {
      throw ProblemException.badRequest(
          field, "must not carry credentials; register them with the repository instead");
    }
    if (scheme.equals("file")) {
      if (uri.getPath() == null || uri.getPath().isBlank()) {
        throw ProblemException.badRequest(field, "must name a path");
      }
      return null;
    }
    String host = uri.getHost();
    if (host == null || host.isBlank()) {
      throw ProblemException.badRequest(field, "must name a host");
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (config.allowPrivateHosts()) {
      return null;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      checkAddress(literal(host.substring(1, host.length() - 1)), host);
      return null;
    }
    String lastLabel = host.substring(host.lastIndexOf('.') + 1);
    if (NUMERIC_LABEL.matcher(lastLabel).matches()) {
      if (!DOTTED_QUAD.matcher(host).matches()) {
        throw ProblemException.badRequest(field, "must name a host by DNS name or plain address");
      }
      checkAddress(literal(host), host);
      return null;
    }
    if (!host.contains(".")
        || INTERNAL_NAMES.contains(host)
        || INTERNAL_SUFFIXES.stream().anyMatch(host::endsWith)) {
      throw ProblemException.badRequest(field, "the host " + host + " is not a public host");
    }
    return host;
  }

  private static boolean isAddress(String host) {
    return host.startsWith("[") || DOTTED_QUAD.matcher(host).matches();
  }

  private InetAddress literal(String address) {
    try {
      // A literal address is parsed, never looked up.
      return InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw ProblemException.badRequest(field, "has an invalid address");
    }
  }

  private void checkAddress(InetAddress address, String host) {
    if (HostAddressPolicy.isInternal(address)) {
      throw ProblemException.badRequest(
          field, "the host " + host + " is a private or local address");
    }
  }
}
