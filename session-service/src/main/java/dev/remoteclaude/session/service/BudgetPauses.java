package dev.remoteclaude.session.service;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.common.events.BudgetExceeded;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.session.Session;
import dev.remoteclaude.session.Times;
import dev.remoteclaude.session.repository.SessionRepository;
import dev.remoteclaude.session.repository.UserBudgetRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.UUID;

/**
 * Sessions paused because a budget was spent: the gateway's model proxy stopped a task for the
 * session's or the user's monthly budget ({@code budget.exceeded}); the session is paused and is
 * not resumed (by the user or for a queued task) until billing publishes that cap raised or removed
 * ({@code billing.budget-changed}).
 *
 * <p>The two events come on different topics, in either order: the newest budget billing published
 * is kept, and a {@code budget.exceeded} whose cap that budget already raised (or renewed with a
 * new month) holds nothing. A user's holds and budget changes are serialised (a per-user lock), so
 * neither misses the other.
 */
@ApplicationScoped
public class BudgetPauses {

  private final SessionRepository sessions;
  private final SessionTransitions transitions;
  private final UserBudgetRepository budgets;

  public BudgetPauses(
      SessionRepository sessions, SessionTransitions transitions, UserBudgetRepository budgets) {
    this.sessions = sessions;
    this.transitions = transitions;
    this.budgets = budgets;
  }

  /** A budget stopped a task of the session: it is paused, and held until the cap is raised. */
  @WithTransaction
  public Uni<Void> exceeded(UUID sessionId, BudgetExceeded event) {
    return sessions
        .ownerOf(sessionId)
        .chain(
            owner ->
                owner == null
                    ? Uni.createFrom().<Void>voidItem()
                    : budgets
                        .lockUser(owner)
                        .chain(() -> budgets.find(owner))
                        .chain(
                            budget -> sessions.lock(sessionId).chain(s -> hold(s, event, budget))));
  }

  /** Holds the session for a spent budget, unless billing's newest budget already raised it. */
  private Uni<Void> hold(
      Session session, BudgetExceeded event, java.util.Optional<BudgetChanged> budget) {
    if (session == null || !session.state.isLive()) {
      Log.infof("ignoring budget.exceeded of task %s", event.taskId());
      return Uni.createFrom().voidItem();
    }
    if (budget.isPresent() && raised(session, event, budget.get())) {
      Log.infof(
          "session %s: its %s budget of %s USD was raised before the stop was seen; not held",
          session.id, event.scope(), event.capUsd());
      return Uni.createFrom().voidItem();
    }
    session.budgetScope = event.scope();
    session.budgetCapUsd = event.capUsd();
    session.budgetHeldAt = event.at() == null ? Times.now() : event.at();
    if (session.state != SessionState.READY) {
      return Uni.createFrom().voidItem();
    }
    return transitions
        .move(session, SessionState.PAUSING, reason(session))
        .chain(() -> transitions.emit(session, new SessionPauseRequested("budget")));
  }

  /**
   * Whether {@code budget} (billing's newest) already raised or removed the cap a task was stopped
   * on, or counts a month that began after the stop.
   */
  private static boolean raised(Session session, BudgetExceeded event, BudgetChanged budget) {
    if (event.capUsd() == null) {
      return false;
    }
    BigDecimal cap =
        BudgetExceeded.MONTHLY.equals(event.scope())
            ? budget.monthlyCapUsd()
            : sessionCap(session, budget);
    boolean newMonth =
        BudgetExceeded.MONTHLY.equals(event.scope())
            && event.at() != null
            && budget.monthStart() != null
            && budget.monthStart().isAfter(event.at());
    return cap == null || cap.compareTo(event.capUsd()) > 0 || newMonth;
  }

  /** Billing's new caps: sessions held by a cap now raised or removed may be resumed again. */
  @WithTransaction
  public Uni<Void> changed(String userId, BudgetChanged budget) {
    return budgets
        .lockUser(userId)
        .chain(() -> budgets.store(userId, budget))
        .chain(() -> sessions.lockBudgetBlocked(userId))
        .chain(
            held ->
                Multi.createFrom()
                    .iterable(held)
                    .invoke(
                        session -> {
                          BigDecimal cap = capNow(session, budget);
                          if (cap == null
                              || cap.compareTo(session.budgetCapUsd) > 0
                              || newMonth(session, budget)) {
                            Log.infof(
                                "session %s: its %s budget was raised or renewed; it may be resumed",
                                session.id, session.budgetScope);
                            session.budgetScope = null;
                            session.budgetCapUsd = null;
                            session.budgetHeldAt = null;
                          }
                        })
                    .collect()
                    .last()
                    .replaceWithVoid());
  }

  /** Fails with 402 while the session is held by a spent budget. */
  public static Uni<Void> checkCanResume(Session session) {
    if (session.budgetScope == null) {
      return Uni.createFrom().voidItem();
    }
    return Uni.createFrom()
        .failure(
            new ProblemException(
                402,
                "budget-exceeded",
                "Budget exceeded",
                reason(session)
                    + " (PUT /api/v1/billing/budget"
                    + (BudgetExceeded.SESSION.equals(session.budgetScope)
                        ? "/sessions/" + session.id
                        : "")
                    + ")",
                null));
  }

  /** A monthly hold placed before the month the budget now counts: that month's spend is new. */
  private static boolean newMonth(Session session, BudgetChanged budget) {
    return BudgetExceeded.MONTHLY.equals(session.budgetScope)
        && session.budgetHeldAt != null
        && budget.monthStart() != null
        && budget.monthStart().isAfter(session.budgetHeldAt);
  }

  private static BigDecimal capNow(Session session, BudgetChanged budget) {
    if (BudgetExceeded.MONTHLY.equals(session.budgetScope)) {
      return budget.monthlyCapUsd();
    }
    return sessionCap(session, budget);
  }

  /** The session's cap in {@code budget}: its own, or the user's default (null: none). */
  private static BigDecimal sessionCap(Session session, BudgetChanged budget) {
    return (budget.sessions() == null
            ? java.util.List.<BudgetChanged.SessionBudget>of()
            : budget.sessions())
        .stream()
            .filter(s -> s.sessionId().equals(session.id) && s.capUsd() != null)
            .map(BudgetChanged.SessionBudget::capUsd)
            .findFirst()
            .orElse(budget.sessionDefaultCapUsd());
  }

  private static String reason(Session session) {
    boolean monthly = BudgetExceeded.MONTHLY.equals(session.budgetScope);
    return (monthly ? "your monthly budget of " : "the session's budget of ")
        + session.budgetCapUsd.stripTrailingZeros().toPlainString()
        + " USD is spent; raise it with `rclaude budget set "
        + (monthly ? "--monthly USD" : "--session " + session.id + " --cap USD")
        + "` to resume the session";
  }
}
