package dev.remoteclaude.session.service;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitHandled;
import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromBilling;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.readySession;
import static dev.remoteclaude.session.SessionFixtures.resend;
import static dev.remoteclaude.session.SessionFixtures.stateChanges;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.common.events.BudgetExceeded;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxPaused;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.Topics;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A spent session or monthly budget pauses the session (the gateway's budget.exceeded), and it is
 * not resumed until billing publishes the cap raised.
 */
@QuarkusTest
class BudgetPauseTest {

  private static final String PROBLEM = "application/problem+json";

  @Test
  void aSpentSessionBudgetPausesTheSessionWhichResumesOnlyOnceTheCapIsRaised() {
    String user = newUser();
    UUID id = readySession(user);
    EventEnvelope exceeded =
        fromGateway(
            id,
            user,
            new BudgetExceeded(
                UUID.randomUUID(), BudgetExceeded.SESSION, new BigDecimal("0.20"), Instant.now()));
    awaitState(user, id, SessionState.PAUSING);
    List<SessionStateChanged> changes = stateChanges(id);
    assertThat(changes.getLast().reason())
        .contains("the session's budget of 0.2 USD is spent")
        .contains("rclaude budget set --session " + id + " --cap USD");
    assertThat(emitted(id, SessionPauseRequested.class))
        .containsExactly(new SessionPauseRequested("budget"));
    // A redelivery changes nothing.
    resend(Topics.GATEWAY, exceeded);
    fromGateway(id, user, new SandboxPaused(Instant.now()));
    awaitState(user, id, SessionState.PAUSED);
    assertThat(emitted(id, SessionPauseRequested.class)).hasSize(1);

    // Held until the cap is raised: the same cap again (or another session's) does not release it.
    as(user)
        .post(SESSIONS + "/" + id + "/resume")
        .then()
        .statusCode(402)
        .contentType(PROBLEM)
        .body("detail", containsString("rclaude budget set --session " + id));
    awaitHandled(
        fromBilling(
            user,
            new BudgetChanged(
                null,
                new BigDecimal("5"),
                Instant.now(),
                BigDecimal.ZERO,
                List.of(
                    new BudgetChanged.SessionBudget(id, new BigDecimal("0.2"), BigDecimal.ZERO)),
                Instant.now())));
    as(user).post(SESSIONS + "/" + id + "/resume").then().statusCode(402);

    awaitHandled(
        fromBilling(
            user,
            new BudgetChanged(
                null,
                null,
                Instant.now(),
                BigDecimal.ZERO,
                List.of(new BudgetChanged.SessionBudget(id, new BigDecimal("1"), BigDecimal.ZERO)),
                Instant.now())));
    as(user)
        .post(SESSIONS + "/" + id + "/resume")
        .then()
        .statusCode(202)
        .body("state", equalTo("RESUMING"));
  }

  @Test
  void aCapRaisedBeforeTheStopIsSeenHoldsNothing() {
    String user = newUser();
    UUID id = readySession(user);
    Instant stoppedAt = Instant.now();
    // The user raises the session's cap; billing publishes it before session-service sees the
    // gateway's stop on the old cap (another topic).
    awaitHandled(
        fromBilling(
            user,
            new BudgetChanged(
                null,
                null,
                Instant.now(),
                BigDecimal.ZERO,
                List.of(new BudgetChanged.SessionBudget(id, new BigDecimal("1"), BigDecimal.ZERO)),
                stoppedAt.plusSeconds(1))));
    awaitHandled(
        fromGateway(
            id,
            user,
            new BudgetExceeded(
                UUID.randomUUID(), BudgetExceeded.SESSION, new BigDecimal("0.20"), stoppedAt)));

    // Not paused, nothing held: the session goes on.
    as(user).get(SESSIONS + "/" + id).then().statusCode(200).body("state", equalTo("READY"));
    assertThat(emitted(id, SessionPauseRequested.class)).isEmpty();

    // A stop on the raised cap itself still pauses and holds it.
    fromGateway(
        id,
        user,
        new BudgetExceeded(
            UUID.randomUUID(), BudgetExceeded.SESSION, BigDecimal.ONE, Instant.now()));
    awaitState(user, id, SessionState.PAUSING);
    fromGateway(id, user, new SandboxPaused(Instant.now()));
    awaitState(user, id, SessionState.PAUSED);
    as(user).post(SESSIONS + "/" + id + "/resume").then().statusCode(402).contentType(PROBLEM);
  }

  @Test
  void aSpentMonthlyBudgetIsReleasedWhenTheMonthlyCapIsRemoved() {
    String user = newUser();
    UUID id = readySession(user);
    fromGateway(
        id,
        user,
        new BudgetExceeded(
            UUID.randomUUID(), BudgetExceeded.MONTHLY, BigDecimal.TEN, Instant.now()));
    awaitState(user, id, SessionState.PAUSING);
    assertThat(stateChanges(id).getLast().reason())
        .contains("your monthly budget of 10 USD is spent")
        .contains("rclaude budget set --monthly USD");
    fromGateway(id, user, new SandboxPaused(Instant.now()));
    awaitState(user, id, SessionState.PAUSED);
    as(user).post(SESSIONS + "/" + id + "/resume").then().statusCode(402).contentType(PROBLEM);

    awaitHandled(
        fromBilling(
            user,
            new BudgetChanged(
                null, null, Instant.now(), BigDecimal.ZERO, List.of(), Instant.now())));
    as(user).post(SESSIONS + "/" + id + "/resume").then().statusCode(202);
  }

  @Test
  void aMonthlyHoldEndsWhenTheNextMonthBeginsWithTheSameCap() {
    String user = newUser();
    UUID id = readySession(user);
    Instant thisMonth =
        java.time.YearMonth.now(java.time.ZoneOffset.UTC)
            .atDay(1)
            .atStartOfDay()
            .toInstant(java.time.ZoneOffset.UTC);
    fromGateway(
        id,
        user,
        new BudgetExceeded(
            UUID.randomUUID(), BudgetExceeded.MONTHLY, BigDecimal.TEN, Instant.now()));
    awaitState(user, id, SessionState.PAUSING);
    fromGateway(id, user, new SandboxPaused(Instant.now()));
    awaitState(user, id, SessionState.PAUSED);

    // The same cap, this month: still held.
    awaitHandled(
        fromBilling(
            user,
            new BudgetChanged(
                BigDecimal.TEN, null, thisMonth, BigDecimal.ONE, List.of(), Instant.now())));
    as(user).post(SESSIONS + "/" + id + "/resume").then().statusCode(402).contentType(PROBLEM);

    // The same cap, counted from a month that began after the hold: released.
    Instant nextMonth =
        java.time.YearMonth.now(java.time.ZoneOffset.UTC)
            .plusMonths(1)
            .atDay(1)
            .atStartOfDay()
            .toInstant(java.time.ZoneOffset.UTC);
    awaitHandled(
        fromBilling(
            user,
            new BudgetChanged(
                BigDecimal.TEN, null, nextMonth, BigDecimal.ZERO, List.of(), nextMonth)));
    as(user).post(SESSIONS + "/" + id + "/resume").then().statusCode(202);
  }
}
