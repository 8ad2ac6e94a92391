package dev.remoteclaude.gateway.gitproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.gateway.support.GitHttpServer;
import dev.remoteclaude.gateway.support.GitRepos;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

/**
 * The git proxy's circuit breakers are per upstream host: a forge that is down opens its own, and
 * fetches from (and pushes to) the others go on.
 */
@QuarkusTest
class UpstreamBreakersTest {

  @Inject Upstream upstream;

  @Test
  void anUpstreamThatIsDownOpensItsOwnBreakerWhileAnotherUpstreamStillWorks() throws Exception {
    String credential = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    Path root = Files.createTempDirectory("rc-git-server-");
    GitRepos.git(root, "clone", "--quiet", "--bare", GitRepos.withReadme("b\n"), "b.git");
    String downUrl;
    try (GitHttpServer gone = GitHttpServer.start(root, credential)) {
      downUrl = gone.url("b.git");
    }
    try (GitHttpServer up = GitHttpServer.start(root, credential);
        Repository mirror = mirror()) {
      // Upstream A refuses connections: each failure is told as it is, until its breaker opens.
      for (int i = 0; i < Upstream.BREAKER_VOLUME; i++) {
        assertThatThrownBy(() -> upstream.fetch(mirror, downUrl, Optional.of(credential)))
            .isInstanceOf(GitProxyException.class)
            .hasMessageContaining("cannot be reached");
      }
      assertThatThrownBy(() -> upstream.fetch(mirror, downUrl, Optional.of(credential)))
          .isInstanceOf(CircuitBreakerOpenException.class);

      // Upstream B works meanwhile.
      assertThat(
              upstream
                  .fetch(mirror, up.url("b.git"), Optional.of(credential))
                  .getAdvertisedRef("refs/heads/main"))
          .isNotNull();
      assertThat(mirror.exactRef("refs/heads/main")).isNotNull();

      // A refused credential is the user's to fix: it never opens B's breaker.
      for (int i = 0; i < Upstream.BREAKER_VOLUME + 2; i++) {
        assertThatThrownBy(() -> upstream.fetch(mirror, up.url("b.git"), Optional.of("wrong")))
            .isInstanceOf(GitProxyException.Refused.class)
            .hasMessageContaining("credential was refused");
      }
      assertThat(upstream.fetch(mirror, up.url("b.git"), Optional.of(credential))).isNotNull();
    }
  }

  private static Repository mirror() throws Exception {
    Path dir = Files.createTempDirectory("rc-mirror-").resolve("m.git");
    Repository repository = FileRepositoryBuilder.create(dir.toFile());
    repository.create(true);
    return repository;
  }
}
