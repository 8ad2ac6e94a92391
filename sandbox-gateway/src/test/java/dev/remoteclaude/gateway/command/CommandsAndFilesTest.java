package dev.remoteclaude.gateway.command;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.SandboxActivity;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.local.LocalSandboxProvider;
import dev.remoteclaude.gateway.support.BrokenProvider;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CommandsAndFilesTest {

  @Inject BrokenProvider broken;
  @Inject LocalSandboxProvider local;
  @Inject Pool pool;
  @Inject GatewayConfig config;

  private static RequestSpecification as(Sessions.Ready session) {
    return given().auth().oauth2(Tokens.forUser(session.userId()));
  }

  private static String run(Sessions.Ready session, String script) {
    return as(session)
        .contentType(ContentType.JSON)
        .body(java.util.Map.of("script", script))
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  @Test
  void aCommandReturnsItsOutputExitCodeAndDuration() {
    Sessions.Ready session = Sessions.provision();
    as(session)
        .contentType(ContentType.JSON)
        .body("{\"argv\": [\"sh\", \"-c\", \"echo out; echo err >&2; exit 7\"]}")
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(200)
        .body("exitCode", equalTo(7))
        .body("stdout", equalTo("out\n"))
        .body("stderr", equalTo("err\n"))
        .body("timedOut", equalTo(false))
        .body("durationMs", org.hamcrest.Matchers.greaterThanOrEqualTo(0));
  }

  @Test
  void commandsAreActivityAndABurstOfThemIsAnnouncedAsOneAtItsEnd() {
    Sessions.Ready session = Sessions.provision();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      run(session, "true");
      Duration window = config.exec().activityWindow();
      // The first command is announced at once, not a window later.
      await()
          .atMost(window.multipliedBy(3).dividedBy(4))
          .until(() -> commandActivity(gateway, session).size() == 1);

      long started = System.nanoTime();
      int burst = 20;
      for (int i = 0; i < burst; i++) {
        run(session, "true");
      }
      Instant lastEnded = Instant.now();
      long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
      // The burst's last command is announced after it ended, about a window later.
      await()
          .atMost(window.multipliedBy(3))
          .until(
              () ->
                  commandActivity(gateway, session).stream()
                      .anyMatch(a -> !a.at().isBefore(lastEnded)));
      List<SandboxActivity> announced = commandActivity(gateway, session);
      // One event per window, not one per command.
      assertThat(announced.size() - 1)
          .isLessThanOrEqualTo(2 + (int) (elapsedMillis / window.toMillis()));
      assertThat(announced.size() - 1).isLessThan(burst);
      assertThat(announced).allMatch(a -> a.runningCommands() == 0);
    }
  }

  private static List<SandboxActivity> commandActivity(KafkaProbe gateway, Sessions.Ready session) {
    return gateway.records().stream()
        .filter(r -> session.sessionId().toString().equals(r.key()))
        .map(r -> EventCodec.read(r.value()))
        .filter(e -> e.type().equals("sandbox.activity"))
        .map(e -> Sessions.payload(e, SandboxActivity.class))
        .filter(a -> a.kind().equals(SandboxActivity.COMMAND_FINISHED))
        .toList();
  }

  @Test
  void aCommandThatRunsTooLongIsKilledAndReportedTimedOut() {
    Sessions.Ready session = Sessions.provision();
    as(session)
        .contentType(ContentType.JSON)
        .body("{\"script\": \"sleep 60 & sleep 60; echo never\", \"timeoutSeconds\": 1}")
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(200)
        .body("timedOut", equalTo(true))
        .body("stdout", equalTo(""));
  }

  @Test
  void outputBeyondTheCapIsDroppedAndFlagged() {
    Sessions.Ready session = Sessions.provision();
    as(session)
        .contentType(ContentType.JSON)
        .body("{\"script\": \"head -c 300000 /dev/zero | tr '\\\\\\\\0' a\"}")
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(200)
        .body("truncated", equalTo(true))
        .body("exitCode", equalTo(0))
        .body("stdout.length()", equalTo(65536));
  }

  @Test
  void commandsAreValidated() {
    Sessions.Ready session = Sessions.provision();
    as(session)
        .contentType(ContentType.JSON)
        .body("{\"argv\": [\"ls\"], \"script\": \"ls\"}")
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("eitherArgvOrScript"));
    as(session)
        .contentType(ContentType.JSON)
        .body("{\"script\": \"ls\", \"timeoutSeconds\": 0}")
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("timeoutSeconds"));
  }

  @Test
  void filesRoundTripInsideTheWorkspace() {
    Sessions.Ready session = Sessions.provision();
    as(session)
        .contentType("application/octet-stream")
        .queryParam("path", "src/notes/hello.txt")
        .body("hi there".getBytes())
        .put("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(204);
    assertThat(run(session, "cat src/notes/hello.txt")).contains("hi there");
    as(session)
        .queryParam("path", "src/notes/hello.txt")
        .get("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(200)
        .body(equalTo("hi there"));
    as(session)
        .queryParam("path", "missing.txt")
        .get("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void pathsThatLeaveTheWorkspaceAreRefused() {
    Sessions.Ready session = Sessions.provision();
    run(session, "ln -s /etc etc-link && ln -s .. up && ln -s /etc/hostname host-file");
    for (String path :
        List.of(
            "../home/.claude.json",
            "/etc/passwd",
            "a/../../x",
            "etc-link/passwd",
            "up/home/secret",
            "host-file",
            "~/x")) {
      as(session)
          .queryParam("path", path)
          .get("/api/v1/sessions/{id}/files", session.sessionId())
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors[0].field", equalTo("path"));
    }
    as(session)
        .contentType("application/octet-stream")
        .queryParam("path", "etc-link/evil")
        .body("x".getBytes())
        .put("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(400);
    as(session)
        .contentType("application/octet-stream")
        .queryParam("path", "up/escaped.txt")
        .body("x".getBytes())
        .put("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(400);
  }

  @Test
  void aLinkFlippedWhileFilesAreReadAndWrittenNeverReachesOutsideTheSandbox() throws Exception {
    Assumptions.assumeTrue(local.isolated(), "the local provider isolates only with bubblewrap");
    Sessions.Ready session = Sessions.provision();
    // The tenant keeps flipping d between a harmless directory and the root, hoping the files API
    // checks the path while d is harmless and opens it once d points at /.
    run(
        session,
        "mkdir -p harmless/proc/self harmless/tmp && echo harmless > harmless/proc/self/environ");
    as(session)
        .contentType(ContentType.JSON)
        .body(
            java.util.Map.of(
                "script",
                "timeout 60 sh -c 'while :; do ln -sfn harmless d; ln -sfn / d; done'",
                "stream",
                true))
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(202);
    // What the gateway's own environment would give away.
    List<String> gatewayEnvironment =
        System.getenv().entrySet().stream()
            .filter(
                e ->
                    !List.of("HOME", "USER", "LANG", "PATH", "PWD", "SHLVL", "_")
                        .contains(e.getKey()))
            .map(e -> e.getKey() + "=" + e.getValue())
            .filter(entry -> entry.length() > 6)
            .toList();
    assertThat(gatewayEnvironment).isNotEmpty();
    String escape = "rc-escape-" + UUID.randomUUID();

    int read = 0;
    for (int i = 0; i < 150; i++) {
      io.restassured.response.Response response =
          as(session)
              .queryParam("path", "d/proc/self/environ")
              .get("/api/v1/sessions/{id}/files", session.sessionId());
      if (response.statusCode() == 200) {
        read++;
        String body = response.asString();
        assertThat(gatewayEnvironment).noneMatch(body::contains);
      } else {
        assertThat(response.statusCode()).isBetween(400, 404);
      }
      as(session)
          .contentType("application/octet-stream")
          .queryParam("path", "d/tmp/" + escape)
          .body("escaped".getBytes())
          .put("/api/v1/sessions/{id}/files", session.sessionId());
    }
    assertThat(read).isPositive();
    assertThat(Path.of("/tmp", escape)).doesNotExist();
  }

  @Test
  void filesOverTheSizeLimitAreRefused() {
    Sessions.Ready session = Sessions.provision();
    as(session)
        .contentType("application/octet-stream")
        .queryParam("path", "big.bin")
        .body(new byte[2 * 1024 * 1024])
        .put("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(413);
    run(session, "head -c 2000000 /dev/zero > big.bin");
    as(session)
        .queryParam("path", "big.bin")
        .get("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(400)
        .body("detail", containsString("larger than"));
  }

  @Test
  void anotherUserGets404AndAPausedSessionRunsNothing() {
    Sessions.Ready session = Sessions.provision();
    given()
        .auth()
        .oauth2(Tokens.forUser("intruder"))
        .contentType(ContentType.JSON)
        .body("{\"script\": \"id\"}")
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(Tokens.forUser("intruder"))
        .queryParam("path", "README.md")
        .get("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(Tokens.forUser("intruder"))
        .get("/api/v1/sessions/{id}/events", session.sessionId())
        .then()
        .statusCode(404);

    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session.sessionId(), session.userId(), new SessionPauseRequested("user"));
      Sessions.await(gateway, session.sessionId(), "sandbox.paused");
    }
    as(session)
        .contentType(ContentType.JSON)
        .body("{\"script\": \"id\"}")
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(409);
  }

  @Test
  void aFailingProviderOpensItsBreakerAndCallsFailFastWith503() {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    assertThat(Sessions.failedOn(session, user, "broken").code())
        .isEqualTo(SandboxFailed.PROVIDER_UNAVAILABLE);
    // Pretend the sandbox had come up before the outage, to call the provider through the API.
    pool.preparedQuery(
            "UPDATE sandbox SET state = 'READY', provider_id = 'b-1' WHERE session_id = $1")
        .execute(Tuple.of(session))
        .await()
        .indefinitely();
    for (int i = 0; i < 6; i++) {
      given()
          .auth()
          .oauth2(Tokens.forUser(user))
          .queryParam("path", "README.md")
          .get("/api/v1/sessions/{id}/files", session)
          .then()
          .statusCode(503)
          .contentType("application/problem+json");
    }
    int callsWhenOpen = broken.calls();
    assertThat(callsWhenOpen).as("the provider was called until its breaker opened").isPositive();
    given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .queryParam("path", "README.md")
        .get("/api/v1/sessions/{id}/files", session)
        .then()
        .statusCode(503)
        .body("detail", containsString("paused"));
    assertThat(broken.calls())
        .as("an open breaker does not call the provider")
        .isEqualTo(callsWhenOpen);
  }

  @Test
  void filesATenantMadeUnreadableNeverOpenTheBreakerOtherTenantsShare() {
    Assumptions.assumeTrue(local.isolated(), "as root without bubblewrap, every file is readable");
    Sessions.Ready tenant = Sessions.provision();
    Sessions.Ready other = Sessions.provision();
    run(tenant, "echo secret > locked.txt && chmod 000 locked.txt && mkdir shut && chmod 000 shut");
    // Far more failures in a row than the breaker's window (4 calls, half failing, in tests).
    for (int i = 0; i < 12; i++) {
      for (String path : List.of("locked.txt", "shut/x.txt")) {
        as(tenant)
            .queryParam("path", path)
            .get("/api/v1/sessions/{id}/files", tenant.sessionId())
            .then()
            .statusCode(org.hamcrest.Matchers.oneOf(400, 404))
            .contentType("application/problem+json");
      }
      as(tenant)
          .contentType("application/octet-stream")
          .queryParam("path", "shut/new.txt")
          .body("x".getBytes())
          .put("/api/v1/sessions/{id}/files", tenant.sessionId())
          .then()
          .statusCode(400)
          .contentType("application/problem+json");
    }
    // The provider is fine: another tenant's calls go through.
    run(other, "echo mine > mine.txt");
    as(other)
        .queryParam("path", "mine.txt")
        .get("/api/v1/sessions/{id}/files", other.sessionId())
        .then()
        .statusCode(200)
        .body(equalTo("mine\n"));
  }
}
