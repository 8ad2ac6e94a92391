package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code rclaude budget set|show} against billing-service's answers. */
@Timeout(30)
class BudgetCommandTest {

  private static final String JSON = "application/json";
  private static final String SESSION = "7d1c9a52-0000-4000-8000-000000000001";

  private static final String BUDGET =
      """
      {"monthlyCapUsd": 50, "sessionDefaultCapUsd": 5,
       "month": {"from": "2026-12-01T00:00:00Z", "spentUsd": 41.2, "percent": 82.4},
       "sessions": [{"sessionId": "7d1c9a52-0000-4000-8000-000000000001", "capUsd": 12.5,
                     "ownCap": true, "spentUsd": 12.5, "percent": 100.0}],
       "asOf": "2026-12-06T15:45:00Z"}
      """;

  private final FakePlatform platform = new FakePlatform();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void showListsTheCapsWithTheirSpendAndShare() {
    platform.answer("GET /api/v1/billing/budget", 200, JSON, BUDGET);
    CliRun show = CliRun.against(platform, dir);

    assertThat(show.run("budget", "show")).isZero();

    assertThat(show.out())
        .contains("$50")
        .contains("$41.20 spent (82.4 %) this month")
        .contains("Session default")
        .contains("$5")
        .contains("Session " + SESSION)
        .contains("(100 %), cap reached");
  }

  @Test
  void setKeepsTheCapNotGivenAndNoneRemovesOne() {
    platform.answer("GET /api/v1/billing/budget", 200, JSON, BUDGET);
    platform.answer("PUT /api/v1/billing/budget", 200, JSON, BUDGET);
    platform.answer("PUT /api/v1/billing/budget/sessions/" + SESSION, 200, JSON, BUDGET);
    CliRun set = CliRun.against(platform, dir);

    assertThat(set.run("budget", "set", "--monthly", "80")).isZero();
    JsonNode caps = platform.lastBody("PUT /api/v1/billing/budget");
    assertThat(caps.path("monthlyCapUsd").decimalValue()).isEqualByComparingTo("80");
    assertThat(caps.path("sessionDefaultCapUsd").decimalValue()).isEqualByComparingTo("5");

    assertThat(set.run("budget", "set", "--session", SESSION, "--cap", "none")).isZero();
    JsonNode session = platform.lastBody("PUT /api/v1/billing/budget/sessions/" + SESSION);
    // Absent or null: no cap of its own (the platform reads both as null).
    assertThat(session.isObject()).isTrue();
    assertThat(session.path("capUsd").isMissingNode() || session.path("capUsd").isNull()).isTrue();
  }

  @Test
  void aBadAmountOrACapWithoutASessionIsRefusedBeforeAnyRequest() {
    CliRun set = CliRun.against(platform, dir);
    assertThat(set.run("budget", "set", "--monthly", "-3")).isEqualTo(ExitCodes.USAGE);
    assertThat(set.err()).contains("--monthly takes an amount in USD above 0");
    assertThat(set.run("budget", "set", "--cap", "3")).isEqualTo(ExitCodes.USAGE);
    assertThat(set.run("budget", "set")).isEqualTo(ExitCodes.USAGE);
    assertThat(platform.requests()).isEmpty();
  }
}
