package dev.remoteclaude.billing.service;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.checkout.Session;
import com.stripe.net.Webhook;
import dev.remoteclaude.billing.BillingAccount;
import dev.remoteclaude.billing.Invoice;
import dev.remoteclaude.billing.MeterEvent;
import dev.remoteclaude.billing.config.BillingConfig;
import dev.remoteclaude.billing.repository.StripeEventRepository;
import dev.remoteclaude.billing.repository.StripeMeterOutboxRepository;
import dev.remoteclaude.common.problem.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Paying through Stripe: a customer per user (created on their first checkout or portal visit),
 * Checkout for a plan's subscription, the Billing Portal, invoices, the webhook that turns Stripe's
 * events into plan changes and payment standing, and the relay that reports usage to a Billing
 * Meter. Without Stripe keys every entry point answers 409 (billing is metering-only).
 */
@ApplicationScoped
public class StripeService {

  /** Subscription statuses that no longer grant the plan. */
  private static final Set<String> ENDED = Set.of("canceled", "incomplete_expired", "unpaid");

  private final BillingConfig config;
  private final AccountService accounts;
  private final Plans plans;
  private final StripeGateway stripe;
  private final StripeEventRepository events;
  private final StripeMeterOutboxRepository meterOutbox;

  public StripeService(
      BillingConfig config,
      AccountService accounts,
      Plans plans,
      StripeGateway stripe,
      StripeEventRepository events,
      StripeMeterOutboxRepository meterOutbox) {
    this.config = config;
    this.accounts = accounts;
    this.plans = plans;
    this.stripe = stripe;
    this.events = events;
    this.meterOutbox = meterOutbox;
  }

  public boolean enabled() {
    return config.stripe().enabled();
  }

  // --- The user's requests ----------------------------------------------------------------------

  /** A Checkout page subscribing the user to {@code planName}; its URL. */
  public Uni<String> checkout(String userId, String planName, String successUrl, String cancelUrl) {
    requireEnabled();
    String priceId =
        plans
            .named(planName)
            .flatMap(plan -> Optional.ofNullable(config.plans().get(plan.name())))
            .flatMap(BillingConfig.Plan::stripePriceId)
            .orElseThrow(
                () ->
                    ProblemException.badRequest(
                        "plan", "not a plan that can be bought; one of " + purchasable()));
    String success = page("successUrl", successUrl, config.stripe().successUrl());
    String cancel = page("cancelUrl", cancelUrl, config.stripe().cancelUrl());
    return customer(userId)
        .chain(customer -> stripe.checkout(userId, customer, planName, priceId, success, cancel));
  }

  /** A Billing Portal page of the user's customer; its URL. */
  public Uni<String> portal(String userId) {
    requireEnabled();
    return customer(userId).chain(stripe::portal);
  }

  /** The user's invoices, newest first; none (and no call to Stripe) without a customer. */
  public Uni<Invoice.Page> invoices(String userId, int limit, String startingAfter) {
    requireEnabled();
    return accounts
        .open(userId)
        .chain(
            account ->
                account.stripeCustomerId == null
                    ? Uni.createFrom().item(new Invoice.Page(java.util.List.of(), false))
                    : stripe.invoices(account.stripeCustomerId, limit, startingAfter));
  }

  /**
   * The user's Stripe customer, created on first use. Stripe's idempotency key (per user) makes a
   * retried or concurrent creation return the same customer; the first link stored wins.
   */
  private Uni<String> customer(String userId) {
    return accounts
        .open(userId)
        .chain(
            account ->
                account.stripeCustomerId != null
                    ? Uni.createFrom().item(account.stripeCustomerId)
                    : stripe
                        .createCustomer(userId)
                        .chain(created -> accounts.linkCustomer(userId, created)));
  }

  private String purchasable() {
    return String.join(
        ", ",
        config.plans().entrySet().stream()
            .filter(e -> e.getValue().stripePriceId().isPresent())
            .map(Map.Entry::getKey)
            .sorted()
            .toList());
  }

  /**
   * A page Stripe sends the user back to: the request's (an absolute http(s) URL) or the default.
   */
  private static String page(String field, String requested, String fallback) {
    if (requested == null || requested.isBlank()) {
      return fallback;
    }
    try {
      URI uri = new URI(requested);
      if (uri.isAbsolute()
          && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return requested;
      }
    } catch (java.net.URISyntaxException e) {
      // answered below
    }
    throw ProblemException.badRequest(field, "must be an absolute http or https URL");
  }

  private void requireEnabled() {
    if (!enabled()) {
      throw new ProblemException(
          409,
          "metering-only",
          "Billing is metering-only",
          "this installation meters usage but takes no payments: Stripe is not configured",
          null);
    }
  }

  // --- The webhook ------------------------------------------------------------------------------

  /**
   * Verifies a webhook delivery's {@code Stripe-Signature} over the raw body (400 if it does not
   * match, is too old or the body is not an event) and handles the event once.
   */
  public Uni<Void> webhook(String payload, String signature) {
    requireEnabled();
    Event event;
    try {
      event =
          Webhook.constructEvent(
              payload, signature == null ? "" : signature, config.stripe().webhookSecret().get());
    } catch (SignatureVerificationException e) {
      throw ProblemException.badRequest(
          "Stripe-Signature", "the signature does not match the payload");
    } catch (RuntimeException e) {
      // Signed, but not JSON stripe-java can read (its parser's exceptions are unchecked).
      throw ProblemException.badRequest("body", "not a Stripe event");
    }
    if (event.getId() == null || event.getType() == null) {
      throw ProblemException.badRequest("body", "not a Stripe event");
    }
    return handle(event);
  }

  /** Handles an event in one transaction with its record: a redelivery changes nothing. */
  private Uni<Void> handle(Event event) {
    return Panache.withTransaction(() -> handleInTransaction(event));
  }

  private Uni<Void> handleInTransaction(Event event) {
    return events
        .record(event.getId(), event.getType(), Instant.now())
        .chain(
            first -> {
              if (!first) {
                Log.debugf("Stripe event %s was handled before", event.getId());
                return Uni.createFrom().voidItem();
              }
              return switch (event.getType()) {
                case "checkout.session.completed" ->
                    checkoutCompleted(object(event, Session.class));
                case "customer.subscription.updated", "customer.subscription.created" ->
                    subscriptionChanged(object(event, Subscription.class), false);
                case "customer.subscription.deleted" ->
                    subscriptionChanged(object(event, Subscription.class), true);
                case "invoice.paid" -> invoicePaid(object(event, com.stripe.model.Invoice.class));
                case "invoice.payment_failed" ->
                    paymentFailed(object(event, com.stripe.model.Invoice.class));
                default -> Uni.createFrom().voidItem();
              };
            });
  }

  private Uni<Void> checkoutCompleted(Session session) {
    String userId = session.getClientReferenceId();
    String plan = session.getMetadata() == null ? null : session.getMetadata().get("rc_plan");
    if (userId == null || plan == null || plans.named(plan).isEmpty()) {
      Log.warnf("checkout %s names no user or no known plan; ignored", session.getId());
      return Uni.createFrom().voidItem();
    }
    return accounts
        .seen(userId)
        .chain(() -> accounts.subscribed(userId, session.getCustomer(), session.getSubscription()))
        .chain(() -> accounts.changePlan(userId, plan))
        .replaceWithVoid();
  }

  private Uni<Void> subscriptionChanged(Subscription subscription, boolean deleted) {
    return accounts
        .byCustomer(subscription.getCustomer())
        .chain(
            account -> {
              if (account == null) {
                Log.warnf(
                    "subscription %s belongs to no known customer; ignored", subscription.getId());
                return Uni.createFrom().voidItem();
              }
              if (deleted || ENDED.contains(subscription.getStatus())) {
                // Only the user's current subscription ending takes their plan away.
                if (account.stripeSubscriptionId != null
                    && !account.stripeSubscriptionId.equals(subscription.getId())) {
                  return Uni.createFrom().voidItem();
                }
                return accounts.unsubscribed(account.userId);
              }
              return planOf(subscription)
                  .map(plan -> switchPlan(account, subscription.getId(), plan))
                  .orElseGet(
                      () -> {
                        Log.warnf(
                            "subscription %s has no price of a configured plan; ignored",
                            subscription.getId());
                        return Uni.createFrom().voidItem();
                      });
            });
  }

  private Uni<Void> switchPlan(BillingAccount account, String subscriptionId, String plan) {
    Uni<Void> linked =
        accounts.subscribed(account.userId, account.stripeCustomerId, subscriptionId);
    return plan.equals(account.plan)
        ? linked
        : linked.chain(() -> accounts.changePlan(account.userId, plan)).replaceWithVoid();
  }

  /** The configured plan whose Stripe price the subscription carries. */
  private Optional<String> planOf(Subscription subscription) {
    if (subscription.getItems() == null || subscription.getItems().getData() == null) {
      return Optional.empty();
    }
    return subscription.getItems().getData().stream()
        .map(SubscriptionItem::getPrice)
        .filter(Objects::nonNull)
        .map(com.stripe.model.Price::getId)
        .flatMap(
            price ->
                config.plans().entrySet().stream()
                    .filter(e -> e.getValue().stripePriceId().filter(price::equals).isPresent())
                    .map(Map.Entry::getKey))
        .findFirst();
  }

  private Uni<Void> invoicePaid(com.stripe.model.Invoice invoice) {
    return accounts
        .byCustomer(invoice.getCustomer())
        .chain(
            account ->
                account == null
                    ? Uni.createFrom().voidItem()
                    : accounts.paymentSucceeded(account.userId));
  }

  private Uni<Void> paymentFailed(com.stripe.model.Invoice invoice) {
    return accounts
        .byCustomer(invoice.getCustomer())
        .chain(
            account ->
                account == null
                    ? Uni.createFrom().voidItem()
                    : accounts.paymentFailed(account.userId, Instant.now()));
  }

  /** The event's object; events of another API version are read as far as the fields match. */
  private static <T extends StripeObject> T object(Event event, Class<T> type) {
    StripeObject object;
    try {
      object =
          event
              .getDataObjectDeserializer()
              .getObject()
              .orElse(event.getDataObjectDeserializer().deserializeUnsafe());
    } catch (EventDataObjectDeserializationException e) {
      throw ProblemException.badRequest("data.object", "not a " + event.getType() + " object");
    }
    if (!type.isInstance(object)) {
      throw ProblemException.badRequest("data.object", "not a " + event.getType() + " object");
    }
    return type.cast(object);
  }

  // --- Meter events and payment standing (the relay job)
  // ------------------------------------------

  /**
   * Sends due meter events, one at a time: each is marked sent once Stripe took it, or waits for a
   * backoff after a failure. A relay that dies mid-send leaves its rows to be sent again after the
   * lease; the identifier makes Stripe drop such a resend. The number sent.
   */
  public Uni<Integer> relayMeterEvents() {
    if (!enabled()) {
      return Uni.createFrom().item(0);
    }
    BillingConfig.Stripe stripeConfig = config.stripe();
    return claim()
        .chain(
            due ->
                Multi.createFrom()
                    .iterable(due)
                    .onItem()
                    .transformToUniAndConcatenate(this::send)
                    .collect()
                    .asList()
                    .map(sent -> (int) sent.stream().filter(Boolean::booleanValue).count()))
        .invoke(
            sent -> {
              if (sent > 0) {
                Log.debugf("sent %d meter events to %s", sent, stripeConfig.meterEventName());
              }
            });
  }

  private Uni<java.util.List<MeterEvent>> claim() {
    Instant now = Instant.now();
    BillingConfig.Stripe c = config.stripe();
    // A send takes seconds at most; the lease outlives stripe-java's own timeouts and retries.
    return Panache.withTransaction(
        () ->
            meterOutbox.claim(
                now, now.plus(Duration.ofMinutes(2)), c.relayMaxAttempts(), c.relayBatchSize()));
  }

  private Uni<Boolean> send(MeterEvent event) {
    return stripe
        .sendMeterEvent(event)
        .chain(() -> markSent(event))
        .replaceWith(true)
        .onFailure()
        .recoverWithUni(
            failure -> {
              Instant retryAt = Instant.now().plus(backoff(event.attempts()));
              Log.warnf(
                  "meter event %s not sent (attempt %d), retried after %s: %s",
                  event.identifier(), event.attempts(), retryAt, failure.getMessage());
              return markFailed(event, failure.getMessage(), retryAt).replaceWith(false);
            });
  }

  private Uni<Void> markSent(MeterEvent event) {
    return Panache.withTransaction(() -> meterOutbox.markSent(event.usageLineId(), Instant.now()));
  }

  private Uni<Void> markFailed(MeterEvent event, String error, Instant retryAt) {
    String message = error == null ? "unknown error" : error;
    String stored = message.substring(0, Math.min(message.length(), 500));
    return Panache.withTransaction(
        () -> meterOutbox.markFailed(event.usageLineId(), stored, retryAt));
  }

  /** The wait after the {@code attempts}-th failure: the backoff doubled per failure, capped. */
  Duration backoff(int attempts) {
    Duration base = config.stripe().relayBackoff();
    Duration max = config.stripe().relayBackoffMax();
    Duration wait = base.multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 20));
    return wait.compareTo(max) > 0 ? max : wait;
  }

  /** Refuses sessions to users whose grace period after a failed payment is over. */
  public Uni<Integer> blockOverdue() {
    return enabled() ? accounts.blockOverdue() : Uni.createFrom().item(0);
  }
}
