package dev.remoteclaude.session.service;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitHandled;
import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.get;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.readySession;
import static dev.remoteclaude.session.SessionFixtures.stateChanges;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxLost;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SandboxSnapshotted;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.SessionSnapshotRequested;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.session.SessionFixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Periodic snapshots (every 2 s in the test profile) and recovery of lost sandboxes. */
@QuarkusTest
class RecoveryAndSnapshotTest {

  @Test
  void lostSandboxIsReprovisionedFromTheLastSnapshot() {
    String user = newUser();
    UUID id = readySession(user, "environment", Map.of("API_URL", "https://api.example.com"));
    awaitHandled(fromGateway(id, user, new SandboxSnapshotted("snap-1", Instant.now())));
    get(user, id).then().body("lastSnapshotAt", org.hamcrest.Matchers.notNullValue());

    fromGateway(id, user, new SandboxLost("host reclaimed", Instant.now()));

    awaitState(user, id, SessionState.RECOVERING);
    List<SessionRequested> requests = emitted(id, SessionRequested.class);
    assertThat(requests).hasSize(2);
    SessionRequested again = requests.get(1);
    assertThat(again.restoreSnapshotId()).isEqualTo("snap-1");
    assertThat(again.environment()).isEqualTo(requests.get(0).environment());
    assertThat(again.repositoryUrl()).isEqualTo(requests.get(0).repositoryUrl());
    SessionStateChanged recovering = last(id);
    assertThat(recovering.from()).isEqualTo("READY");
    assertThat(recovering.reason()).contains("host reclaimed").contains("from the last snapshot");

    fromGateway(id, user, new SandboxProvisioned("local", "sbx-new", Instant.now()));

    awaitState(user, id, SessionState.READY);
    assertThat(last(id).reason()).isEqualTo("sandbox recovered");
  }

  @Test
  void lostSandboxWithoutSnapshotIsClonedAgain() {
    String user = newUser();
    UUID id = readySession(user);

    fromGateway(id, user, new SandboxLost("missing at reconciliation", Instant.now()));

    awaitState(user, id, SessionState.RECOVERING);
    List<SessionRequested> requests = emitted(id, SessionRequested.class);
    assertThat(requests).hasSize(2);
    assertThat(requests.get(1).restoreSnapshotId()).isNull();
    assertThat(last(id).reason()).contains("by cloning again");
  }

  @Test
  void recoveryGivesUpAfterTheConfiguredAttempts() {
    String user = newUser();
    UUID id = readySession(user);
    for (int attempt = 1; attempt <= 3; attempt++) {
      awaitHandled(fromGateway(id, user, new SandboxLost("lost #" + attempt, Instant.now())));
    }
    assertThat(emitted(id, SessionRequested.class)).hasSize(4);
    assertThat(SessionFixtures.state(user, id)).isEqualTo(SessionState.RECOVERING);

    fromGateway(id, user, new SandboxLost("lost #4", Instant.now()));

    awaitState(user, id, SessionState.FAILED);
    get(user, id)
        .then()
        .body("stateReason", startsWith("sandbox lost and not recovered after 3 attempts"));
    assertThat(emitted(id, SessionRequested.class)).hasSize(4);
  }

  @Test
  void failedReprovisioningFailsTheSessionWithItsReason() {
    String user = newUser();
    UUID id = readySession(user);
    fromGateway(id, user, new SandboxLost("host gone", Instant.now()));
    awaitState(user, id, SessionState.RECOVERING);

    fromGateway(
        id,
        user,
        new SandboxFailed(SandboxFailed.PROVIDER_UNAVAILABLE, "provider is down", Instant.now()));

    awaitState(user, id, SessionState.FAILED);
    get(user, id).then().body("stateReason", equalTo("PROVIDER_UNAVAILABLE: provider is down"));
  }

  @Test
  void snapshotsAreRequestedPeriodicallyWhileReadyOnProvidersThatSupportThem() {
    String user = newUser();
    UUID local = readySession(user);
    UUID e2b = readySession(newUser(), "provider", "e2b");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> emitted(local, SessionSnapshotRequested.class).size() >= 2);

    // Paused, nothing changes in the workspace: no more requests.
    as(user).post(SESSIONS + "/" + local + "/pause").then().statusCode(202);
    int requested = emitted(local, SessionSnapshotRequested.class).size();
    await()
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> emitted(local, SessionSnapshotRequested.class).size() == requested);
    assertThat(emitted(e2b, SessionSnapshotRequested.class)).isEmpty();
  }

  private static SessionStateChanged last(UUID id) {
    List<SessionStateChanged> changes = stateChanges(id);
    return changes.get(changes.size() - 1);
  }
}
