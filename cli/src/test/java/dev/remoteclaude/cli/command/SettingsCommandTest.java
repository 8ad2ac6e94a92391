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

/** {@code rclaude settings set|show} against session-service's answers. */
@Timeout(30)
class SettingsCommandTest {

  private static final String JSON = "application/json";

  private final FakePlatform platform = new FakePlatform();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void setSendsTheDefaultProviderAndNoneClearsIt() {
    platform.answer(
        "PUT /api/v1/settings",
        200,
        JSON,
        """
        {"defaultProvider": "auto", "effectiveDefaultProvider": "auto",
         "allowedProviders": ["auto", "local"], "updatedAt": "2026-12-06T23:50:00Z"}
        """);
    CliRun set = CliRun.against(platform, dir);

    assertThat(set.run("settings", "set", "default-provider", "auto")).isZero();
    assertThat(platform.lastBody("PUT /api/v1/settings").path("defaultProvider").asText())
        .isEqualTo("auto");
    assertThat(set.out()).contains("Default provider").contains("auto");

    assertThat(set.run("settings", "set", "default-provider", "none")).isZero();
    JsonNode cleared = platform.lastBody("PUT /api/v1/settings");
    // Absent or null: the platform reads both as "no default of my own".
    assertThat(cleared.isObject()).isTrue();
    assertThat(
            cleared.path("defaultProvider").isMissingNode()
                || cleared.path("defaultProvider").isNull())
        .isTrue();
  }

  @Test
  void showSaysWhenThePlatformsDefaultApplies() {
    platform.answer(
        "GET /api/v1/settings",
        200,
        JSON,
        """
        {"defaultProvider": null, "effectiveDefaultProvider": "local",
         "allowedProviders": ["e2b", "local"], "updatedAt": null}
        """);
    CliRun show = CliRun.against(platform, dir);

    assertThat(show.run("settings", "show")).isZero();
    assertThat(show.out()).contains("none (the platform's: local)").contains("e2b, local");
  }

  @Test
  void anUnknownSettingIsRefusedBeforeAnyRequest() {
    CliRun set = CliRun.against(platform, dir);
    assertThat(set.run("settings", "set", "colour", "blue")).isEqualTo(ExitCodes.USAGE);
    assertThat(set.err()).contains("unknown setting 'colour'");
    assertThat(platform.requests()).isEmpty();
  }
}
