package dev.remoteclaude.session;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.body;
import static dev.remoteclaude.session.SessionFixtures.create;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.SandboxLost;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionRequested;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Environment values are write-only: sealed before they are stored or sent, never in a response, a
 * log line (this module logs its own categories at DEBUG under test), the database or an event.
 */
@QuarkusTest
class EnvironmentSecrecyTest {

  @Inject SecretBox secrets;

  private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          StringBuilder line = new StringBuilder();
          line.append(
              record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
          if (record.getParameters() != null) {
            for (Object parameter : record.getParameters()) {
              line.append(' ').append(parameter);
            }
          }
          if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(' ').append(trace);
          }
          logged.add(line.toString());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLogs() {
    capture.setLevel(Level.ALL);
    Logger.getLogger("").addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    Logger.getLogger("").removeHandler(capture);
  }

  @Test
  void environmentValuesNeverAppearInAnyResponseLogOrStoredRow() {
    String user = newUser();
    String secret = "s3cr3t-" + UUID.randomUUID();
    String other = "hunter2-" + UUID.randomUUID();
    List<String> bodies = new ArrayList<>();

    // Refused requests that carry the values.
    bodies.add(
        create(user, body("provider", "nope", "environment", Map.of("API_TOKEN", secret)))
            .then()
            .statusCode(400)
            .extract()
            .asString());
    bodies.add(
        create(user, body("environment", Map.of("BAD NAME", secret)))
            .then()
            .statusCode(400)
            .extract()
            .asString());

    Response created =
        create(user, body("environment", Map.of("API_TOKEN", secret, "DB_PASSWORD", other)));
    bodies.add(created.then().statusCode(202).extract().asString());
    UUID id = UUID.fromString(created.path("id"));
    bodies.add(as(user).get(SESSIONS + "/" + id).asString());
    bodies.add(as(user).get(SESSIONS).asString());

    fromGateway(id, user, new SandboxProvisioned("local", "sbx", java.time.Instant.now()));
    awaitState(user, id, SessionState.READY);
    fromGateway(id, user, new SandboxLost("gone", java.time.Instant.now()));
    awaitState(user, id, SessionState.RECOVERING);
    bodies.add(
        as(user).body(Map.of("duration", "PT5M")).post(SESSIONS + "/" + id + "/extend").asString());
    bodies.add(as(user).delete(SESSIONS + "/" + id).asString());

    // Responses list names only.
    assertThat(bodies).allSatisfy(b -> assertThat(b).doesNotContain(secret).doesNotContain(other));
    assertThat(bodies.get(2)).contains("API_TOKEN").contains("DB_PASSWORD");

    // Logs: the capture works (it saw this session's transitions) and holds no value.
    assertThat(logged).anyMatch(line -> line.contains(id.toString()));
    assertThat(logged).noneMatch(line -> line.contains(secret) || line.contains(other));

    // Stored sealed.
    String stored = SessionFixtures.row(id).getValue("environment").toString();
    assertThat(stored).contains("API_TOKEN").doesNotContain(secret).doesNotContain(other);
    // Every event (the initial request and the recovery's) carries them sealed for this session.
    List<SessionRequested> requests = emitted(id, SessionRequested.class);
    assertThat(requests).hasSize(2);
    for (SessionRequested request : requests) {
      String sealed = request.environment().get("API_TOKEN");
      assertThat(sealed).doesNotContain(secret);
      assertThat(secrets.open(sealed, SecretContexts.sessionEnvironment(id, "API_TOKEN")))
          .isEqualTo(secret);
      assertThatThrownBy(
              () ->
                  secrets.open(
                      sealed, SecretContexts.sessionEnvironment(UUID.randomUUID(), "API_TOKEN")))
          .isInstanceOf(SecretBox.SecretException.class);
    }
    assertThat(emitted(id))
        .allSatisfy(
            e -> assertThat(e.data().toString()).doesNotContain(secret).doesNotContain(other));
  }
}
