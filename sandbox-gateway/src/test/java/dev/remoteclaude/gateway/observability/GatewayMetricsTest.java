package dev.remoteclaude.gateway.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Scrape;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GatewayMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(120);

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Test
  void metricsAreOnTheManagementPortOnly() {
    given().when().get("/q/metrics").then().statusCode(404);
    assertThat(Scrape.of(metrics).names())
        .contains("rc_stream_subscribers", "rc_outbox_backlog", "rc_outbox_dead_letters");
  }

  @Test
  void aProvisioningIsTimedByProviderAndOutcomeAndContinuesTheTraceOfTheRequest() {
    Scrape before = Scrape.of(metrics);
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    String traceId = HexFormat.of().formatHex(randomBytes(16));
    String traceparent = "00-" + traceId + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-01";
    EventEnvelope request =
        EventCodec.envelope(
                Sessions.request(GitRepos.withReadme("# traced\n"), "main", List.of()),
                "session-service",
                session.toString(),
                user)
            .withTraceparent(traceparent);

    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      KafkaProbe.send(Topics.SESSIONS, session.toString(), EventCodec.write(request));
      EventEnvelope provisioned = Sessions.await(gateway, session, "sandbox.provisioned");
      // session.requested -> the gateway's provisioning -> sandbox.provisioned: one trace
      assertThat(provisioned.traceparent()).startsWith("00-" + traceId + "-");
    }

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        Scrape.of(metrics)
                            .value(
                                "rc_sandbox_provisioning_seconds_count",
                                "provider",
                                "local",
                                "outcome",
                                "ready"))
                    .isEqualTo(
                        before.valueOrZero(
                                "rc_sandbox_provisioning_seconds_count",
                                "provider",
                                "local",
                                "outcome",
                                "ready")
                            + 1));
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
