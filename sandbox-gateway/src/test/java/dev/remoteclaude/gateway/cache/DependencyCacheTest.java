package dev.remoteclaude.gateway.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Dependency caches end to end with the local provider: a setup command that fills the npm cache
 * directory it is pointed at (as {@code npm ci} would, without a registry), then sessions that find
 * it restored, or not.
 */
@QuarkusTest
class DependencyCacheTest {

  /**
   * Records what the cache held when setup began ({@code seen.txt} in the workspace: the first
   * session's label, or "miss"), then fills the cache on a miss with the label and ~100 KiB of
   * incompressible data.
   */
  private static String setup(String label) {
    return "if [ -f \"$npm_config_cache/marker\" ]; then cp \"$npm_config_cache/marker\" seen.txt;"
        + " else echo miss > seen.txt;"
        + " mkdir -p \"$npm_config_cache\" && echo "
        + label
        + " > \"$npm_config_cache/marker\""
        + " && head -c 100000 /dev/urandom > \"$npm_config_cache/blob\"; fi";
  }

  @Test
  void aSecondSessionOfTheRepositoryFindsTheCacheTheFirstSavedAndDoesNotSaveItAgain()
      throws Exception {
    Repo repo = Repo.withLockfile("{\"lockfileVersion\": 3, \"v\": 1}");
    String owner = "u-" + UUID.randomUUID();

    Session first = Session.start(owner, repo, setup("first"));
    assertThat(first.seen()).isEqualTo("miss");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(first.notices()).contains("saved dependency cache (0.1 MB)"));

    Session second = Session.start(owner, repo, setup("second"));
    assertThat(second.seen()).isEqualTo("first");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(second.notices()).contains("restored dependency cache (0.1 MB)"));
    assertThat(second.notices()).noneMatch(n -> n.startsWith("saved"));
    // The cache is outside the checkout: git sees only what the setup command wrote there.
    assertThat(second.run("git", "status", "--porcelain")).isEqualTo("?? seen.txt\n");
  }

  @Test
  void aChangedLockfileIsAnotherKey() throws Exception {
    Repo repo = Repo.withLockfile("{\"lockfileVersion\": 3, \"v\": 1}");
    String owner = "u-" + UUID.randomUUID();
    assertThat(Session.start(owner, repo, setup("v1")).seen()).isEqualTo("miss");

    repo.commitLockfile("{\"lockfileVersion\": 3, \"v\": 2}");
    assertThat(Session.start(owner, repo, setup("v2")).seen()).isEqualTo("miss");
    assertThat(Session.start(owner, repo, setup("again")).seen()).isEqualTo("v2");
  }

  @Test
  void anotherOwnerNeverReceivesTheCacheOfTheSameRepositoryAndLockfile() throws Exception {
    Repo repo = Repo.withLockfile("{\"lockfileVersion\": 3, \"v\": 1}");
    String victim = "u-" + UUID.randomUUID();
    String attacker = "u-" + UUID.randomUUID();
    // The attacker's setup fills the cache first (it could plant anything there)...
    assertThat(Session.start(attacker, repo, setup("poisoned")).seen()).isEqualTo("miss");
    // ...the other tenant's session of the same repository and lockfile does not get it.
    assertThat(Session.start(victim, repo, setup("clean")).seen()).isEqualTo("miss");
    assertThat(Session.start(victim, repo, setup("later")).seen()).isEqualTo("clean");
  }

  @Test
  void theLeastRecentlyUsedArchiveOfARepositoryIsEvictedAtItsCap() throws Exception {
    // 256 KiB per repository in the tests: two ~100 KiB archives fit, a third does not.
    Repo repo = Repo.withLockfile("{\"v\": \"a\"}");
    String owner = "u-" + UUID.randomUUID();
    assertThat(Session.start(owner, repo, setup("a")).seen()).isEqualTo("miss");
    repo.commitLockfile("{\"v\": \"b\"}");
    assertThat(Session.start(owner, repo, setup("b")).seen()).isEqualTo("miss");
    // a is used again, so b is now the least recently used
    repo.commitLockfile("{\"v\": \"a\"}");
    assertThat(Session.start(owner, repo, setup("a-again")).seen()).isEqualTo("a");
    repo.commitLockfile("{\"v\": \"c\"}");
    assertThat(Session.start(owner, repo, setup("c")).seen()).isEqualTo("miss");

    repo.commitLockfile("{\"v\": \"a\"}");
    assertThat(Session.start(owner, repo, setup("a-3")).seen()).isEqualTo("a");
    repo.commitLockfile("{\"v\": \"b\"}");
    assertThat(Session.start(owner, repo, setup("b-evicted")).seen()).isEqualTo("miss");
  }

  @Test
  void aRepositoryWithoutLockfilesGetsNoCache() throws Exception {
    String url = GitRepos.withReadme("# no lockfile\n");
    String owner = "u-" + UUID.randomUUID();
    String setup = "printf '%s' \"${npm_config_cache:-unset}\" > seen.txt";
    Session session = Session.start(owner, new Repo(null, url), setup);
    assertThat(session.seen()).isEqualTo("unset");
    assertThat(session.notices()).isEmpty();
  }

  /** A repository on disk whose package-lock.json can change between sessions. */
  private record Repo(Path dir, String url) {
    static Repo withLockfile(String lockfile) throws IOException {
      Path dir = Files.createTempDirectory("rc-cache-repo-");
      GitRepos.git(dir, "init", "--quiet", "--initial-branch=main");
      Repo repo = new Repo(dir, dir.toUri().toString().replaceFirst("^file:/(?!/)", "file:///"));
      Files.writeString(dir.resolve("package.json"), "{\"name\": \"demo\"}\n");
      repo.commitLockfile(lockfile);
      return repo;
    }

    void commitLockfile(String content) throws IOException {
      Files.writeString(dir.resolve("package-lock.json"), content + "\n");
      GitRepos.git(dir, "add", "-A");
      GitRepos.git(
          dir,
          "-c",
          "user.name=Test",
          "-c",
          "user.email=test@example.com",
          "commit",
          "--quiet",
          "--allow-empty",
          "-m",
          "lockfile");
    }
  }

  /** A provisioned session of an owner. */
  private record Session(UUID id, String owner) {
    static Session start(String owner, Repo repo, String setup) {
      UUID id = UUID.randomUUID();
      try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
        Sessions.send(id, owner, Sessions.request(repo.url(), "main", List.of(setup)));
        Sessions.await(gateway, id, "sandbox.provisioned");
      }
      return new Session(id, owner);
    }

    String seen() {
      return given()
          .auth()
          .oauth2(Tokens.forUser(owner))
          .queryParam("path", "seen.txt")
          .get("/api/v1/sessions/{id}/files", id)
          .then()
          .statusCode(200)
          .extract()
          .asString()
          .strip();
    }

    List<String> notices() {
      return given()
          .auth()
          .oauth2(Tokens.forUser(owner))
          .get("/api/v1/sessions/{id}/events", id)
          .then()
          .statusCode(200)
          .extract()
          .path(
              "events.findAll { it.type == 'session.notice' && it.data.kind.startsWith('DEPENDENCY_CACHE') }.data.message");
    }

    String run(String... argv) {
      return given()
          .auth()
          .oauth2(Tokens.forUser(owner))
          .contentType("application/json")
          .body(java.util.Map.of("argv", List.of(argv)))
          .post("/api/v1/sessions/{id}/commands", id)
          .then()
          .statusCode(200)
          .extract()
          .path("stdout");
    }
  }
}
