package dev.remoteclaude.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.stripe.Stripe;
import com.stripe.net.Webhook;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A stub of Stripe's API (WireMock) for every @QuarkusTest of this module: billing's stripe-java
 * client talks to it ({@code billing.stripe.api-base}). Tests program and inspect it through {@link
 * #client()} and sign webhook deliveries as Stripe does with {@link #signature}.
 */
@QuarkusTestResource(StripeStub.class)
public class StripeStub implements QuarkusTestResourceLifecycleManager {

  /** The webhook signing secret of the test profile. */
  public static final String WEBHOOK_SECRET = "whsec_test_stub";

  private WireMockServer server;

  @Override
  public Map<String, String> start() {
    server = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    server.start();
    // Meter events Stripe accepts, unless a test answers otherwise for its customer.
    server.stubFor(
        post(urlPathEqualTo("/v1/billing/meter_events"))
            .atPriority(10)
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"object\": \"billing.meter_event\", \"event_name\":"
                            + " \"remote_claude_usage\", \"identifier\": \"x\", \"livemode\":"
                            + " false, \"payload\": {}, \"created\": 1, \"timestamp\": 1}")));
    return Map.of("billing.stripe.api-base", server.baseUrl());
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop();
    }
  }

  /** A client of the stub the application talks to. */
  public static WireMock client() {
    String base = ConfigProvider.getConfig().getValue("billing.stripe.api-base", String.class);
    java.net.URI uri = java.net.URI.create(base);
    return new WireMock(uri.getHost(), uri.getPort());
  }

  /** {@code Stripe-Signature} of {@code payload} signed now, as Stripe signs deliveries. */
  public static String signature(String payload, String secret) {
    long t = Instant.now().getEpochSecond();
    try {
      return "t=" + t + ",v1=" + Webhook.Util.computeHmacSha256(secret, t + "." + payload);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A Stripe event of {@code type} around {@code object} (JSON), with a fresh id. */
  public static String event(String type, String object) {
    return event("evt_" + UUID.randomUUID().toString().replace("-", ""), type, object);
  }

  public static String event(String id, String type, String object) {
    return "{\"id\": \""
        + id
        + "\", \"object\": \"event\", \"api_version\": \""
        + Stripe.API_VERSION
        + "\", \"created\": "
        + Instant.now().getEpochSecond()
        + ", \"livemode\": false, \"pending_webhooks\": 1, \"type\": \""
        + type
        + "\", \"data\": {\"object\": "
        + object
        + "}}";
  }
}
