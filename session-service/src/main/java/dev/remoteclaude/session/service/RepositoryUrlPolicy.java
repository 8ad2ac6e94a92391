package dev.remoteclaude.session.service;

import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.session.config.SessionConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which repository URLs a sandbox may clone: {@code https} to a public host. Loopback, link-local
 * (cloud metadata), private and other internal addresses are refused, whether written as an address
 * or reached through a name, unless the local profile allows them; extra schemes such as {@code
 * file} are allowed only where configured. The gateway checks again when it connects.
 */
@ApplicationScoped
public class RepositoryUrlPolicy {

  static final String FIELD = "repositoryUrl";

  /** Resolves a host name to its addresses (a seam for tests). */
  @FunctionalInterface
  public interface Resolver {
    List<InetAddress> resolve(String host) throws UnknownHostException;
  }

  private static final Set<String> INTERNAL_NAMES =
      Set.of("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata");
  private static final List<String> INTERNAL_SUFFIXES =
      List.of(
          ".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa");
  private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|[0-9]+)");

  private final SessionConfig.Repository config;
  private final Resolver resolver;

  @Inject
  public RepositoryUrlPolicy(SessionConfig config) {
    this(config.repository(), host -> List.of(InetAddress.getAllByName(host)));
  }

  public RepositoryUrlPolicy(SessionConfig.Repository config, Resolver resolver) {
    this.config = config;
    this.resolver = resolver;
  }

  /**
   * Checks the URL; fails with a 400 naming {@code repositoryUrl}. Host names are resolved off the
   * event loop; a name that does not resolve (or not in time) is let through: cloning it will fail
   * with a reason the user sees.
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
    Uni<List<InetAddress>> lookup =
        Uni.createFrom()
            .item(
                () -> {
                  try {
                    return resolver.resolve(host);
                  } catch (UnknownHostException e) {
                    return List.<InetAddress>of();
                  }
                })
            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
            .ifNoItem()
            .after(config.resolveTimeout())
            .recoverWithItem(List.of());
    if (context != null) {
      // Continue on the caller's Vert.x context: the database work that follows needs it.
      lookup = lookup.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }
    return lookup
        .invoke(
            addresses -> {
              for (InetAddress address : addresses) {
                if (isInternal(address)) {
                  throw ProblemException.badRequest(
                      FIELD, "the host " + host + " points at a private or local address");
                }
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

  /** Loopback, link-local, private, unique-local, CGNAT, unspecified or multicast. */
  static boolean isInternal(InetAddress address) {
    if (address.isLoopbackAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isAnyLocalAddress()
        || address.isMulticastAddress()) {
      return true;
    }
    byte[] raw = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = raw[0] & 0xff;
      int second = raw[1] & 0xff;
      return first == 0 // "this network"
          || (first == 100 && second >= 64 && second <= 127) // CGNAT
          || (first == 192 && second == 0 && (raw[2] & 0xff) == 0) // IETF protocol assignments
          || (first == 198 && (second == 18 || second == 19)) // benchmarking
          || first >= 240; // reserved, broadcast
    }
    if (address instanceof Inet6Address) {
      int first = raw[0] & 0xff;
      if ((first & 0xfe) == 0xfc) {
        return true; // unique local fc00::/7
      }
      boolean v4Mapped = true;
      for (int i = 0; i < 10; i++) {
        v4Mapped &= raw[i] == 0;
      }
      if (v4Mapped && (raw[10] & 0xff) == 0xff && (raw[11] & 0xff) == 0xff) {
        try {
          return isInternal(
              InetAddress.getByAddress(new byte[] {raw[12], raw[13], raw[14], raw[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
    }
    return false;
  }
}
