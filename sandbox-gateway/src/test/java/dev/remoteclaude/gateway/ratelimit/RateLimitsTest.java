package dev.remoteclaude.gateway.ratelimit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import dev.remoteclaude.testing.StreamClient;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The gateway's rate limits: commands, files and stream connections, per user. */
@QuarkusTest
@TestProfile(RateLimitsTest.SmallLimits.class)
class RateLimitsTest {

  public static class SmallLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "%test.rc.rate-limit.commands.capacity", "2",
          "%test.rc.rate-limit.commands.window", "1h",
          "%test.rc.rate-limit.files.capacity", "2",
          "%test.rc.rate-limit.files.window", "1h",
          "%test.rc.rate-limit.streams.capacity", "2",
          "%test.rc.rate-limit.streams.window", "1h",
          // a stream request for an unknown session is refused (404) after this
          "gateway.stream.attach-wait", "200ms");
    }
  }

  private static final String PROBLEM = "application/problem+json";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String newUser() {
    return "rl-" + UUID.randomUUID();
  }

  private static Response command(String user, UUID session) {
    return given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .contentType(ContentType.JSON)
        .body(Map.of("argv", java.util.List.of("true")))
        .post("/api/v1/sessions/{id}/commands", session);
  }

  private static Response readFile(String user, UUID session) {
    return given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .queryParam("path", "README.md")
        .get("/api/v1/sessions/{id}/files", session);
  }

  private static Response writeFile(String user, UUID session) {
    return given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .contentType(ContentType.BINARY)
        .queryParam("path", "notes.txt")
        .body(new byte[] {1})
        .put("/api/v1/sessions/{id}/files", session);
  }

  @Test
  void commandsOverTheLimitAre429AndOtherUsersAndClassesGoOn() {
    String user = newUser();
    UUID session = UUID.randomUUID();
    // Sessions the gateway does not know as the user's: 404, but each call counts.
    command(user, session)
        .then()
        .statusCode(404)
        .header("RateLimit-Policy", "\"commands\";q=2;w=3600")
        .header("RateLimit", matchesPattern("\"commands\";r=1;t=\\d+"));
    command(user, session).then().statusCode(404);
    Response refused = command(user, session);
    refused
        .then()
        .statusCode(429)
        .contentType(PROBLEM)
        .body("type", equalTo("https://remote-claude.dev/problems/rate-limited"))
        .body("limit", equalTo("commands"))
        .header("RateLimit", matchesPattern("\"commands\";r=0;t=\\d+"));
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 3600L);

    command(newUser(), session).then().statusCode(404);
    readFile(user, session).then().statusCode(404);
  }

  @Test
  void readingAndWritingFilesShareOneLimit() {
    String user = newUser();
    UUID session = UUID.randomUUID();
    readFile(user, session).then().statusCode(404);
    writeFile(user, session).then().statusCode(404);
    readFile(user, session)
        .then()
        .statusCode(429)
        .contentType(PROBLEM)
        .header("RateLimit-Policy", "\"files\";q=2;w=3600");
    writeFile(user, session).then().statusCode(429);
    readFile(newUser(), session).then().statusCode(404);
  }

  @Test
  void streamUpgradesOverTheLimitAreRefusedWith429BeforeTheUpgrade() {
    String user = newUser();
    URI unknown = StreamClient.uri(UUID.randomUUID(), 0);
    assertThat(StreamClient.refusal(unknown, Tokens.forUser(user))).isEqualTo(404);
    assertThat(StreamClient.refusal(unknown, Tokens.forUser(user))).isEqualTo(404);

    java.net.http.HttpResponse<?> refused = handshakeRefusal(unknown, Tokens.forUser(user));
    assertThat(refused.statusCode()).isEqualTo(429);
    HttpHeaders headers = refused.headers();
    assertThat(headers.firstValue("RateLimit-Policy")).hasValue("\"streams\";q=2;w=3600");
    assertThat(headers.firstValue("RateLimit")).get().asString().matches("\"streams\";r=0;t=\\d+");
    assertThat(Long.parseLong(headers.firstValue("Retry-After").orElseThrow()))
        .isBetween(1L, 3600L);

    // Another user's stream requests are not affected.
    assertThat(StreamClient.refusal(unknown, Tokens.forUser(newUser()))).isEqualTo(404);
  }

  /** The answer to a WebSocket handshake that is refused. */
  private static java.net.http.HttpResponse<?> handshakeRefusal(URI uri, String token) {
    try {
      HTTP.newWebSocketBuilder()
          .header("Authorization", "Bearer " + token)
          .connectTimeout(Duration.ofSeconds(30))
          .buildAsync(uri, new WebSocket.Listener() {})
          .join()
          .abort();
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse();
      }
      throw e;
    }
    throw new AssertionError("the upgrade was accepted");
  }
}
