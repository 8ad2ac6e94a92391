package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code rclaude billing key set|show|rm}: the key from stdin, never from the command line. */
@Timeout(30)
class BillingKeyCommandTest {

  private static final String JSON = "application/json";
  private static final String PATH = "/api/v1/billing/anthropic-key";
  private static final String KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789Zq9w";

  private final FakePlatform platform = new FakePlatform();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    platform.close();
  }

  private CliRun cli() {
    return CliRun.against(platform, dir);
  }

  @Test
  void setReadsTheKeyFromStdinAndSaysOnlyItsLastFour() {
    platform.answer(
        "PUT " + PATH,
        200,
        JSON,
        "{\"set\": true, \"last4\": \"Zq9w\", \"setAt\": \"2026-12-06T15:45:00Z\"}");
    CliRun set = cli().stdin(KEY + "\n");

    assertThat(set.run("billing", "key", "set")).isZero();

    assertThat(platform.lastBody("PUT " + PATH).path("apiKey").asText()).isEqualTo(KEY);
    assertThat(set.out()).contains("ending Zq9w").doesNotContain(KEY);
    assertThat(set.err()).doesNotContain(KEY);
  }

  @Test
  void setWithoutAKeyOnStdinOrAKeyOnTheCommandLineIsAUsageError() {
    CliRun empty = cli().stdin("");
    assertThat(empty.run("billing", "key", "set")).isEqualTo(ExitCodes.USAGE);
    assertThat(empty.err()).contains("stdin");

    CliRun argv = cli().stdin("");
    assertThat(argv.run("billing", "key", "set", KEY)).isEqualTo(ExitCodes.USAGE);
    assertThat(platform.requests()).isEmpty();
  }

  @Test
  void showSaysWhetherAKeyIsSetAndRmRemovesIt() {
    platform.answer(
        "GET " + PATH,
        200,
        JSON,
        "{\"set\": true, \"last4\": \"Zq9w\", \"setAt\": \"2026-12-06T15:45:00Z\"}");
    CliRun show = cli();
    assertThat(show.run("billing", "key", "show")).isZero();
    assertThat(show.out()).contains("ending Zq9w").contains("2026-12-06T15:45:00Z");

    platform.answer("GET " + PATH, 200, JSON, "{\"set\": false, \"last4\": null, \"setAt\": null}");
    CliRun none = cli();
    assertThat(none.run("billing", "key", "show")).isZero();
    assertThat(none.out()).contains("No key of your own");

    platform.answer("DELETE " + PATH, 204, JSON, "");
    CliRun rm = cli();
    assertThat(rm.run("billing", "key", "rm")).isZero();
    assertThat(platform.requests()).contains("DELETE " + PATH);
    assertThat(rm.out()).contains("removed");
  }
}
