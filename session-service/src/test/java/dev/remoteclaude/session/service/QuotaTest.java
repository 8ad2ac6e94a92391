package dev.remoteclaude.session.service;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitHandled;
import static dev.remoteclaude.session.SessionFixtures.body;
import static dev.remoteclaude.session.SessionFixtures.create;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.forceState;
import static dev.remoteclaude.session.SessionFixtures.fromBilling;
import static dev.remoteclaude.session.SessionFixtures.fromTasks;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.QuotaChanged;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.TaskQueued;
import dev.remoteclaude.session.SessionFixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The quota read-model: defaults from configuration, then billing's quota-changed events. */
@QuarkusTest
class QuotaTest {

  private static final String PROBLEM = "application/problem+json";

  @Test
  void createOverTheDefaultActiveSessionLimitAnswers429NamingTheLimit() {
    String user = newUser();
    List<UUID> sessions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sessions.add(createSession(user));
    }

    create(user, body())
        .then()
        .statusCode(429)
        .contentType(PROBLEM)
        .body("type", equalTo("https://remote-claude.dev/problems/quota-exceeded"))
        .body("limit", equalTo("maxActiveSessions"))
        .body("allowed", equalTo(3))
        .body("current", equalTo(3));

    // Paused and ended sessions do not count.
    forceState(sessions.get(0), SessionState.PAUSED);
    createSession(user);
    forceState(sessions.get(1), SessionState.TERMINATED);
    createSession(user);
    create(user, body()).then().statusCode(429);
  }

  @Test
  void quotaChangedEventsSetTheLimitsAndOlderOnesAreIgnored() {
    String user = newUser();
    Instant now = Instant.now();
    awaitHandled(fromBilling(user, new QuotaChanged(1, 36_000, 0, now, false)));
    createSession(user);
    create(user, body()).then().statusCode(429).body("allowed", equalTo(1));

    // An update older than the one applied changes nothing ...
    awaitHandled(fromBilling(user, new QuotaChanged(10, 36_000, 0, now.minusSeconds(60), false)));
    create(user, body()).then().statusCode(429).body("allowed", equalTo(1));

    // ... a newer one does.
    awaitHandled(fromBilling(user, new QuotaChanged(2, 36_000, 0, now.plusSeconds(1), false)));
    createSession(user);
    create(user, body()).then().statusCode(429).body("allowed", equalTo(2));
  }

  @Test
  void usedUpSessionHoursAnswer402OnCreateAndResume() {
    String user = newUser();
    UUID paused = createSession(user);
    forceState(paused, SessionState.PAUSED);
    awaitHandled(fromBilling(user, new QuotaChanged(5, 3_600, 3_600, Instant.now(), false)));

    create(user, body())
        .then()
        .statusCode(402)
        .contentType(PROBLEM)
        .body("limit", equalTo("sessionSecondsPerMonth"))
        .body("allowed", equalTo(3600))
        .body("current", equalTo(3600));
    as(user)
        .post(SESSIONS + "/" + paused + "/resume")
        .then()
        .statusCode(402)
        .body("limit", equalTo("sessionSecondsPerMonth"));
  }

  @Test
  void anOverduePaymentAnswers402OnCreateAndResumeUntilBillingClearsIt() {
    String user = newUser();
    UUID paused = createSession(user);
    forceState(paused, SessionState.PAUSED);
    Instant now = Instant.now();
    awaitHandled(fromBilling(user, new QuotaChanged(5, 36_000, 0, now, true)));

    create(user, body())
        .then()
        .statusCode(402)
        .contentType(PROBLEM)
        .body("type", equalTo("https://remote-claude.dev/problems/payment-overdue"))
        .body("detail", org.hamcrest.Matchers.containsString("payment"));
    as(user)
        .post(SESSIONS + "/" + paused + "/resume")
        .then()
        .statusCode(402)
        .body("type", equalTo("https://remote-claude.dev/problems/payment-overdue"));

    // A paid invoice: billing publishes the user in good standing again.
    awaitHandled(fromBilling(user, new QuotaChanged(5, 36_000, 0, now.plusSeconds(1), false)));
    createSession(user);
  }

  @Test
  void resumeOverTheActiveSessionLimitAnswers429() {
    String user = newUser();
    awaitHandled(fromBilling(user, new QuotaChanged(1, 36_000, 0, Instant.now(), false)));
    UUID paused = createSession(user);
    forceState(paused, SessionState.PAUSED);
    createSession(user);

    as(user)
        .post(SESSIONS + "/" + paused + "/resume")
        .then()
        .statusCode(429)
        .body("limit", equalTo("maxActiveSessions"));
  }

  @Test
  void queuedTaskDoesNotResumeAPausedSessionOverTheLimit() {
    String user = newUser();
    awaitHandled(fromBilling(user, new QuotaChanged(1, 36_000, 0, Instant.now(), false)));
    UUID paused = createSession(user);
    forceState(paused, SessionState.PAUSED);
    createSession(user);

    awaitHandled(
        fromTasks(paused, user, new TaskQueued(UUID.randomUUID(), "waits", 1, Instant.now())));

    assertThat(SessionFixtures.state(user, paused)).isEqualTo(SessionState.PAUSED);
    assertThat(emitted(paused, SessionResumeRequested.class)).isEmpty();
    // The user is told why, on the session's stream.
    assertThat(SessionFixtures.notices(paused, SessionNotice.RESUME_REFUSED))
        .singleElement()
        .satisfies(
            n ->
                assertThat(n.message())
                    .contains("stays paused")
                    .contains("active sessions")
                    .doesNotContain("Exception"));
  }

  @Test
  void concurrentCreatesNeverExceedTheLimit() throws Exception {
    String user = newUser();
    awaitHandled(fromBilling(user, new QuotaChanged(2, 36_000, 0, Instant.now(), false)));
    ExecutorService clients = Executors.newFixedThreadPool(6);
    List<Integer> statuses = new ArrayList<>();
    try {
      List<Future<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add(clients.submit(() -> create(user, body()).statusCode()));
      }
      for (Future<Integer> call : calls) {
        statuses.add(call.get());
      }
    } finally {
      clients.shutdownNow();
    }
    assertThat(statuses).filteredOn(s -> s == 202).hasSize(2);
    assertThat(statuses).filteredOn(s -> s == 429).hasSize(4);
  }

  @Test
  void pausedSessionsHaveALimitOnPauseAndCreate() {
    String user = newUser();
    // Enough active sessions that only the paused-session limit (10 by default) stops the user.
    awaitHandled(fromBilling(user, new QuotaChanged(20, 360_000, 0, Instant.now(), false)));
    UUID ready = createSession(user);
    forceState(ready, SessionState.READY);
    List<UUID> paused = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      UUID session = createSession(user);
      forceState(session, SessionState.PAUSED);
      paused.add(session);
    }

    create(user, body())
        .then()
        .statusCode(429)
        .contentType(PROBLEM)
        .body("type", equalTo("https://remote-claude.dev/problems/quota-exceeded"))
        .body("limit", equalTo("maxPausedSessions"))
        .body("allowed", equalTo(10))
        .body("current", equalTo(10));
    as(user)
        .post(SESSIONS + "/" + ready + "/pause")
        .then()
        .statusCode(429)
        .contentType(PROBLEM)
        .body("limit", equalTo("maxPausedSessions"))
        .body("detail", org.hamcrest.Matchers.containsString("paused sessions"));
    assertThat(SessionFixtures.state(user, ready)).isEqualTo(SessionState.READY);

    // One paused session fewer: pausing works again, and then the limit is reached once more.
    forceState(paused.get(0), SessionState.TERMINATED);
    as(user).post(SESSIONS + "/" + ready + "/pause").then().statusCode(202);
    create(user, body()).then().statusCode(429).body("limit", equalTo("maxPausedSessions"));
  }
}
