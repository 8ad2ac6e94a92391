package dev.remoteclaude.billing.stripe;

import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** Without Stripe keys (the local default) the Stripe endpoints answer 409 metering-only. */
@QuarkusTest
@TestProfile(MeteringOnlyTest.NoStripeKeys.class)
class MeteringOnlyTest {

  /** The test profile with its Stripe keys unset (an empty value unsets a property). */
  public static class NoStripeKeys implements QuarkusTestProfile {
    @Override
    public java.util.Map<String, String> getConfigOverrides() {
      return java.util.Map.of("billing.stripe.secret-key", "", "billing.stripe.webhook-secret", "");
    }
  }

  private static final String TYPE = "https://remote-claude.dev/problems/metering-only";

  @Test
  void theStripeEndpointsAnswer409AndThePlanStillWorks() {
    String user = newUser();
    as(user)
        .contentType("application/json")
        .body("{\"plan\": \"pro\"}")
        .post("/api/v1/billing/checkout")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo(TYPE));
    as(user).post("/api/v1/billing/portal").then().statusCode(409).body("type", equalTo(TYPE));
    as(user).get("/api/v1/billing/invoices").then().statusCode(409).body("type", equalTo(TYPE));
    io.restassured.RestAssured.given()
        .contentType("application/json")
        .header("Stripe-Signature", "t=1,v1=00")
        .body("{}")
        .post(StripeWebhookTest.WEBHOOK)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo(TYPE));
    as(user).get("/api/v1/billing/plan").then().statusCode(200).body("plan", equalTo("free"));
  }
}
