package dev.remoteclaude.billing.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.remoteclaude.billing.StripeStub;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** Checkout, the Billing Portal and invoices, against a stub of Stripe's API. */
@QuarkusTest
class StripeCheckoutTest {

  private final WireMock stripe = StripeStub.client();

  @Test
  void checkoutCreatesTheCustomerOnceAndAsksForThePlansPriceForTheUser() {
    String user = newUser();
    String customer = "cus_" + UUID.randomUUID().toString().replace("-", "");
    stubCustomer(user, customer);
    String session = "cs_test_" + UUID.randomUUID().toString().replace("-", "");
    stripe.register(
        post(urlPathEqualTo("/v1/checkout/sessions"))
            .withRequestBody(containing("client_reference_id=" + user))
            .willReturn(
                json(
                    "{\"id\": \""
                        + session
                        + "\", \"object\": \"checkout.session\", \"mode\": \"subscription\","
                        + " \"url\": \"https://checkout.stripe.com/c/pay/"
                        + session
                        + "\"}")));

    for (int i = 0; i < 2; i++) {
      as(user)
          .contentType("application/json")
          .body("{\"plan\": \"pro\", \"successUrl\": \"https://app.example.com/paid\"}")
          .post("/api/v1/billing/checkout")
          .then()
          .statusCode(200)
          .body("url", Matchers.equalTo("https://checkout.stripe.com/c/pay/" + session));
    }

    // One customer, created with the user's idempotency key; the second checkout reuses it.
    List<LoggedRequest> customers =
        stripe.find(
            postRequestedFor(urlPathEqualTo("/v1/customers"))
                .withHeader("Idempotency-Key", equalTo("rc-customer-" + user)));
    assertThat(customers).hasSize(1);
    assertThat(form(customers.getFirst())).contains("metadata[rc_user_id]=" + user);

    List<LoggedRequest> checkouts =
        stripe.find(
            postRequestedFor(urlPathEqualTo("/v1/checkout/sessions"))
                .withRequestBody(containing("client_reference_id=" + user)));
    assertThat(checkouts).hasSize(2);
    assertThat(form(checkouts.getFirst()))
        .contains("mode=subscription")
        .contains("customer=" + customer)
        .contains("line_items[0][price]=price_pro")
        .contains("line_items[0][quantity]=1")
        .contains("success_url=https://app.example.com/paid")
        .contains("cancel_url=http://localhost:8080/billing/cancel")
        .contains("metadata[rc_plan]=pro");
  }

  @Test
  void aPlanWithoutAStripePriceOrABadReturnUrlIsABadRequest() {
    String user = newUser();
    as(user)
        .contentType("application/json")
        .body("{\"plan\": \"free\"}")
        .post("/api/v1/billing/checkout")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].field", Matchers.equalTo("plan"));
    as(user)
        .contentType("application/json")
        .body("{\"plan\": \"pro\", \"successUrl\": \"javascript:alert(1)\"}")
        .post("/api/v1/billing/checkout")
        .then()
        .statusCode(400)
        .body("errors[0].field", Matchers.equalTo("successUrl"));
    assertThat(
            stripe.find(
                postRequestedFor(urlPathEqualTo("/v1/customers"))
                    .withHeader("Idempotency-Key", equalTo("rc-customer-" + user))))
        .isEmpty();
  }

  @Test
  void thePortalAndTheInvoicesAreTheCallersCustomers() {
    String user = newUser();
    String customer = "cus_" + UUID.randomUUID().toString().replace("-", "");
    // Without a customer there are no invoices, and Stripe is not asked.
    as(user)
        .get("/api/v1/billing/invoices")
        .then()
        .statusCode(200)
        .body("items", Matchers.empty())
        .body("hasMore", Matchers.is(false));

    stubCustomer(user, customer);
    stripe.register(
        post(urlPathEqualTo("/v1/billing_portal/sessions"))
            .withRequestBody(containing("customer=" + customer))
            .willReturn(
                json(
                    "{\"id\": \"bps_1\", \"object\": \"billing_portal.session\", \"customer\": \""
                        + customer
                        + "\", \"url\": \"https://billing.stripe.com/p/session/"
                        + customer
                        + "\"}")));
    as(user)
        .post("/api/v1/billing/portal")
        .then()
        .statusCode(200)
        .body("url", Matchers.equalTo("https://billing.stripe.com/p/session/" + customer));

    stripe.register(
        get(urlPathEqualTo("/v1/invoices"))
            .withQueryParam("customer", equalTo(customer))
            .willReturn(
                json(
                    "{\"object\": \"list\", \"url\": \"/v1/invoices\", \"has_more\": true,"
                        + " \"data\": [{\"id\": \"in_2\", \"object\": \"invoice\", \"customer\": \""
                        + customer
                        + "\", \"number\": \"RC-0002\", \"status\": \"paid\", \"amount_due\":"
                        + " 2000, \"amount_paid\": 2000, \"currency\": \"usd\", \"period_start\":"
                        + " 1764547200, \"period_end\": 1767225600, \"created\": 1767225600,"
                        + " \"hosted_invoice_url\": \"https://invoice.stripe.com/i/in_2\"}]}")));
    as(user)
        .get("/api/v1/billing/invoices?limit=1")
        .then()
        .statusCode(200)
        .body("items[0].id", Matchers.equalTo("in_2"))
        .body("items[0].number", Matchers.equalTo("RC-0002"))
        .body("items[0].status", Matchers.equalTo("paid"))
        .body("items[0].amountDue", Matchers.equalTo(2000))
        .body("items[0].currency", Matchers.equalTo("usd"))
        .body("items[0].hostedInvoiceUrl", Matchers.equalTo("https://invoice.stripe.com/i/in_2"))
        .body("items[0].periodStart", Matchers.equalTo("2025-12-01T00:00:00Z"))
        .body("hasMore", Matchers.is(true))
        .body("nextStartingAfter", Matchers.equalTo("in_2"));
    as(user).get("/api/v1/billing/invoices?limit=0").then().statusCode(400);
  }

  @Test
  void theEndpointsNeedAToken() {
    io.restassured.RestAssured.given()
        .contentType("application/json")
        .body("{\"plan\": \"pro\"}")
        .post("/api/v1/billing/checkout")
        .then()
        .statusCode(401);
    io.restassured.RestAssured.given().get("/api/v1/billing/invoices").then().statusCode(401);
  }

  private void stubCustomer(String user, String customer) {
    stripe.register(
        post(urlPathEqualTo("/v1/customers"))
            .withHeader("Idempotency-Key", equalTo("rc-customer-" + user))
            .willReturn(
                json(
                    "{\"id\": \""
                        + customer
                        + "\", \"object\": \"customer\", \"livemode\": false, \"metadata\":"
                        + " {\"rc_user_id\": \""
                        + user
                        + "\"}}")));
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(
      String body) {
    return aResponse().withHeader("Content-Type", "application/json").withBody(body);
  }

  private static String form(LoggedRequest request) {
    return URLDecoder.decode(request.getBodyAsString(), StandardCharsets.UTF_8);
  }
}
