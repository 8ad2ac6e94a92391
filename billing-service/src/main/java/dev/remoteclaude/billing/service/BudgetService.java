package dev.remoteclaude.billing.service;

import dev.remoteclaude.billing.repository.BillingAccountRepository;
import dev.remoteclaude.billing.repository.BudgetRepository;
import dev.remoteclaude.billing.repository.BudgetRepository.Caps;
import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.common.problem.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Users' budgets: a monthly cap, a default cap per session and sessions' own caps, over compute and
 * model tokens together (the ledger's prices). Every change, and every quota publication of a user
 * with a budget (as their compute grows), is published as {@code billing.budget-changed}: the caps
 * and the compute spend as of then; the gateway's model proxy adds the tokens it meters itself.
 */
@ApplicationScoped
public class BudgetService {

  /** A user's budgets and spend as of {@code asOf}. */
  public record Budget(
      BigDecimal monthlyCapUsd,
      BigDecimal sessionDefaultCapUsd,
      Instant monthStart,
      BigDecimal monthSpentUsd,
      List<SessionSpend> sessions,
      Instant asOf) {}

  /**
   * A session's cap (its own, or the user's default; null: none) and what it spent over its life.
   */
  public record SessionSpend(
      UUID sessionId, BigDecimal capUsd, boolean ownCap, BigDecimal spentUsd) {}

  private final BudgetRepository budgets;
  private final BillingAccountRepository accounts;
  private final LedgerService ledger;
  private final Plans plans;
  private final Outbox outbox;

  public BudgetService(
      BudgetRepository budgets,
      BillingAccountRepository accounts,
      LedgerService ledger,
      Plans plans,
      Outbox outbox) {
    this.budgets = budgets;
    this.accounts = accounts;
    this.ledger = ledger;
    this.plans = plans;
    this.outbox = outbox;
  }

  /** The user's caps and spend: this month's, and each capped or running session's. */
  @WithSession
  public Uni<Budget> budget(String userId) {
    Instant now = Instant.now();
    Instant monthStart = LedgerService.monthStart(now);
    return budgets
        .find(userId)
        .chain(
            caps ->
                budgets
                    .sessionCaps(userId)
                    .chain(
                        own ->
                            ledger
                                .sessionComputes(userId, now, now)
                                .map(
                                    live -> {
                                      Map<UUID, BigDecimal> listed = new LinkedHashMap<>(own);
                                      live.keySet().forEach(id -> listed.putIfAbsent(id, null));
                                      return listed;
                                    }))
                    .chain(
                        listed ->
                            Multi.createFrom()
                                .iterable(listed.entrySet())
                                .onItem()
                                .transformToUniAndConcatenate(
                                    e ->
                                        ledger
                                            .sessionSpendSince(e.getKey(), Instant.EPOCH, now)
                                            .map(
                                                spent ->
                                                    new SessionSpend(
                                                        e.getKey(),
                                                        e.getValue() != null
                                                            ? e.getValue()
                                                            : caps.map(Caps::sessionDefaultCapUsd)
                                                                .orElse(null),
                                                        e.getValue() != null,
                                                        spent)))
                                .collect()
                                .asList())
                    .chain(
                        sessions ->
                            ledger
                                .userSpendSince(userId, monthStart, now)
                                .map(
                                    month ->
                                        new Budget(
                                            caps.map(Caps::monthlyCapUsd).orElse(null),
                                            caps.map(Caps::sessionDefaultCapUsd).orElse(null),
                                            monthStart,
                                            month,
                                            sessions,
                                            now))));
  }

  /** Sets the user's monthly cap and default session cap (null: none) and publishes them. */
  @WithTransaction
  public Uni<Void> setCaps(String userId, BigDecimal monthly, BigDecimal sessionDefault) {
    return accounts
        .createIfAbsent(userId, plans.defaultPlan().name(), Instant.now())
        .chain(() -> accounts.lock(userId))
        .chain(() -> budgets.store(userId, monthly, sessionDefault, Instant.now()))
        .chain(() -> publish(userId))
        .invoke(() -> Log.infof("user %s set their budget", userId));
  }

  /**
   * Sets a session's own cap (null: back to the default) and publishes it; 404 unless the ledger
   * knows the session as the user's.
   */
  @WithTransaction
  public Uni<Void> setSessionCap(String userId, UUID sessionId, BigDecimal cap) {
    return budgets
        .ownsSession(userId, sessionId)
        .chain(
            owned -> {
              if (!owned) {
                return Uni.createFrom().failure(ProblemException.notFound("session"));
              }
              return accounts
                  .createIfAbsent(userId, plans.defaultPlan().name(), Instant.now())
                  .chain(() -> accounts.lock(userId))
                  .chain(() -> budgets.storeSession(userId, sessionId, cap, Instant.now()))
                  .chain(() -> publish(userId));
            });
  }

  /**
   * Publishes the user's budget if they ever set one (with their quota, as compute grows). Runs in
   * the caller's transaction, holding the account's lock.
   */
  public Uni<Void> publishIfSet(String userId) {
    return budgets
        .find(userId)
        .chain(
            caps ->
                caps.isPresent()
                    ? publish(userId)
                    : budgets
                        .sessionCaps(userId)
                        .chain(
                            own -> own.isEmpty() ? Uni.createFrom().voidItem() : publish(userId)));
  }

  /** The caps and the compute spend as of now, as billing.budget-changed (keyed by the user). */
  private Uni<Void> publish(String userId) {
    Instant now = Instant.now();
    Instant monthStart = LedgerService.monthStart(now);
    return budgets
        .find(userId)
        .chain(
            caps ->
                budgets
                    .sessionCaps(userId)
                    .chain(
                        own ->
                            ledger
                                .sessionComputes(userId, monthStart, now)
                                .chain(
                                    computes ->
                                        ledger
                                            .userComputeSince(userId, monthStart, now)
                                            .chain(
                                                month ->
                                                    outbox.emit(
                                                        event(
                                                            caps,
                                                            own,
                                                            computes,
                                                            monthStart,
                                                            month,
                                                            now),
                                                        userId,
                                                        userId)))))
        .replaceWithVoid();
  }

  private static BudgetChanged event(
      Optional<Caps> caps,
      Map<UUID, BigDecimal> own,
      Map<UUID, BigDecimal> computes,
      Instant monthStart,
      BigDecimal monthCompute,
      Instant now) {
    Map<UUID, BudgetChanged.SessionBudget> sessions = new LinkedHashMap<>();
    own.forEach(
        (id, cap) ->
            sessions.put(
                id,
                new BudgetChanged.SessionBudget(
                    id, cap, computes.getOrDefault(id, BigDecimal.ZERO))));
    computes.forEach(
        (id, compute) ->
            sessions.putIfAbsent(id, new BudgetChanged.SessionBudget(id, null, compute)));
    return new BudgetChanged(
        caps.map(Caps::monthlyCapUsd).orElse(null),
        caps.map(Caps::sessionDefaultCapUsd).orElse(null),
        monthStart,
        monthCompute,
        new ArrayList<>(sessions.values()),
        now);
  }
}
