package dev.remoteclaude.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.remoteclaude.testing.EndpointFuzzer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the service's OpenAPI document, fuzzed (see {@link EndpointFuzzer}): random and
 * boundary input answers only problem+json 4xx, never a 5xx, and nothing without a token.
 *
 * <p>Stripe (the module's stub) answers as it does when it is up: creating a customer and a portal
 * session succeed. A Stripe outage is answered 503 by design; that path has its own tests.
 */
@QuarkusTest
class FuzzTest {

  @Test
  void everyEndpointAnswersBadInputWithAProblemAndNeverAServerError() {
    WireMock stripe = StripeStub.client();
    StubMapping customers =
        stripe.register(
            post(urlPathEqualTo("/v1/customers"))
                .atPriority(50)
                .willReturn(
                    json("{\"id\": \"cus_fuzz\", \"object\": \"customer\", \"livemode\": false}")));
    StubMapping portal =
        stripe.register(
            post(urlPathEqualTo("/v1/billing_portal/sessions"))
                .atPriority(50)
                .willReturn(
                    json(
                        "{\"id\": \"bps_fuzz\", \"object\": \"billing_portal.session\","
                            + " \"customer\": \"cus_fuzz\","
                            + " \"url\": \"https://billing.stripe.com/p/session/fuzz\"}")));
    try {
      EndpointFuzzer.forService()
          .authenticatedOtherwise(
              "POST /api/v1/billing/stripe/webhook", "Stripe signs it (Stripe-Signature)")
          .run();
    } finally {
      stripe.removeStubMapping(customers);
      stripe.removeStubMapping(portal);
    }
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(
      String body) {
    return aResponse().withHeader("Content-Type", "application/json").withBody(body);
  }
}
