package dev.remoteclaude.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.remoteclaude.launcher.Platform;
import dev.remoteclaude.launcher.ServiceProcess;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The edge is the only way in: the services listen on the loopback interface only, and a client
 * cannot make a service believe it was called under another host, port or scheme (Location headers,
 * absolute URLs) by sending forwarding headers of its own.
 */
class EdgeTrustTest {

  private static final Map<String, String> SPOOFED =
      Map.of(
          "X-Forwarded-Host", "evil.example",
          "X-Forwarded-Proto", "https",
          "X-Forwarded-Port", "6666",
          "X-Forwarded-Ssl", "on",
          "X-Forwarded-Prefix", "/evil",
          "X-Forwarded-For", "203.0.113.7",
          "Forwarded", "for=203.0.113.7;host=evil.example;proto=https");

  /** An address of this host on a real interface (not loopback), if it has one. */
  private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
    return NetworkInterface.networkInterfaces()
        .filter(
            nic -> {
              try {
                return nic.isUp() && !nic.isLoopback();
              } catch (SocketException e) {
                return false;
              }
            })
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
        // IPv4 first: a socket bound to it can also reach 127.0.0.1 (see the last test).
        .min(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1));
  }

  @Test
  void theServicesAreNotReachableOnTheHostsOtherAddresses() throws Exception {
    Platform platform = TestPlatform.get();
    Optional<InetAddress> address = nonLoopbackAddress();
    assumeThat(address).as("a non-loopback address on this host").isPresent();
    assertThat(platform.services()).isNotEmpty();
    for (ServiceProcess service : platform.services().values()) {
      try (Socket loopback = new Socket()) {
        loopback.connect(new InetSocketAddress("127.0.0.1", service.port()), 5_000);
        assertThat(loopback.isConnected()).isTrue();
      }
      assertThatThrownBy(
              () -> {
                try (Socket outside = new Socket()) {
                  outside.connect(new InetSocketAddress(address.get(), service.port()), 5_000);
                }
              })
          .as("%s on %s", service.name(), address.get())
          .isInstanceOf(IOException.class);
    }
    // The edge is the way in, on every interface.
    URI edge = URI.create(platform.baseUrl());
    try (Socket outside = new Socket()) {
      outside.connect(new InetSocketAddress(address.get(), edge.getPort()), 5_000);
      assertThat(outside.isConnected()).isTrue();
    }
  }

  private static HttpResponse<String> createSession(
      HttpClient client, URI base, String user, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve("/api/v1/sessions"))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + TestPlatform.token(user))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"repositoryUrl\":\""
                        + Api.gitRepository("# forwarded\n")
                        + "\",\"branch\":\"main\"}"));
    headers.forEach(request::header);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void forwardingHeadersSentThroughTheEdgeAreNotHonoured() throws Exception {
    URI base = URI.create(TestPlatform.baseUrl());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> created = createSession(client, base, "edge-spoofer", SPOOFED);
    assertThat(created.statusCode()).isEqualTo(202);
    // The address the client called, as the edge tells it; nothing of the client's claims.
    assertThat(created.headers().firstValue("Location"))
        .hasValueSatisfying(
            location ->
                assertThat(location)
                    .startsWith(base.resolve("/api/v1/sessions/").toString())
                    .doesNotContain("evil")
                    .doesNotContain("6666"));
  }

  @Test
  void aServiceTakesForwardingHeadersOnlyFromTheLoopbackAddress() throws Exception {
    Optional<InetAddress> address = nonLoopbackAddress().filter(a -> a instanceof Inet4Address);
    assumeThat(address).as("a non-loopback IPv4 address on this host").isPresent();
    int port = TestPlatform.get().services().get("session-service").port();
    URI direct = URI.create("http://127.0.0.1:" + port);

    // From another address of this host (any local process can pick one as its source), to the
    // service's loopback listener: its forwarding headers are ignored.
    HttpClient outsider =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .localAddress(address.get())
            .build();
    HttpResponse<String> spoofed = createSession(outsider, direct, "direct-spoofer", SPOOFED);
    assertThat(spoofed.statusCode()).isEqualTo(202);
    assertThat(spoofed.headers().firstValue("Location"))
        .hasValueSatisfying(
            location ->
                assertThat(location)
                    .startsWith("http://127.0.0.1:" + port + "/api/v1/sessions/")
                    .doesNotContain("evil"));

    // The edge connects from 127.0.0.1: from there they are taken (the edge sets them).
    HttpClient local = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> forwarded =
        createSession(
            local,
            direct,
            "direct-edge",
            Map.of("X-Forwarded-Host", "edge.example:8443", "X-Forwarded-Proto", "https"));
    assertThat(forwarded.statusCode()).isEqualTo(202);
    assertThat(forwarded.headers().firstValue("Location"))
        .hasValueSatisfying(
            location -> assertThat(location).startsWith("https://edge.example:8443/api/v1/"));
    assertThat(List.of(spoofed, forwarded)).allMatch(r -> r.body().contains("\"id\""));
  }
}
