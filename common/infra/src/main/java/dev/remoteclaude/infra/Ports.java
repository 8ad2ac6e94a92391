package dev.remoteclaude.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the processes this package starts.
 *
 * <p>A port is chosen here and bound later by another process, so it must not be one the kernel may
 * hand out meanwhile as the local end of an outgoing connection (npm's downloads, Kafka clients,
 * Maven's forks): ports are drawn below the kernel's ephemeral range, which leaves only the small
 * race with another process doing the same.
 */
public final class Ports {
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 10_000;
  private static final int ATTEMPTS = 64;

  private Ports() {}

  public static int free() {
    int below = ephemeralLow();
    if (below - LOWEST >= 1_000) {
      for (int i = 0; i < ATTEMPTS; i++) {
        int candidate = ThreadLocalRandom.current().nextInt(LOWEST, below);
        if (bindable(candidate)) {
          return candidate;
        }
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /**
   * The first of {@code n} consecutive free ports (for a set of services numbered from a base
   * port), below the ephemeral range like {@link #free()}.
   */
  public static int freeRange(int n) {
    int below = ephemeralLow();
    for (int i = 0; i < ATTEMPTS; i++) {
      int first = ThreadLocalRandom.current().nextInt(LOWEST, Math.max(LOWEST + 1, below - n));
      boolean free = true;
      for (int port = first; port < first + n && free; port++) {
        free = bindable(port);
      }
      if (free) {
        return first;
      }
    }
    throw new UncheckedIOException(
        new IOException("no " + n + " consecutive free loopback ports below " + below));
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range (32768 on Linux by default). */
  static int ephemeralLow() {
    try {
      // /proc files report no size, which Files.readString takes at its word: read lines.
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
