package dev.remoteclaude.gateway.support;

import static io.restassured.RestAssured.given;

import dev.remoteclaude.testing.Tokens;
import java.nio.charset.StandardCharsets;

/** A session's workspace files through the gateway's API, as the session's user. */
public final class SessionFiles {

  private SessionFiles() {}

  public static void write(Sessions.Ready session, String path, String content) {
    given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .contentType("application/octet-stream")
        .queryParam("path", path)
        .body(content.getBytes(StandardCharsets.UTF_8))
        .put("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(204);
  }

  public static String read(Sessions.Ready session, String path) {
    return given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .queryParam("path", path)
        .get("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }
}
