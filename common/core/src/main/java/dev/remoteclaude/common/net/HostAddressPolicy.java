package dev.remoteclaude.common.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which network addresses a repository may be fetched from: public ones only. Loopback, link-local
 * (cloud metadata), private, unique-local, CGNAT and other internal addresses are refused. Shared
 * by the session service (when a session is asked for) and the sandbox gateway (again right before
 * it clones, so a name that changes its answer in between is still caught).
 *
 * <p>{@link #lookUp} blocks for at most the given timeout: call it off the event loop.
 */
public final class HostAddressPolicy {

  /** Resolves a host name to its addresses (a seam for tests). */
  @FunctionalInterface
  public interface Resolver {
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JDK's resolver. */
    static Resolver system() {
      return host -> List.of(InetAddress.getAllByName(host));
    }
  }

  /** What a lookup found. */
  public sealed interface Lookup {
    /** Every address is public; {@code addresses} is never empty. */
    record Public(List<InetAddress> addresses) implements Lookup {}

    /** At least one address is internal. */
    record Internal(InetAddress address) implements Lookup {}

    /** The name does not resolve. */
    record Unknown() implements Lookup {}

    /** No answer within the timeout (or the lookup failed otherwise): nothing is known. */
    record TimedOut() implements Lookup {}
  }

  private final Resolver resolver;

  public HostAddressPolicy(Resolver resolver) {
    this.resolver = resolver;
  }

  /** Resolves {@code host} within {@code timeout} and classifies its addresses. */
  public Lookup lookUp(String host, Duration timeout) {
    Optional<InetAddress> literal = literal(host);
    if (literal.isPresent()) {
      return classify(List.of(literal.get()));
    }
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<List<InetAddress>> answer = executor.submit(() -> resolver.resolve(host));
      try {
        return classify(answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        return e.getCause() instanceof UnknownHostException
            ? new Lookup.Unknown()
            : new Lookup.TimedOut();
      } catch (TimeoutException e) {
        return new Lookup.TimedOut();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Lookup.TimedOut();
      } finally {
        // Do not wait for a resolver that does not answer.
        answer.cancel(true);
        executor.shutdownNow();
      }
    }
  }

  private static Lookup classify(List<InetAddress> addresses) {
    if (addresses == null || addresses.isEmpty()) {
      return new Lookup.Unknown();
    }
    for (InetAddress address : addresses) {
      if (isInternal(address)) {
        return new Lookup.Internal(address);
      }
    }
    return new Lookup.Public(List.copyOf(addresses));
  }

  /** A literal IPv4 or bracketless IPv6 address, parsed without any lookup. */
  static Optional<InetAddress> literal(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean v4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = h.contains(":") && h.matches("[0-9a-fA-F:.%]+");
    if (!v4 && !v6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(h));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** Loopback, link-local, private, unique-local, CGNAT, unspecified or multicast. */
  public static boolean isInternal(InetAddress address) {
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
