package dev.remoteclaude.gateway.sandbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The platform's order of providers, for sessions that leave the choice to the platform (provider
 * {@code auto}): see {@link ProviderSelection}.
 */
@ConfigMapping(prefix = "gateway.providers")
public interface ProviderOrderConfig {

  /**
   * The providers {@code auto} may use, best first. Unset: {@code gateway.default-provider} alone.
   */
  Optional<List<Entry>> order();

  /**
   * Capabilities every session needs, whatever it asks for (e.g. {@code network-policy} where
   * sandboxes must have their egress limited).
   */
  Optional<Set<String>> requiredCapabilities();

  /** One provider in the order. */
  interface Entry {
    /** The provider's name (local, kubernetes, e2b, daytona, …). */
    String name();

    /**
     * Providers of the same priority are equals, shared by weight; a lower number comes first.
     * Unset: the entry's position in the list.
     */
    Optional<Integer> priority();

    /** Its share of new sessions among its equals. */
    @WithDefault("1")
    int weight();

    /** What it offers: {@code pause}, {@code snapshots}, {@code network-policy}. */
    Optional<Set<String>> capabilities();

    /**
     * The regions it serves: a session asking for a region may only go to a provider listing it.
     * Unset: it serves no named region (only sessions that ask for none).
     */
    Optional<Set<String>> regions();
  }
}
