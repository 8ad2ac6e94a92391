package dev.remoteclaude.billing.observability;

import static dev.remoteclaude.billing.BillingFixtures.change;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static dev.remoteclaude.billing.BillingFixtures.send;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.testing.Scrape;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BillingMetricsTest {

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Inject Pool pool;

  @Test
  void metricsAreOnTheManagementPortOnly() {
    given().when().get("/q/metrics").then().statusCode(404);
    assertThat(Scrape.of(metrics).names())
        .contains(
            "rc_billing_cost_per_session_dollars",
            "rc_billing_revenue_per_user_dollars",
            "rc_billing_sandbox_utilisation_ratio");
  }

  @Test
  void costPerSessionRevenueAndUtilisationFollowTheLedger() {
    String user = newUser();
    UUID session = UUID.randomUUID();
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(3));
    // an hour READY, an hour PAUSED (default provider's rates)
    send(change(session, user, "PROVISIONING", "READY", t0));
    send(change(session, user, "READY", "PAUSED", t0.plusSeconds(3600)));
    send(change(session, user, "PAUSED", "TERMINATED", t0.plusSeconds(7200)));

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Row ledger = ledger();
              assertThat(ledger.getLong("sessions")).isPositive();
              Scrape scrape = Scrape.of(metrics);
              assertThat(scrape.value("rc_billing_cost_per_session_dollars"))
                  .isPositive()
                  .isCloseTo(
                      ledger.getBigDecimal("amount").doubleValue() / ledger.getLong("sessions"),
                      within(1e-9));
              assertThat(scrape.value("rc_billing_revenue_per_user_dollars"))
                  .isCloseTo(
                      ledger.getBigDecimal("amount").doubleValue() / ledger.getLong("users"),
                      within(1e-9));
              assertThat(scrape.value("rc_billing_sandbox_utilisation_ratio"))
                  .isCloseTo(
                      (double) ledger.getLong("ready") / ledger.getLong("compute"), within(1e-9))
                  .isBetween(0.0, 1.0);
            });
  }

  /** The ledger's last day, as the metrics describe it. */
  private Row ledger() {
    return pool.query(
            "SELECT coalesce(sum(amount_usd), 0) AS amount, count(DISTINCT session_id) AS sessions,"
                + " count(DISTINCT user_id) AS users,"
                + " coalesce(sum(seconds) FILTER (WHERE kind = 'COMPUTE'), 0) AS compute,"
                + " coalesce(sum(seconds) FILTER (WHERE kind = 'COMPUTE' AND detail = 'READY'), 0)"
                + " AS ready"
                + " FROM usage_line WHERE period_start >= now() - interval '1 day'")
        .execute()
        .await()
        .indefinitely()
        .iterator()
        .next();
  }
}
