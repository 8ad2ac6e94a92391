package dev.remoteclaude.billing.messaging;

import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.change;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static dev.remoteclaude.billing.BillingFixtures.send;
import static dev.remoteclaude.billing.BillingFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventEnvelope;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A restart during metering changes no total: billing that crashed after its ledger write committed
 * but before the consumer's offset did is handed, once back, every event since the last committed
 * offset again (the same records, in their order). Charged once each, the totals stay as they were.
 */
@QuarkusTest
class MeteringReplayTest {

  @Test
  void aBatchReplayedFromAnEarlierOffsetAfterACrashChangesNoTotal() {
    String user = newUser();
    UUID session = UUID.randomUUID();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    // The batch a crash leaves uncommitted: answers of two tasks and an hour of compute.
    List<EventEnvelope> batch = new ArrayList<>();
    UUID task1 = UUID.randomUUID();
    UUID task2 = UUID.randomUUID();
    batch.add(tokens(session, user, task1, "claude-haiku-4-5", 0, 100_000, 0, 0, now)); // $0.50
    batch.add(tokens(session, user, task1, "claude-haiku-4-5", 0, 40_000, 0, 0, now)); // $0.20
    batch.add(change(session, user, "PROVISIONING", "READY", now.minusSeconds(7200)));
    batch.add(tokens(session, user, task2, "claude-haiku-4-5", 0, 20_000, 0, 0, now)); // $0.10
    batch.add(change(session, user, "READY", "TERMINATED", now.minusSeconds(3600))); // $0.10
    batch.forEach(e -> send(e));
    awaitTotals(user, "0.9", 160_000);

    // Back after the crash: the whole batch again, then one new answer.
    batch.forEach(e -> send(e));
    send(tokens(session, user, task2, "claude-haiku-4-5", 0, 2_000, 0, 0, now)); // $0.01
    awaitTotals(user, "0.91", 162_000);
    String byTask =
        as(user)
            .queryParam("groupBy", "task")
            .get("/api/v1/billing/usage")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    JsonPath json = JsonPath.from(byTask);
    assertThat(
            new BigDecimal(json.getString("groups.find { it.key == '" + task1 + "' }.amountUsd")))
        .as(byTask)
        .isEqualByComparingTo("0.7");
    assertThat(
            new BigDecimal(json.getString("groups.find { it.key == '" + task2 + "' }.amountUsd")))
        .as(byTask)
        .isEqualByComparingTo("0.11");
  }

  private static void awaitTotals(String user, String totalUsd, long outputTokens) {
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () -> {
              String usage =
                  as(user).get("/api/v1/billing/usage").then().statusCode(200).extract().asString();
              JsonPath json = JsonPath.from(usage);
              assertThat(json.getLong("modelTokens.'claude-haiku-4-5'.output"))
                  .as(usage)
                  .isEqualTo(outputTokens);
              assertThat(new BigDecimal(json.getString("totalUsd")))
                  .as(usage)
                  .isEqualByComparingTo(totalUsd);
            });
  }
}
