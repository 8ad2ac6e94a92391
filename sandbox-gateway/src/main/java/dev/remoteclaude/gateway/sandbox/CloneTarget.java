package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.net.HostAddressPolicy;
import dev.remoteclaude.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The check the gateway makes right before it clones: the repository's host is resolved again (the
 * session service's check may be stale, or the name may have been made to answer differently since,
 * "DNS rebinding") and refused if any address is internal ({@link HostAddressPolicy}). For {@code
 * http(s)} the clone is pinned to the addresses just checked ({@code http.curloptResolve}), so git
 * does not look the name up a second time.
 */
@ApplicationScoped
public class CloneTarget {

  private final boolean allowPrivateHosts;
  private final Duration resolveTimeout;
  private final HostAddressPolicy policy;

  @Inject
  public CloneTarget(GatewayConfig config) {
    this(
        config.repository().allowPrivateHosts(),
        config.repository().resolveTimeout(),
        HostAddressPolicy.Resolver.system());
  }

  CloneTarget(
      boolean allowPrivateHosts, Duration resolveTimeout, HostAddressPolicy.Resolver resolver) {
    this.allowPrivateHosts = allowPrivateHosts;
    this.resolveTimeout = resolveTimeout;
    this.policy = new HostAddressPolicy(resolver);
  }

  /**
   * Checks the URL's host; completes with the git {@code -c} settings that pin the clone to the
   * checked addresses (none when there is nothing to pin), or fails with a {@link
   * ProvisioningFailure}. The lookup runs on a worker thread.
   */
  public Uni<List<String>> check(String url) {
    if (allowPrivateHosts) {
      return Uni.createFrom().item(List.of());
    }
    Context context = Vertx.currentContext();
    Uni<List<String>> checked =
        Uni.createFrom()
            .item(() -> checkNow(url))
            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    // Continue on the caller's Vert.x context: the provider calls and log writes that follow need
    // it.
    return context == null
        ? checked
        : checked.emitOn(task -> context.runOnContext(ignored -> task.run()));
  }

  /** {@link #check}, blocking. */
  List<String> checkNow(String url) {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException | NullPointerException e) {
      throw new ProvisioningFailure(
          SandboxFailed.BAD_REPOSITORY_URL, "the repository URL is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (host == null || host.isBlank()) {
      if (scheme.equals("file")) {
        // The session service allows file URLs only where it is configured to.
        return List.of();
      }
      throw new ProvisioningFailure(
          SandboxFailed.BAD_REPOSITORY_URL, "the repository URL names no host");
    }
    String shown = host.toLowerCase(Locale.ROOT);
    HostAddressPolicy.Lookup found = policy.lookUp(host, resolveTimeout);
    return switch (found) {
      case HostAddressPolicy.Lookup.Internal internal ->
          throw new ProvisioningFailure(
              SandboxFailed.BAD_REPOSITORY_URL,
              "the host "
                  + shown
                  + " resolves to a private or local address; repositories are cloned only"
                  + " from public hosts");
      case HostAddressPolicy.Lookup.TimedOut timedOut ->
          throw new ProvisioningFailure(
              SandboxFailed.BAD_REPOSITORY_URL,
              "the host " + shown + " could not be resolved in time; nothing was cloned");
      case HostAddressPolicy.Lookup.Unknown unknown ->
          throw new ProvisioningFailure(
              SandboxFailed.BAD_REPOSITORY_URL, "the host " + shown + " does not resolve");
      case HostAddressPolicy.Lookup.Public ok -> pin(scheme, uri, ok.addresses());
    };
  }

  private static List<String> pin(String scheme, URI uri, List<InetAddress> addresses) {
    int port = uri.getPort();
    if (port < 0) {
      port =
          switch (scheme) {
            case "https" -> 443;
            case "http" -> 80;
            default -> -1;
          };
    }
    if (port < 0) {
      return List.of();
    }
    String host = uri.getHost();
    if (host.startsWith("[")) {
      return List.of(); // a literal address: nothing to look up
    }
    String list =
        addresses.stream()
            .map(
                a ->
                    a instanceof Inet6Address
                        ? "[" + a.getHostAddress().replaceAll("%.*$", "") + "]"
                        : a.getHostAddress())
            .collect(Collectors.joining(","));
    return List.of("-c", "http.curloptResolve=" + host + ":" + port + ":" + list);
  }
}
