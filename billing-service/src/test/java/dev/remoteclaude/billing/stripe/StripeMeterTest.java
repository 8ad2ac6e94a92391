package dev.remoteclaude.billing.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static dev.remoteclaude.billing.BillingFixtures.send;
import static dev.remoteclaude.billing.BillingFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.remoteclaude.billing.StripeStub;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * Usage reaches Stripe as Billing Meter events: one per ledger line, resent only after a failure.
 */
@QuarkusTest
class StripeMeterTest {

  private final WireMock stripe = StripeStub.client();

  @Test
  void eachLedgerLineOfACustomerIsSentOnceWithAnIdentifierFromTheLine() {
    String user = newUser();
    String customer = subscribe(user);

    // A million Haiku 4.5 input tokens: $1, reported as 1,000,000 micro-dollars.
    send(
        tokens(
            UUID.randomUUID(),
            user,
            UUID.randomUUID(),
            "claude-haiku-4-5",
            1_000_000,
            0,
            0,
            0,
            now()));
    Map<String, String> first = awaitEvents(customer, 1).getFirst();
    assertThat(first)
        .containsEntry("event_name", "remote_claude_usage")
        .containsEntry("payload[stripe_customer_id]", customer)
        .containsEntry("payload[value]", "1000000");
    assertThat(first.get("identifier")).matches("rc-usage-line-\\d+");
    assertThat(first.get("timestamp")).isNotBlank();

    // The relay keeps running: the next line is sent, the first is not sent again.
    send(
        tokens(
            UUID.randomUUID(),
            user,
            UUID.randomUUID(),
            "claude-haiku-4-5",
            0,
            200_000,
            0,
            0,
            now()));
    List<Map<String, String>> both = awaitEvents(customer, 2);
    assertThat(both.get(1)).containsEntry("payload[value]", "1000000");
    assertThat(both.stream().map(e -> e.get("identifier")).distinct()).hasSize(2);
  }

  @Test
  void anEventStripeRefusedIsSentAgainWithTheSameIdentifier() {
    String user = newUser();
    String customer = subscribe(user);
    String scenario = "fails-once-" + customer;
    stripe.register(
        post(urlPathEqualTo("/v1/billing/meter_events"))
            .atPriority(1)
            .withRequestBody(containing(customer))
            .inScenario(scenario)
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("recovered")
            .willReturn(
                aResponse()
                    .withStatus(500)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"error\": {\"type\": \"api_error\", \"message\": \"An unknown error"
                            + " occurred\"}}")));

    send(
        tokens(
            UUID.randomUUID(),
            user,
            UUID.randomUUID(),
            "claude-haiku-4-5",
            2_000_000,
            0,
            0,
            0,
            now()));
    List<Map<String, String>> tries = awaitEvents(customer, 2);
    assertThat(tries.get(0).get("identifier")).isEqualTo(tries.get(1).get("identifier"));
    assertThat(tries.get(1)).containsEntry("payload[value]", "2000000");

    // Accepted the second time: a later line is sent, the first one not a third time.
    send(
        tokens(
            UUID.randomUUID(),
            user,
            UUID.randomUUID(),
            "claude-haiku-4-5",
            1_000_000,
            0,
            0,
            0,
            now()));
    List<Map<String, String>> all = awaitEvents(customer, 3);
    Map<String, Long> perIdentifier =
        all.stream()
            .collect(Collectors.groupingBy(e -> e.get("identifier"), Collectors.counting()));
    assertThat(perIdentifier.values()).containsExactlyInAnyOrder(2L, 1L);
  }

  /** Links the user to a fresh Stripe customer through a completed checkout. */
  private static String subscribe(String user) {
    String customer = StripeWebhookTest.customerId();
    StripeWebhookTest.deliver(
            StripeWebhookTest.checkoutCompleted(user, customer, "sub_" + UUID.randomUUID(), "pro"))
        .then()
        .statusCode(204);
    as(user).get("/api/v1/billing/plan").then().body("plan", Matchers.equalTo("pro"));
    return customer;
  }

  /** Waits for exactly {@code count} meter events of the customer (fails on more), in order. */
  private List<Map<String, String>> awaitEvents(String customer, int count) {
    Function<LoggedRequest, Map<String, String>> form =
        r ->
            java.util.Arrays.stream(r.getBodyAsString().split("&"))
                .map(p -> p.split("=", 2))
                .collect(
                    Collectors.toMap(
                        p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        p -> p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : ""));
    List<LoggedRequest> found =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    stripe.find(
                        postRequestedFor(urlPathEqualTo("/v1/billing/meter_events"))
                            .withRequestBody(containing(customer))),
                r -> r.size() >= count);
    assertThat(found).hasSize(count);
    return found.stream()
        .sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate))
        .map(form)
        .toList();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }
}
