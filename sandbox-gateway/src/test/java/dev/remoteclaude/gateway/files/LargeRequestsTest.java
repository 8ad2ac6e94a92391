package dev.remoteclaude.gateway.files;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LargeRequestsTest {

  @Inject LargeRequests large;
  @Inject GatewayConfig config;

  /** Sends a file upload's head (and {@code bodyBytes} of its body) and leaves it unfinished. */
  private static Socket startUpload(UUID session, String token, int length, int bodyBytes)
      throws IOException {
    Socket socket = new Socket("127.0.0.1", RestAssured.port);
    socket.setSoTimeout(30_000);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("PUT /api/v1/sessions/"
                + session
                + "/files?path=upload.bin HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Authorization: Bearer "
                + token
                + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Length: "
                + length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(new byte[bodyBytes]);
    out.flush();
    return socket;
  }

  /** The response's head and body (as long as its Content-Length says). */
  private static String response(Socket socket) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    int read;
    while ((read = in.read()) != -1) {
      all.write(read);
      String text = all.toString(StandardCharsets.UTF_8);
      int head = text.indexOf("\r\n\r\n");
      if (head >= 0) {
        java.util.regex.Matcher length =
            java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
        if (length.find() && all.size() >= head + 4 + Integer.parseInt(length.group(1))) {
          break;
        }
      }
    }
    return all.toString(StandardCharsets.UTF_8);
  }

  @Test
  void bodiesOverTheHttpLimitAreRefusedAsTooLargeAndTakeNoPlace() throws Exception {
    Sessions.Ready session = Sessions.provision();
    String token = Tokens.forUser(session.userId());
    // One after the other, more of them than there are places for large bodies: each is too
    // large (413), never "too many large requests" (503).
    for (int i = 0; i <= config.uploads().maxConcurrent(); i++) {
      try (Socket tooLarge = startUpload(session.sessionId(), token, 11 * 1024 * 1024, 0)) {
        assertThat(response(tooLarge)).startsWith("HTTP/1.1 413");
      }
    }
    assertThat(large.inProgress()).isZero();
    given()
        .auth()
        .oauth2(token)
        .contentType("application/octet-stream")
        .queryParam("path", "large.bin")
        .body(new byte[256 * 1024])
        .put("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(204);
  }

  @Test
  void onlySoManyLargeBodiesAreTakenInAtOnceTheRestAreToldWhenToComeBack() throws Exception {
    Sessions.Ready session = Sessions.provision();
    String token = Tokens.forUser(session.userId());
    int allowed = config.uploads().maxConcurrent();
    List<Socket> stalled = new ArrayList<>();
    try {
      // Clients that send a large body slowly, each holding its part of the gateway's memory.
      for (int i = 0; i < allowed; i++) {
        stalled.add(startUpload(session.sessionId(), token, 1 << 20, 1000));
      }
      await().until(() -> large.inProgress() == allowed);

      try (Socket refused = startUpload(session.sessionId(), token, 256 * 1024, 0)) {
        String answer = response(refused);
        assertThat(answer).startsWith("HTTP/1.1 503");
        assertThat(answer.toLowerCase()).contains("retry-after: ");
        assertThat(answer).contains("application/problem+json").contains("\"status\":503");
      }
      // Small requests are not held back.
      given()
          .auth()
          .oauth2(token)
          .contentType("application/octet-stream")
          .queryParam("path", "small.txt")
          .body("hi".getBytes())
          .put("/api/v1/sessions/{id}/files", session.sessionId())
          .then()
          .statusCode(204);
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
    // Clients that went away give their place back.
    await().until(() -> large.inProgress() == 0);
    given()
        .auth()
        .oauth2(token)
        .contentType("application/octet-stream")
        .queryParam("path", "large.bin")
        .body(new byte[256 * 1024])
        .put("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(204);
  }
}
