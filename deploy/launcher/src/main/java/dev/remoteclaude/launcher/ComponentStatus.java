package dev.remoteclaude.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * One line of {@code ./rc status}: what the supervisor recorded of a component (pid, start,
 * restarts) and its health, probed now: a service's readiness, the edge's and the demo model's
 * answer, PostgreSQL's and Kafka's port accepting connections.
 */
record ComponentStatus(
    String name, String address, long pid, boolean up, Duration uptime, int restarts) {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static List<ComponentStatus> probe(Properties status, Instant now) {
    List<ComponentStatus> out = new ArrayList<>();
    int count = Integer.parseInt(status.getProperty("components", "0"));
    for (int i = 0; i < count; i++) {
      String prefix = "component." + i + ".";
      String name = status.getProperty(prefix + "name");
      String address = status.getProperty(prefix + "address");
      long pid = Long.parseLong(status.getProperty(prefix + "pid", "-1"));
      boolean alive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      boolean up = alive && healthy(name, address);
      Duration uptime =
          up ? Duration.between(Instant.parse(status.getProperty(prefix + "since")), now) : null;
      out.add(
          new ComponentStatus(
              name,
              address,
              pid,
              up,
              uptime,
              Integer.parseInt(status.getProperty(prefix + "restarts", "0"))));
    }
    return out;
  }

  private static boolean healthy(String name, String address) {
    return switch (name) {
      case "postgresql", "kafka" -> accepts(address);
      case "edge" -> answers(address + "/q/health", false);
      case "demo-model" -> answers(address + "/", false);
      default -> answers("http://" + address + "/q/health/ready", true);
    };
  }

  private static boolean accepts(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(
              hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
          2000);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Whether it answers HTTP at all, or (readiness) with a 200. */
  private static boolean answers(String url, boolean needsOk) {
    try {
      HttpResponse<Void> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
              HttpResponse.BodyHandlers.discarding());
      return !needsOk || response.statusCode() == 200;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static String table(List<ComponentStatus> components) {
    StringBuilder out = new StringBuilder();
    String format = "%-22s %-6s %-10s %-9s %-8s %s%n";
    out.append(
        String.format(format, "COMPONENT", "HEALTH", "UPTIME", "RESTARTS", "PID", "ADDRESS"));
    for (ComponentStatus c : components) {
      out.append(
          String.format(
              format,
              c.name(),
              c.up() ? "UP" : "DOWN",
              c.uptime() == null ? "-" : human(c.uptime()),
              c.restarts(),
              c.pid() > 0 ? Long.toString(c.pid()) : "-",
              c.address()));
    }
    return out.toString();
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    return (s / 3600) + "h" + (s % 3600 / 60) + "m";
  }
}
