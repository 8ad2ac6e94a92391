package dev.remoteclaude.repository.service;

import dev.remoteclaude.common.net.HostAddressPolicy;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.repository.config.RepositoryConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which repository URLs may be registered, by the rules session-service applies to a session's URL
 * (a registered URL is cloned the same way): {@code https} to a public host. Loopback, link-local
 * (cloud metadata), private and other internal addresses are refused, whether written as an address
 * or reached through a name, unless the local profile allows them; extra schemes such as {@code
 * file} are allowed only where configured. The gateway resolves the host again right before it
 * clones and refuses internal addresses the same way ({@link HostAddressPolicy}).
 */
@ApplicationScoped
public class RepositoryUrlPolicy {

  static final String FIELD = "url";

  private static final Set<String> INTERNAL_NAMES =
      Set.of("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata");
  private static final List<String> INTERNAL_SUFFIXES =
      List.of(
          ".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa");
  private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|[0-9]+)");

  private final RepositoryConfig.Url config;
  private final HostAddressPolicy addresses;

  @Inject
  public RepositoryUrlPolicy(RepositoryConfig config) {
    this(config.url(), HostAddressPolicy.Resolver.system());
  }

  public RepositoryUrlPolicy(RepositoryConfig.Url config, HostAddressPolicy.Resolver resolver) {
    this.config = config;
    this.addresses = new HostAddressPolicy(resolver);
  }

  /**
   * Checks the URL; fails with a 400 naming {@code url}. Host names are resolved off the event
   * loop. A name that does not resolve is let through (cloning it fails with a reason the user
   * sees, and the gateway resolves it again before it clones); a lookup that does not answer in
   * time fails closed with a 503, since nothing is known about where the name points.
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
                        FIELD, "the host " + host + " points at a private or local address");
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
  String checkSyntax(String url) {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw ProblemException.badRequest(FIELD, "is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    Set<String> extra = config.extraSchemes().orElse(Set.of());
    if (scheme == null || !(scheme.equals("https") || extra.contains(scheme))) {
      throw ProblemException.badRequest(
          FIELD,
          extra.isEmpty()
              ? "must be an https URL"
              : "must be an https URL (or use one of " + String.join(", ", extra) + ")");
    }
    if (uri.getRawUserInfo() != null) {
      throw ProblemException.badRequest(
          FIELD, "must not carry credentials; register them with the repository instead");
    }
    if (scheme.equals("file")) {
      if (uri.getPath() == null || uri.getPath().isBlank()) {
        throw ProblemException.badRequest(FIELD, "must name a path");
      }
      return null;
    }
    String host = uri.getHost();
    if (host == null || host.isBlank()) {
      throw ProblemException.badRequest(FIELD, "must name a host");
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
        throw ProblemException.badRequest(FIELD, "must name a host by DNS name or plain address");
      }
      checkAddress(literal(host), host);
      return null;
    }
    if (!host.contains(".")
        || INTERNAL_NAMES.contains(host)
        || INTERNAL_SUFFIXES.stream().anyMatch(host::endsWith)) {
      throw ProblemException.badRequest(FIELD, "the host " + host + " is not a public host");
    }
    return host;
  }

  private static boolean isAddress(String host) {
    return host.startsWith("[") || DOTTED_QUAD.matcher(host).matches();
  }

  private static InetAddress literal(String address) {
    try {
      // A literal address is parsed, never looked up.
      return InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw ProblemException.badRequest(FIELD, "has an invalid address");
    }
  }

  private static void checkAddress(InetAddress address, String host) {
    if (isInternal(address)) {
      throw ProblemException.badRequest(
          FIELD, "the host " + host + " is a private or local address");
    }
  }

  /** Loopback, link-local, private and other internal addresses ({@link HostAddressPolicy}). */
  static boolean isInternal(InetAddress address) {
    return HostAddressPolicy.isInternal(address);
  }
}
