package dev.remoteclaude.billing.service;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.billing.MeterEventCreateParams;
import com.stripe.param.billingportal.SessionCreateParams;
import dev.remoteclaude.billing.Invoice;
import dev.remoteclaude.billing.MeterEvent;
import dev.remoteclaude.billing.config.BillingConfig;
import dev.remoteclaude.common.problem.ProblemException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Stripe's API through stripe-java, for the rest of billing: each call runs on a worker thread (the
 * client blocks) and answers on the caller's Vert.x context, so a transaction can follow it. Only
 * usable with Stripe configured ({@link BillingConfig.Stripe#enabled()}).
 */
@ApplicationScoped
public class StripeGateway {

  private final Vertx vertx;
  private final BillingConfig.Stripe config;
  private final StripeClient client;

  public StripeGateway(Vertx vertx, BillingConfig config) {
    this.vertx = vertx;
    this.config = config.stripe();
    this.client =
        this.config.enabled()
            ? StripeClient.builder()
                .setApiKey(this.config.secretKey().orElseThrow())
                .setApiBase(this.config.apiBase())
                .build()
            : null;
  }

  /**
   * Creates the user's customer. The idempotency key is the user's, so a retry (or a second request
   * racing this one) gets the same customer back from Stripe instead of a second one.
   */
  public Uni<String> createCustomer(String userId) {
    return call(
        "create a customer",
        () -> {
          Customer customer =
              client
                  .v1()
                  .customers()
                  .create(
                      CustomerCreateParams.builder()
                          .setDescription("Remote Claude user " + userId)
                          .putMetadata("rc_user_id", userId)
                          .build(),
                      RequestOptions.builder().setIdempotencyKey("rc-customer-" + userId).build());
          return customer.getId();
        });
  }

  /** A Checkout Session subscribing the customer to the plan's price; its URL. */
  public Uni<String> checkout(
      String userId,
      String customerId,
      String plan,
      String priceId,
      String successUrl,
      String cancelUrl) {
    return call(
        "start a checkout",
        () -> {
          com.stripe.param.checkout.SessionCreateParams.Builder params =
              com.stripe.param.checkout.SessionCreateParams.builder()
                  .setMode(com.stripe.param.checkout.SessionCreateParams.Mode.SUBSCRIPTION)
                  .setCustomer(customerId)
                  .setClientReferenceId(userId)
                  .setSuccessUrl(successUrl)
                  .setCancelUrl(cancelUrl)
                  .putMetadata("rc_user_id", userId)
                  .putMetadata("rc_plan", plan)
                  .setSubscriptionData(
                      com.stripe.param.checkout.SessionCreateParams.SubscriptionData.builder()
                          .putMetadata("rc_user_id", userId)
                          .putMetadata("rc_plan", plan)
                          .build())
                  .addLineItem(
                      com.stripe.param.checkout.SessionCreateParams.LineItem.builder()
                          .setPrice(priceId)
                          .setQuantity(1L)
                          .build());
          config
              .usagePriceId()
              .ifPresent(
                  usage ->
                      params.addLineItem(
                          com.stripe.param.checkout.SessionCreateParams.LineItem.builder()
                              .setPrice(usage)
                              .build()));
          return client.v1().checkout().sessions().create(params.build()).getUrl();
        });
  }

  /** A Billing Portal session of the customer; its URL. */
  public Uni<String> portal(String customerId) {
    return call(
        "open the billing portal",
        () ->
            client
                .v1()
                .billingPortal()
                .sessions()
                .create(
                    SessionCreateParams.builder()
                        .setCustomer(customerId)
                        .setReturnUrl(config.portalReturnUrl())
                        .build())
                .getUrl());
  }

  /** The customer's invoices, newest first, after {@code startingAfter} (an invoice id) if set. */
  public Uni<Invoice.Page> invoices(String customerId, int limit, String startingAfter) {
    return call(
        "list invoices",
        () -> {
          InvoiceListParams.Builder params =
              InvoiceListParams.builder().setCustomer(customerId).setLimit((long) limit);
          if (startingAfter != null) {
            params.setStartingAfter(startingAfter);
          }
          com.stripe.model.StripeCollection<com.stripe.model.Invoice> page =
              client.v1().invoices().list(params.build());
          List<Invoice> items =
              page.getData().stream()
                  .map(
                      i ->
                          new Invoice(
                              i.getId(),
                              i.getNumber(),
                              i.getStatus(),
                              zeroIfNull(i.getAmountDue()),
                              zeroIfNull(i.getAmountPaid()),
                              i.getCurrency(),
                              instant(i.getPeriodStart()),
                              instant(i.getPeriodEnd()),
                              i.getHostedInvoiceUrl(),
                              instant(i.getCreated())))
                  .toList();
          return new Invoice.Page(items, Boolean.TRUE.equals(page.getHasMore()));
        });
  }

  /**
   * Sends one meter event (v1 billing/meter_events). Its identifier makes Stripe drop a resend of
   * an event it already has. Fails with the Stripe exception (the relay retries).
   */
  public Uni<Void> sendMeterEvent(MeterEvent event) {
    return vertx
        .executeBlocking(
            () ->
                client
                    .v1()
                    .billing()
                    .meterEvents()
                    .create(
                        MeterEventCreateParams.builder()
                            .setEventName(config.meterEventName())
                            .setIdentifier(event.identifier())
                            .setTimestamp(event.occurredAt().getEpochSecond())
                            .putPayload("stripe_customer_id", event.customerId())
                            .putPayload("value", Long.toString(event.value()))
                            .build()),
            false)
        .replaceWithVoid();
  }

  /** A Stripe call for a user's request: a Stripe failure is a 503 that names no internals. */
  private <T> Uni<T> call(String what, Callable<T> work) {
    return vertx
        .executeBlocking(work, false)
        .onFailure(StripeException.class)
        .transform(
            failure -> {
              Log.warnf("Stripe: could not %s: %s", what, failure.getMessage());
              return ProblemException.unavailable(
                  "the payment provider could not " + what + " just now; try again later");
            });
  }

  private static long zeroIfNull(Long value) {
    return value == null ? 0 : value;
  }

  private static Instant instant(Long epochSeconds) {
    return epochSeconds == null ? null : Instant.ofEpochSecond(epochSeconds);
  }
}
