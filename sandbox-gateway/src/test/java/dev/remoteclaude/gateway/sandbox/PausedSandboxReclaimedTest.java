package dev.remoteclaude.gateway.sandbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.SandboxLost;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SandboxSnapshotted;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionSnapshotRequested;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.SessionFiles;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A provider may reclaim a paused sandbox (its own TTL ran out). Resuming then finds nothing: the
 * gateway says the sandbox is lost (session-service goes RECOVERING, not FAILED), and the session
 * comes back from its latest snapshot at the same provider, with its files.
 */
@QuarkusTest
class PausedSandboxReclaimedTest {

  @Inject Pool pool;
  @Inject dev.remoteclaude.gateway.provider.ProviderCalls providers;

  @Test
  void aSandboxReclaimedWhilePausedIsLostOnResumeAndComesBackFromItsSnapshot() {
    Sessions.Ready session = Sessions.provision();
    SessionFiles.write(session, "notes.txt", "kept in the snapshot");
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session.sessionId(), session.userId(), new SessionSnapshotRequested());
      String snapshot =
          Sessions.payload(
                  Sessions.await(gateway, session.sessionId(), "sandbox.snapshotted"),
                  SandboxSnapshotted.class)
              .snapshotId();
      Sessions.send(session.sessionId(), session.userId(), new SessionPauseRequested("idle"));
      Sessions.await(gateway, session.sessionId(), "sandbox.paused");

      // The provider reclaims it while paused.
      String providerId =
          pool.preparedQuery("SELECT provider_id FROM sandbox WHERE session_id = $1")
              .execute(Tuple.of(session.sessionId()))
              .await()
              .indefinitely()
              .iterator()
              .next()
              .getString("provider_id");
      dev.remoteclaude.testing.OnVertx.await(() -> providers.terminate("local", providerId));

      Sessions.send(session.sessionId(), session.userId(), new SessionResumeRequested("user"));
      SandboxLost lost =
          Sessions.payload(
              Sessions.await(gateway, session.sessionId(), "sandbox.lost"), SandboxLost.class);
      assertThat(lost.reason()).contains("gone from provider local");
      assertThat(
              gateway.records().stream()
                  .filter(r -> session.sessionId().toString().equals(r.key()))
                  .map(r -> EventCodec.read(r.value()).type()))
          .doesNotContain("sandbox.failed", "sandbox.resumed");

      // session-service (played here) recovers it from the latest snapshot.
      Sessions.send(session.sessionId(), session.userId(), Sessions.restoredFrom(snapshot));
      SandboxProvisioned back =
          Sessions.payload(
              Sessions.await(gateway, session.sessionId(), "sandbox.provisioned"),
              SandboxProvisioned.class);
      assertThat(back.provider()).isEqualTo("local");
      assertThat(back.sandboxId()).isNotEqualTo(providerId);
    }
    assertThat(SessionFiles.read(session, "notes.txt")).isEqualTo("kept in the snapshot");
    List<String> steps =
        given()
            .auth()
            .oauth2(Tokens.forUser(session.userId()))
            .queryParam("limit", 1000)
            .get("/api/v1/sessions/{id}/events", session.sessionId())
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("events.findAll { it.type == 'sandbox.progress' }.data.step");
    assertThat(steps).contains("lost", "restored");
  }
}
