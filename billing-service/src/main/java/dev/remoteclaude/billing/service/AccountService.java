package dev.remoteclaude.billing.service;

import dev.remoteclaude.billing.BillingAccount;
import dev.remoteclaude.billing.Plan;
import dev.remoteclaude.billing.PlanUsage;
import dev.remoteclaude.billing.config.BillingConfig;
import dev.remoteclaude.billing.repository.BillingAccountRepository;
import dev.remoteclaude.common.events.QuotaChanged;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.common.problem.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * Users' billing accounts: their plan, and their quota as session-service enforces it. Every change
 * of what a user may do (first seen, a plan change, session seconds used) is published as a {@code
 * billing.quota-changed} event through the outbox, keyed and subjected by the user id.
 */
@ApplicationScoped
public class AccountService {

  private final BillingAccountRepository accounts;
  private final LedgerService ledger;
  private final Plans plans;
  private final Outbox outbox;
  private final BillingConfig config;
  private final BudgetService budgets;

  public AccountService(
      BillingAccountRepository accounts,
      LedgerService ledger,
      Plans plans,
      Outbox outbox,
      BillingConfig config,
      BudgetService budgets) {
    this.budgets = budgets;
    this.accounts = accounts;
    this.ledger = ledger;
    this.plans = plans;
    this.outbox = outbox;
    this.config = config;
  }

  /**
   * Opens the user's account on the default plan if billing has not seen them; true if it did. Runs
   * in the caller's transaction.
   */
  public Uni<Boolean> seen(String userId) {
    return accounts.createIfAbsent(userId, plans.defaultPlan().name(), Instant.now());
  }

  /**
   * Publishes the user's quota: their plan's limits and the session seconds used this month, as of
   * now. Locks the account, so one user's publications are ordered by their {@code at}. Runs in the
   * caller's transaction; the account must exist.
   */
  public Uni<Void> publishQuota(String userId) {
    return accounts
        .lock(userId)
        .chain(
            account -> {
              Instant now = Instant.now();
              Plan plan = plans.of(account.plan);
              return ledger
                  .usedSessionSeconds(userId, LedgerService.monthStart(now), now)
                  .chain(
                      used ->
                          outbox.emit(
                              new QuotaChanged(
                                  plan.maxActiveSessions(),
                                  plan.sessionSecondsPerMonth(),
                                  used,
                                  now,
                                  account.paymentBlocked),
                              userId,
                              userId))
                  .invoke(() -> account.quotaPublishedAt = now)
                  // Their compute grew too: a budget's spend is republished with the quota.
                  .chain(() -> budgets.publishIfSet(userId))
                  .replaceWithVoid();
            });
  }

  /** Puts a user on a plan (an operator, later Stripe) and publishes their new quota. */
  @WithTransaction
  public Uni<PlanUsage> changePlan(String userId, String planName) {
    return Uni.createFrom()
        .item(
            () ->
                plans
                    .named(planName)
                    .orElseThrow(
                        () ->
                            ProblemException.badRequest(
                                "plan",
                                "unknown plan; one of " + String.join(", ", plans.names()))))
        .call(() -> seen(userId))
        .call(
            plan ->
                accounts
                    .lock(userId)
                    .invoke(
                        account -> {
                          account.plan = plan.name();
                          account.planChangedAt = Instant.now();
                        }))
        .call(() -> publishQuota(userId))
        .invoke(plan -> Log.infof("user %s is now on plan %s", userId, plan.name()))
        .chain(() -> usage(userId));
  }

  // --- Stripe ---------------------------------------------------------------------------------

  /** The user's account, opened on the default plan if billing has not seen them. */
  @WithTransaction
  public Uni<BillingAccount> open(String userId) {
    return seen(userId).chain(() -> accounts.findById(userId));
  }

  /**
   * Links the user's account to a Stripe customer unless it has one; the customer the account is
   * linked to now (the first one if two requests raced).
   */
  @WithTransaction
  public Uni<String> linkCustomer(String userId, String customerId) {
    return accounts
        .linkCustomer(userId, customerId)
        .chain(() -> accounts.lock(userId))
        .map(account -> account.stripeCustomerId);
  }

  /** The account of a Stripe customer, or null; locked. Runs in the caller's transaction. */
  public Uni<BillingAccount> byCustomer(String customerId) {
    return customerId == null ? Uni.createFrom().nullItem() : accounts.lockByCustomer(customerId);
  }

  /**
   * A completed checkout: links the user to their customer and subscription. Runs in the caller's
   * transaction; the account must exist.
   */
  public Uni<Void> subscribed(String userId, String customerId, String subscriptionId) {
    return accounts
        .lock(userId)
        .invoke(
            account -> {
              if (account.stripeCustomerId == null) {
                account.stripeCustomerId = customerId;
              }
              account.stripeSubscriptionId = subscriptionId;
            })
        .replaceWithVoid();
  }

  /** The subscription ended: the user is back on the default plan. In the caller's transaction. */
  public Uni<Void> unsubscribed(String userId) {
    return accounts
        .lock(userId)
        .invoke(account -> account.stripeSubscriptionId = null)
        .chain(() -> changePlan(userId, plans.defaultPlan().name()))
        .replaceWithVoid();
  }

  /**
   * A payment failed: the grace period starts unless one is running (or over). In the caller's
   * transaction.
   */
  public Uni<Void> paymentFailed(String userId, Instant now) {
    return accounts
        .lock(userId)
        .invoke(
            account -> {
              if (account.paymentDueBy == null) {
                account.paymentDueBy = now.plus(config.stripe().gracePeriod());
                Log.infof(
                    "a payment of user %s failed; sessions are refused after %s",
                    userId, account.paymentDueBy);
              }
            })
        .replaceWithVoid();
  }

  /**
   * A payment succeeded: any payment problem is over, and a user who was refused sessions is told
   * (their quota published) that they may start them again. In the caller's transaction.
   */
  public Uni<Void> paymentSucceeded(String userId) {
    return accounts
        .lock(userId)
        .chain(
            account -> {
              boolean wasBlocked = account.paymentBlocked;
              account.paymentDueBy = null;
              account.paymentBlocked = false;
              return wasBlocked ? publishQuota(userId) : Uni.createFrom().voidItem();
            });
  }

  /**
   * Refuses sessions to users whose grace period after a failed payment ran out: marks them and
   * publishes their quota (session-service answers 402 from it). At most {@code
   * billing.quota.batch-size} users per call; replicas skip each other's.
   */
  @WithTransaction
  public Uni<Integer> blockOverdue() {
    return accounts
        .claimPaymentOverdue(Instant.now(), config.quota().batchSize())
        .chain(
            due ->
                Multi.createFrom()
                    .iterable(due)
                    .onItem()
                    .transformToUniAndConcatenate(
                        userId ->
                            accounts
                                .lock(userId)
                                .invoke(
                                    account -> {
                                      account.paymentBlocked = true;
                                      Log.infof(
                                          "user %s: payment overdue, new sessions are refused",
                                          userId);
                                    })
                                .chain(() -> publishQuota(userId)))
                    .collect()
                    .last()
                    .replaceWith(due.size()));
  }

  /**
   * The user's plan and what they used of it this month (the default plan if billing has not seen
   * them).
   */
  @WithSession
  public Uni<PlanUsage> planUsage(String userId) {
    return usage(userId);
  }

  private Uni<PlanUsage> usage(String userId) {
    Instant now = Instant.now();
    Instant monthStart = LedgerService.monthStart(now);
    return accounts
        .findById(userId)
        .map(account -> account == null ? plans.defaultPlan() : plans.of(account.plan))
        .chain(
            plan ->
                ledger
                    .usedSessionSeconds(userId, monthStart, now)
                    .chain(
                        used ->
                            ledger
                                .userSpendSince(userId, monthStart, now)
                                .map(
                                    spend ->
                                        new PlanUsage(
                                            plan,
                                            monthStart,
                                            LedgerService.monthEnd(now),
                                            used,
                                            spend,
                                            now))));
  }

  /**
   * One round of the quota job: republishes, in one transaction, the quota of at most {@code
   * billing.quota.batch-size} users whose numbers are due (a running session and a publication
   * older than {@code billing.quota.publish-interval}, or a publication from an earlier month).
   * Replicas skip each other's users.
   */
  @WithTransaction
  public Uni<Integer> publishDue() {
    Instant now = Instant.now();
    return accounts
        .claimDue(
            LedgerService.monthStart(now),
            now.minus(config.quota().publishInterval()),
            config.quota().batchSize())
        .chain(
            due ->
                Multi.createFrom()
                    .iterable(due)
                    .onItem()
                    .transformToUniAndConcatenate(this::publishQuota)
                    .collect()
                    .last()
                    .replaceWith(due.size()));
  }
}
