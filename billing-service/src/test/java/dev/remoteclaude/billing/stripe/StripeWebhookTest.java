package dev.remoteclaude.billing.stripe;

import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.billing.StripeStub;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.QuotaChanged;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stripe's webhook: signed deliveries change plans and payment standing, once per event. */
@QuarkusTest
class StripeWebhookTest {

  static final String WEBHOOK = "/api/v1/billing/stripe/webhook";
  private KafkaProbe billing;

  @BeforeEach
  void watch() {
    billing = KafkaProbe.watch(Topics.BILLING);
  }

  @AfterEach
  void close() {
    billing.close();
  }

  @Test
  void aCompletedCheckoutPutsTheUserOnThePlanAndPublishesTheirQuota() {
    String user = newUser();
    String customer = customerId();
    deliver(checkoutCompleted(user, customer, "sub_" + UUID.randomUUID(), "pro"))
        .then()
        .statusCode(204);

    assertThat(awaitQuota(user, q -> q.maxActiveSessions() == 10).sessionSecondsPerMonth())
        .isEqualTo(500 * 3600L);
    as(user).get("/api/v1/billing/plan").then().statusCode(200).body("plan", equalTo("pro"));
  }

  @Test
  void aSubscriptionChangeFollowsItsPriceAndADeletedOneFallsBackToTheDefaultPlan() {
    String user = newUser();
    String customer = customerId();
    String subscription = "sub_" + UUID.randomUUID();
    deliver(checkoutCompleted(user, customer, subscription, "pro")).then().statusCode(204);
    awaitQuota(user, q -> q.maxActiveSessions() == 10);

    deliver(
            StripeStub.event(
                "customer.subscription.updated",
                subscription(subscription, customer, "active", "price_team")))
        .then()
        .statusCode(204);
    awaitQuota(user, q -> q.maxActiveSessions() == 25);
    as(user).get("/api/v1/billing/plan").then().body("plan", equalTo("team"));

    deliver(
            StripeStub.event(
                "customer.subscription.deleted",
                subscription(subscription, customer, "canceled", "price_team")))
        .then()
        .statusCode(204);
    awaitQuota(user, q -> q.maxActiveSessions() == 3);
    as(user).get("/api/v1/billing/plan").then().body("plan", equalTo("free"));
  }

  @Test
  void aBadSignatureAnswers400AndChangesNothing() {
    String user = newUser();
    String payload = checkoutCompleted(user, customerId(), "sub_x", "team");

    given()
        .contentType("application/json")
        .header("Stripe-Signature", StripeStub.signature(payload, "whsec_someone_else"))
        .body(payload)
        .post(WEBHOOK)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", equalTo("Stripe-Signature: the signature does not match the payload"));
    given()
        .contentType("application/json")
        .body(payload)
        .post(WEBHOOK)
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    // Signed, then altered.
    String signature = StripeStub.signature(payload, StripeStub.WEBHOOK_SECRET);
    given()
        .contentType("application/json")
        .header("Stripe-Signature", signature)
        .body(payload.replace("\"team\"", "\"pro\""))
        .post(WEBHOOK)
        .then()
        .statusCode(400);

    as(user).get("/api/v1/billing/plan").then().statusCode(200).body("plan", equalTo("free"));
  }

  @Test
  void aRedeliveredEventChangesNothingTheSecondTime() {
    String user = newUser();
    String customer = customerId();
    String subscription = "sub_" + UUID.randomUUID();
    deliver(checkoutCompleted(user, customer, subscription, "pro")).then().statusCode(204);
    awaitQuota(user, q -> q.maxActiveSessions() == 10);
    String toTeam =
        StripeStub.event(
            "customer.subscription.updated",
            subscription(subscription, customer, "active", "price_team"));
    deliver(toTeam).then().statusCode(204);
    awaitQuota(user, q -> q.maxActiveSessions() == 25);

    // An operator moves the user back; Stripe then delivers the same event again.
    given()
        .auth()
        .oauth2(Tokens.operator("op"))
        .contentType("application/json")
        .body("{\"plan\": \"pro\"}")
        .put("/api/v1/billing/admin/users/" + user + "/plan")
        .then()
        .statusCode(200);
    deliver(toTeam).then().statusCode(204);

    as(user).get("/api/v1/billing/plan").then().body("plan", equalTo("pro"));
  }

  @Test
  void aFailedPaymentRefusesSessionsAfterTheGracePeriodUntilAnInvoiceIsPaid() {
    String user = newUser();
    String customer = customerId();
    deliver(checkoutCompleted(user, customer, "sub_" + UUID.randomUUID(), "pro"))
        .then()
        .statusCode(204);
    awaitQuota(user, q -> q.maxActiveSessions() == 10 && !q.paymentOverdue());

    Instant failedAt = Instant.now();
    deliver(StripeStub.event("invoice.payment_failed", invoice(customer))).then().statusCode(204);

    // Published once the grace period (3 s in tests) is over, not before.
    QuotaChanged overdue = awaitQuota(user, QuotaChanged::paymentOverdue);
    assertThat(overdue.at()).isAfterOrEqualTo(failedAt.plusSeconds(3));
    assertThat(overdue.maxActiveSessions()).isEqualTo(10);

    deliver(StripeStub.event("invoice.paid", invoice(customer))).then().statusCode(204);
    QuotaChanged paid = awaitQuota(user, q -> !q.paymentOverdue() && q.at().isAfter(overdue.at()));
    assertThat(paid.maxActiveSessions()).isEqualTo(10);
  }

  static Response deliver(String payload) {
    return given()
        .contentType("application/json")
        .header("Stripe-Signature", StripeStub.signature(payload, StripeStub.WEBHOOK_SECRET))
        .body(payload)
        .post(WEBHOOK);
  }

  static String customerId() {
    return "cus_" + UUID.randomUUID().toString().replace("-", "");
  }

  static String checkoutCompleted(String user, String customer, String subscription, String plan) {
    return StripeStub.event(
        "checkout.session.completed",
        "{\"id\": \"cs_test_"
            + UUID.randomUUID().toString().replace("-", "")
            + "\", \"object\": \"checkout.session\", \"mode\": \"subscription\", \"status\":"
            + " \"complete\", \"payment_status\": \"paid\", \"client_reference_id\": \""
            + user
            + "\", \"customer\": \""
            + customer
            + "\", \"subscription\": \""
            + subscription
            + "\", \"metadata\": {\"rc_user_id\": \""
            + user
            + "\", \"rc_plan\": \""
            + plan
            + "\"}}");
  }

  static String subscription(String id, String customer, String status, String price) {
    return "{\"id\": \""
        + id
        + "\", \"object\": \"subscription\", \"customer\": \""
        + customer
        + "\", \"status\": \""
        + status
        + "\", \"items\": {\"object\": \"list\", \"has_more\": false, \"data\": [{\"id\":"
        + " \"si_1\", \"object\": \"subscription_item\", \"quantity\": 1, \"price\": {\"id\": \""
        + price
        + "\", \"object\": \"price\", \"currency\": \"usd\", \"unit_amount\": 2000}}]}}";
  }

  static String invoice(String customer) {
    return "{\"id\": \"in_"
        + UUID.randomUUID().toString().replace("-", "")
        + "\", \"object\": \"invoice\", \"customer\": \""
        + customer
        + "\", \"status\": \"open\", \"amount_due\": 2000, \"amount_paid\": 0, \"currency\":"
        + " \"usd\"}";
  }

  private QuotaChanged awaitQuota(String user, Predicate<QuotaChanged> match) {
    ConsumerRecord<String, String> record =
        billing.awaitRecord(
            r -> {
              if (!user.equals(r.key())) {
                return false;
              }
              EventEnvelope envelope = EventCodec.read(r.value());
              return EventCodec.payload(envelope).orElse(null) instanceof QuotaChanged q
                  && match.test(q);
            });
    return (QuotaChanged) EventCodec.payload(EventCodec.read(record.value())).orElseThrow();
  }
}
