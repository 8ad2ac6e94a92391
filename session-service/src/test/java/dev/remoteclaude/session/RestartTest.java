package dev.remoteclaude.session;

import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.count;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.outbox.OutboxRelay;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A replica that stops right after committing a new session loses nothing: the request waits in the
 * outbox and is published once when relaying starts again, and the session's clocks live in the
 * database, not in the stopped replica.
 */
@QuarkusTest
class RestartTest {

  @Inject OutboxRelay relay;

  @AfterEach
  void relayRuns() {
    relay.start();
  }

  @Test
  void restartInTheMiddleOfProvisioningLosesNothing() {
    String user = newUser();
    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      relay.stop(); // the replica goes down right after the commit

      UUID id = createSession(user, "idleTimeout", "PT2S");

      assertThat(
              count(
                  "SELECT count(*) FROM outbox_event WHERE message_key = $1 AND published_at IS NULL",
                  id.toString()))
          .isEqualTo(2);
      assertThat(probe.records()).noneMatch(r -> id.toString().equals(r.key()));

      relay.start(); // ... and comes back

      await().atMost(Duration.ofSeconds(30)).until(() -> ofSession(probe, id).size() >= 2);
      assertThat(ofSession(probe, id))
          .containsExactlyInAnyOrder("session.state-changed", "session.requested");

      // The gateway provisions meanwhile; the session follows, and its idle clock, rebuilt from
      // the database, pauses it.
      fromGateway(id, user, new SandboxProvisioned("local", "sbx-" + id, Instant.now()));
      awaitState(user, id, SessionState.READY);
      awaitState(user, id, SessionState.PAUSING);
      assertThat(ofSession(probe, id).stream().filter("session.requested"::equals).count()).isOne();
    }
  }

  private static List<String> ofSession(KafkaProbe probe, UUID id) {
    return probe.records().stream()
        .filter(r -> id.toString().equals(r.key()))
        .map(r -> EventCodec.read(r.value()).type())
        .toList();
  }
}
