package dev.remoteclaude.gateway.bench;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The second session start of a repository whose setup runs {@code npm ci}, against the first
 * (docs/benchmarks.md, "Dependency cache"). Real npm against registry.npmjs.org, the local
 * provider; each round is a new owner, so its first session misses and its second hits. The table
 * goes to target/benchmarks/dependency-cache.md. Run with deploy/bench/dependency-cache.sh.
 */
@QuarkusTest
@TestProfile(DependencyCacheBenchmark.RealCaps.class)
@Tag("benchmark")
class DependencyCacheBenchmark {

  /** The production caps, not the tests' 256 KiB. */
  public static class RealCaps implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "gateway.cache.max-bytes-per-repository", "1G",
          "gateway.cache.chunk-bytes", "8M",
          "gateway.provisioning.setup-timeout", "10m");
    }
  }

  private static final int ROUNDS = 3;

  private static final String PACKAGE_JSON =
      """
      {
        "name": "cache-bench",
        "version": "1.0.0",
        "private": true,
        "dependencies": {
          "express": "4.21.2",
          "lodash": "4.17.21",
          "chalk": "4.1.2",
          "commander": "12.1.0",
          "yaml": "2.6.1"
        }
      }
      """;

  /** npm ci, its own duration (ms) written to the workspace. */
  private static final String SETUP =
      "s=$(date +%s%N); npm ci --no-audit --no-fund --loglevel=error"
          + " && echo $(( ($(date +%s%N) - s) / 1000000 )) > .npm-ci-ms";

  @Test
  void secondSessionStartWithNpmCi() throws Exception {
    String url = repository();
    List<long[]> rows = new ArrayList<>();
    List<String> notices = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      String owner = "bench-" + UUID.randomUUID();
      long[] first = start(owner, url, notices);
      long[] second = start(owner, url, notices);
      rows.add(new long[] {first[0], first[1], second[0], second[1]});
    }
    StringBuilder table = new StringBuilder();
    table.append(
        "| round | first: session start / npm ci (ms) | second: session start / npm ci (ms) |"
            + " start ratio second/first | npm ci ratio |\n|---|---|---|---|---|\n");
    for (int i = 0; i < rows.size(); i++) {
      long[] r = rows.get(i);
      table.append(
          String.format(
              Locale.ROOT,
              "| %d | %d / %d | %d / %d | %.2f | %.2f |%n",
              i + 1,
              r[0],
              r[1],
              r[2],
              r[3],
              (double) r[2] / r[0],
              (double) r[3] / r[1]));
    }
    table.append("\nNotices: ").append(String.join("; ", notices)).append('\n');
    Path out = Path.of("target/benchmarks/dependency-cache.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table.toString());
    System.out.println(table);
    // every second session started from the cache its first saved
    assertThat(notices.stream().filter(n -> n.startsWith("restored")).count()).isEqualTo(ROUNDS);
  }

  /** Provisions a session; returns {whole provisioning in ms, npm ci alone in ms}. */
  private static long[] start(String owner, String url, List<String> notices) {
    UUID id = UUID.randomUUID();
    long begin = System.nanoTime();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(id, owner, Sessions.request(url, "main", List.of(SETUP)));
      Sessions.await(gateway, id, "sandbox.provisioned");
    }
    long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
    String npm =
        given()
            .auth()
            .oauth2(Tokens.forUser(owner))
            .queryParam("path", ".npm-ci-ms")
            .get("/api/v1/sessions/{id}/files", id)
            .then()
            .statusCode(200)
            .extract()
            .asString()
            .strip();
    List<String> said =
        given()
            .auth()
            .oauth2(Tokens.forUser(owner))
            .get("/api/v1/sessions/{id}/events", id)
            .then()
            .statusCode(200)
            .extract()
            .path("events.findAll { it.type == 'session.notice' }.data.message");
    notices.addAll(said);
    return new long[] {total, Long.parseLong(npm)};
  }

  /** A repository with package.json and the package-lock.json npm resolves for it. */
  private static String repository() throws Exception {
    Path dir = Files.createTempDirectory("rc-cache-bench-");
    GitRepos.git(dir, "init", "--quiet", "--initial-branch=main");
    Files.writeString(dir.resolve("package.json"), PACKAGE_JSON);
    Process lock =
        new ProcessBuilder(
                "npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit")
            .directory(dir.toFile())
            // not inherited: surefire's fork talks to Maven over the JVM's standard streams
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(lock.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(lock.exitValue()).isZero();
    Files.writeString(dir.resolve(".gitignore"), "node_modules/\n");
    GitRepos.git(dir, "add", "-A");
    GitRepos.git(
        dir,
        "-c",
        "user.name=Bench",
        "-c",
        "user.email=bench@example.com",
        "commit",
        "--quiet",
        "-m",
        "npm project");
    return dir.toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
  }
}
