package dev.remoteclaude.session.service;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitHandled;
import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.pausedSession;
import static dev.remoteclaude.session.SessionFixtures.readySession;
import static dev.remoteclaude.session.SessionFixtures.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.SandboxPaused;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.session.Times;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A session left in PAUSING, RESUMING or TERMINATING because the gateway's answer (or the request)
 * was lost asks the gateway again, waiting longer each time, until the answer comes. The rounds run
 * at clock instants of the test's own (the retry time is 2 minutes), out of the scheduler's way.
 */
@QuarkusTest
class StuckTransitionsTest {

  @Inject SessionTimers timers;

  @Test
  void aSessionStuckPausingAsksTheGatewayAgainWaitingLongerEachTimeUntilItAnswers() {
    String user = newUser();
    UUID id = readySession(user);
    as(user).post(SESSIONS + "/" + id + "/pause").then().statusCode(202);
    assertThat(state(user, id)).isEqualTo(SessionState.PAUSING);
    assertThat(emitted(id, SessionPauseRequested.class)).hasSize(1);
    Instant t = Times.now();

    round(t.plusSeconds(60)); // within the retry time: not stuck yet
    assertThat(emitted(id, SessionPauseRequested.class)).hasSize(1);

    round(t.plus(Duration.ofMinutes(3)));
    assertThat(emitted(id, SessionPauseRequested.class))
        .hasSize(2)
        .last()
        .isEqualTo(new SessionPauseRequested("retry"));

    round(t.plus(Duration.ofMinutes(6))); // the next ask waits 4 minutes, not 2
    assertThat(emitted(id, SessionPauseRequested.class)).hasSize(2);
    round(t.plus(Duration.ofMinutes(8)));
    assertThat(emitted(id, SessionPauseRequested.class)).hasSize(3);

    // The gateway answers at last: the session is PAUSED and nothing more is asked.
    awaitHandled(fromGateway(id, user, new SandboxPaused(Instant.now())));
    awaitState(user, id, SessionState.PAUSED);
    round(t.plus(Duration.ofHours(3)));
    assertThat(emitted(id, SessionPauseRequested.class)).hasSize(3);
  }

  @Test
  void resumingAndTerminatingSessionsAskAgainForWhatTheyAreWaitingFor() {
    String user = newUser();
    UUID resuming = pausedSession(user);
    as(user).post(SESSIONS + "/" + resuming + "/resume").then().statusCode(202);
    UUID terminating = readySession(user);
    as(user).delete(SESSIONS + "/" + terminating).then().statusCode(202);
    assertThat(state(user, resuming)).isEqualTo(SessionState.RESUMING);
    assertThat(state(user, terminating)).isEqualTo(SessionState.TERMINATING);

    round(Times.now().plus(Duration.ofMinutes(3)));

    assertThat(emitted(resuming, SessionResumeRequested.class))
        .last()
        .isEqualTo(new SessionResumeRequested("retry"));
    assertThat(emitted(terminating, SessionTerminateRequested.class))
        .hasSize(2)
        .last()
        .isEqualTo(new SessionTerminateRequested("retry"));
  }

  private void round(Instant at) {
    OnVertx.await(() -> timers.retryStuckTransitions(at), Duration.ofSeconds(30));
  }
}
