package dev.remoteclaude.session.service;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitHandled;
import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.get;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.pausedSession;
import static dev.remoteclaude.session.SessionFixtures.stateChanges;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.SandboxLost;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SandboxSnapshotted;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.SessionStateChanged;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A provider's TTL ran out while the session was paused: resuming finds the sandbox gone. The
 * session is not failed: it recovers from its latest snapshot, at the provider that holds it.
 */
@QuarkusTest
class ReclaimedWhilePausedTest {

  @Test
  void resumingASandboxTheProviderReclaimedRecoversFromTheLatestSnapshotAtTheSameProvider() {
    String user = newUser();
    UUID id = pausedSession(user, "provider", "e2b");
    awaitHandled(fromGateway(id, user, new SandboxSnapshotted("snap-paused", Instant.now())));

    as(user).post(SESSIONS + "/" + id + "/resume").then().statusCode(202);
    awaitState(user, id, SessionState.RESUMING);
    // what the gateway says when resume answers NOT_FOUND
    fromGateway(
        id,
        user,
        new SandboxLost("the sandbox is gone from provider e2b: sandbox not found", Instant.now()));

    awaitState(user, id, SessionState.RECOVERING);
    List<SessionStateChanged> changes = stateChanges(id);
    SessionStateChanged recovering = changes.get(changes.size() - 1);
    assertThat(recovering.from()).isEqualTo("RESUMING");
    assertThat(recovering.reason())
        .contains("gone from provider e2b")
        .contains("from the last snapshot");
    List<SessionRequested> requests = emitted(id, SessionRequested.class);
    assertThat(requests).hasSize(2);
    assertThat(requests.get(1).restoreSnapshotId()).isEqualTo("snap-paused");
    assertThat(requests.get(1).provider()).as("never moved elsewhere").isEqualTo("e2b");

    fromGateway(id, user, new SandboxProvisioned("e2b", "sbx-restored", Instant.now()));
    awaitState(user, id, SessionState.READY);
    get(user, id).then().body("provider", equalTo("e2b"));
    assertThat(changes).noneMatch(c -> "FAILED".equals(c.to()));
  }
}
