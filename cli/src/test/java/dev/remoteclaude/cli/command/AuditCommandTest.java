package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code rclaude audit}: against session-service's answers (docs/api.md, "Your audit trail"). */
@Timeout(30)
class AuditCommandTest {

  private static final String JSON = "application/json";

  private static final String PAGE =
      """
      {"items": [
        {"id": "5c0b6d0e-8f57-4e4a-9d0b-6b1f1c2d3e4f", "at": "2026-12-06T20:41:07Z",
         "action": "POST /api/v1/sessions/{id}/pause", "target": {"id": "3f2a"},
         "status": 404, "outcome": "refused", "service": "session-service",
         "clientAddress": "203.0.113.7", "userAgent": "rclaude/1.0"},
        {"id": "6d1c7e1f-9068-4f5b-8e1c-7c2a2d3e4f50", "at": "2026-12-06T20:40:00Z",
         "action": "POST /api/v1/sessions", "target": {"created": "3f2a"},
         "status": 202, "outcome": "succeeded", "service": "session-service",
         "clientAddress": null, "userAgent": null}],
       "page": 0, "size": 2, "total": 3}
      """;

  private final FakePlatform platform = new FakePlatform();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void theTrailIsATableNewestFirstWithTheWayToTheNextPage() {
    platform.answer("GET /api/v1/audit", 200, JSON, PAGE);
    CliRun audit = CliRun.against(platform, dir).env("TZ", "UTC");

    assertThat(audit.run("audit", "--size", "2")).isZero();

    List<String> lines = audit.out().lines().toList();
    assertThat(lines.get(0).split("\\s{2,}"))
        .containsExactly("TIME", "ACTION", "TARGET", "OUTCOME", "SERVICE", "FROM");
    assertThat(lines.get(1))
        .contains("POST /api/v1/sessions/{id}/pause")
        .contains("id=3f2a")
        .contains("refused (404)")
        .contains("203.0.113.7");
    assertThat(lines.get(2)).contains("created=3f2a").contains("succeeded (202)").endsWith("-");
    assertThat(lines.get(3)).contains("3 in all").contains("rclaude audit --page 2");
  }

  @Test
  void filtersBecomeTheQueryAndJsonIsThePlatformsDocument() {
    platform.answer("GET /api/v1/audit", 200, JSON, PAGE);
    CliRun audit = CliRun.against(platform, dir);

    assertThat(
            audit.run(
                "audit",
                "--outcome",
                "refused",
                "--from",
                "2026-12-01",
                "--action",
                "git push",
                "--target",
                "3f2a",
                "-o",
                "json"))
        .isZero();

    assertThat(platform.requests())
        .containsExactly(
            "GET /api/v1/audit?page=0&from=2026-12-01&action=git+push&outcome=refused&target=3f2a");
    assertThat(Json.parseOrNull(audit.out())).isEqualTo(Json.parseOrNull(PAGE));
  }

  @Test
  void anUnknownOutcomeIsAUsageError() {
    CliRun audit = CliRun.against(platform, dir);
    assertThat(audit.run("audit", "--outcome", "maybe")).isEqualTo(ExitCodes.USAGE);
    assertThat(audit.err()).contains("--outcome");
    assertThat(platform.requests()).isEmpty();
  }
}
