package dev.remoteclaude.billing.rest;

import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.change;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static dev.remoteclaude.billing.BillingFixtures.send;
import static dev.remoteclaude.billing.BillingFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.comparesEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The usage report and its CSV export: ranges, breakdowns, privacy and bad input. */
@QuarkusTest
class UsageResourceTest {

  private static final String PROBLEM = "application/problem+json";

  /** Two whole UTC days in the past: the day before yesterday and yesterday. */
  private static final LocalDate DAY1 = LocalDate.now(ZoneOffset.UTC).minusDays(2);

  private static final LocalDate DAY2 = DAY1.plusDays(1);
  private static final Instant DAY1_START = DAY1.atStartOfDay().toInstant(ZoneOffset.UTC);
  private static final String RANGE = "?from=" + DAY1 + "&to=" + DAY2;
  private static final String ODD_MODEL = "weird,\"model\"";

  @Test
  void breaksUsageDownByDaySessionTaskAndKindAndExportsItAsCsv() throws Exception {
    String user = newUser();
    UUID session = UUID.randomUUID();
    UUID task = UUID.randomUUID();
    // 2 h running across midnight: 1 h on each day at $0.10/h.
    send(change(session, user, "PROVISIONING", "READY", DAY1_START.plusSeconds(23 * 3600)));
    send(change(session, user, "READY", "TERMINATED", DAY1_START.plusSeconds(25 * 3600)));
    // Day 1 noon: 1M Haiku 4.5 output tokens ($5). Day 2 noon: 1M input of an odd name ($3).
    send(
        tokens(
            session,
            user,
            task,
            "claude-haiku-4-5",
            0,
            1_000_000,
            0,
            0,
            DAY1_START.plusSeconds(12 * 3600)));
    send(
        tokens(
            session, user, task, ODD_MODEL, 1_000_000, 0, 0, 0, DAY1_START.plusSeconds(36 * 3600)));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                as(user)
                    .get("/api/v1/billing/usage" + RANGE + "&groupBy=day")
                    .then()
                    .statusCode(200)
                    .body("totalUsd", comparesEqualTo(new BigDecimal("8.2")))
                    .body("groups.size()", equalTo(2))
                    .body("groups[0].key", equalTo(DAY1.toString()))
                    .body("groups[0].amountUsd", comparesEqualTo(new BigDecimal("5.1")))
                    .body("groups[0].seconds", equalTo(3600))
                    .body("groups[1].key", equalTo(DAY2.toString()))
                    .body("groups[1].amountUsd", comparesEqualTo(new BigDecimal("3.1"))));

    as(user)
        .get("/api/v1/billing/usage" + RANGE + "&groupBy=kind")
        .then()
        .body(
            "groups.find { it.key == 'COMPUTE' }.amountUsd", comparesEqualTo(new BigDecimal("0.2")))
        .body("groups.find { it.key == 'MODEL' }.amountUsd", comparesEqualTo(new BigDecimal("8")))
        .body("groups.find { it.key == 'MODEL' }.outputTokens", equalTo(1_000_000));
    as(user)
        .get("/api/v1/billing/usage" + RANGE + "&groupBy=task")
        .then()
        .body(
            "groups.find { it.key == '" + task + "' }.amountUsd",
            comparesEqualTo(new BigDecimal("8")))
        .body("groups.find { it.key == null }.seconds", equalTo(7200));
    // Only day 2.
    as(user)
        .get("/api/v1/billing/usage?from=" + DAY2 + "&to=" + DAY2)
        .then()
        .body("totalUsd", comparesEqualTo(new BigDecimal("3.1")));

    String csv =
        as(user)
            .get("/api/v1/billing/usage.csv" + RANGE)
            .then()
            .statusCode(200)
            .contentType(containsString("text/csv"))
            .header("Content-Disposition", containsString("attachment"))
            .extract()
            .asString();
    assertThat(csv).startsWith("day,sessionId,taskId,kind,detail,provider,periodStart,periodEnd,");
    List<Map<String, String>> rows = read(csv);
    assertThat(rows).hasSize(4);
    assertThat(rows)
        .anySatisfy(
            row -> {
              assertThat(row.get("detail")).isEqualTo(ODD_MODEL);
              assertThat(row.get("day")).isEqualTo(DAY2.toString());
              assertThat(row.get("taskId")).isEqualTo(task.toString());
              assertThat(row.get("inputTokens")).isEqualTo("1000000");
              assertThat(new BigDecimal(row.get("amountUsd"))).isEqualByComparingTo("3");
            })
        .anySatisfy(
            row -> {
              assertThat(row.get("kind")).isEqualTo("COMPUTE");
              assertThat(row.get("detail")).isEqualTo("READY");
              assertThat(row.get("day")).isEqualTo(DAY1.toString());
              assertThat(row.get("seconds")).isEqualTo("3600");
              assertThat(row.get("provider")).isEqualTo("default");
              assertThat(row.get("taskId")).isEmpty();
            });

    List<Map<String, String>> byDay =
        read(
            as(user)
                .get("/api/v1/billing/usage.csv" + RANGE + "&groupBy=day")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    assertThat(byDay)
        .extracting(
            row ->
                row.get("key")
                    + "="
                    + new BigDecimal(row.get("amountUsd")).stripTrailingZeros().toPlainString())
        .containsExactly(DAY1 + "=5.1", DAY2 + "=3.1");

    // Another user sees none of it.
    String stranger = newUser();
    as(stranger)
        .get("/api/v1/billing/usage" + RANGE + "&groupBy=session")
        .then()
        .statusCode(200)
        .body("totalUsd", comparesEqualTo(BigDecimal.ZERO))
        .body("groups.size()", equalTo(0))
        .body("modelTokens.size()", equalTo(0));
    assertThat(read(as(stranger).get("/api/v1/billing/usage.csv" + RANGE).asString())).isEmpty();
  }

  @Test
  void badQueryParametersAnswer400ProblemsNamingTheParameter() {
    String user = newUser();
    Map<String, String> bad =
        Map.of(
            "?from=yesterday", "from",
            "?to=2026-13-01", "to",
            "?from=2026-02-01&to=2026-01-01", "to",
            "?from=2024-01-01&to=2026-01-01", "to",
            "?groupBy=week", "groupBy");
    for (String path : List.of("/api/v1/billing/usage", "/api/v1/billing/usage.csv")) {
      bad.forEach(
          (query, field) ->
              as(user)
                  .get(path + query)
                  .then()
                  .statusCode(400)
                  .contentType(PROBLEM)
                  .body("errors[0].field", equalTo(field))
                  .body("detail", not(containsString("Exception")))
                  .body("detail", not(containsString("java."))));
    }
  }

  private static List<Map<String, String>> read(String csv) throws Exception {
    CsvMapper mapper = new CsvMapper();
    try (MappingIterator<Map<String, String>> it =
        mapper.readerFor(Map.class).with(CsvSchema.emptySchema().withHeader()).readValues(csv)) {
      return it.readAll();
    }
  }
}
