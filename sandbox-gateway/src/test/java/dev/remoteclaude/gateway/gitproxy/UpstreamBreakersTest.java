package dev.remoteclaude.gateway.gitproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.gateway.support.GitHttpServer;
import dev.remoteclaude.gateway.support.GitRepos;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

/**
 * The git proxy's circuit breakers are per upstream host: a forge that is down opens its own, and
 * fetches from (and pushes to) the others go on. A host's breaker is shared by all its tenants, so
 * only the host's failures count, never what one tenant's repository or credential causes.
 */
@QuarkusTest
@TestProfile(UpstreamBreakersTest.ShortTimeout.class)
class UpstreamBreakersTest {

  public static class ShortTimeout implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("gateway.git.upstream-timeout", "1s");
    }
  }

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

  @Test
  void oneTenantsStalledTransfersAndMissingRepositoryDoNotCloseTheHostToOthers() throws Exception {
    String credential = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    Path root = Files.createTempDirectory("rc-git-server-");
    GitRepos.git(root, "clone", "--quiet", "--bare", GitRepos.withReadme("big\n"), "big.git");
    GitRepos.git(root, "clone", "--quiet", "--bare", GitRepos.withReadme("small\n"), "small.git");
    try (GitHttpServer host = GitHttpServer.start(root, credential).stall("big.git");
        Repository mirror = mirror();
        Repository other = mirror()) {
      // The host answers, then goes silent on one tenant's huge repository past the timeout.
      for (int i = 0; i < Upstream.BREAKER_VOLUME + 1; i++) {
        assertThatThrownBy(
                () -> upstream.fetch(mirror, host.url("big.git"), Optional.of(credential)))
            .isInstanceOf(GitProxyException.Broken.class)
            .hasMessageContaining("answered but the transfer broke off or stalled");
      }
      // A repository that does not exist is the tenant's too.
      for (int i = 0; i < Upstream.BREAKER_VOLUME + 1; i++) {
        assertThatThrownBy(
                () -> upstream.fetch(mirror, host.url("gone.git"), Optional.of(credential)))
            .isInstanceOf(GitProxyException.Refused.class)
            .hasMessageContaining("no git repository was found");
      }

      // Another tenant of the same host still gets through.
      assertThat(
              upstream
                  .fetch(other, host.url("small.git"), Optional.of(credential))
                  .getAdvertisedRef("refs/heads/main"))
          .isNotNull();
    }
  }

  @Test
  void aHostThatNeverAnswersOpensItsBreaker() throws Exception {
    // Connections are taken (the listen backlog) but nothing is ever read or answered.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Repository mirror = mirror()) {
      String url = "http://127.0.0.1:" + silent.getLocalPort() + "/r.git";
      for (int i = 0; i < Upstream.BREAKER_VOLUME; i++) {
        assertThatThrownBy(() -> upstream.fetch(mirror, url, Optional.empty()))
            .isInstanceOf(GitProxyException.class)
            .isNotInstanceOf(GitProxyException.Broken.class)
            .hasMessageContaining("cannot be reached");
      }
      assertThatThrownBy(() -> upstream.fetch(mirror, url, Optional.empty()))
          .isInstanceOf(CircuitBreakerOpenException.class);
    }
  }

  @Test
  void aHostAnsweringWithServerErrorsOpensItsBreaker() throws Exception {
    Path root = Files.createTempDirectory("rc-git-server-");
    try (GitHttpServer host = GitHttpServer.start(root, "t").failWith(502);
        Repository mirror = mirror()) {
      String url = host.url("r.git");
      for (int i = 0; i < Upstream.BREAKER_VOLUME; i++) {
        assertThatThrownBy(() -> upstream.fetch(mirror, url, Optional.of("t")))
            .isInstanceOf(GitProxyException.class)
            .isNotInstanceOf(GitProxyException.Refused.class)
            .isNotInstanceOf(GitProxyException.Broken.class);
      }
      assertThatThrownBy(() -> upstream.fetch(mirror, url, Optional.of("t")))
          .isInstanceOf(CircuitBreakerOpenException.class);
    }
  }

  private static Repository mirror() throws Exception {
    Path dir = Files.createTempDirectory("rc-mirror-").resolve("m.git");
    Repository repository = FileRepositoryBuilder.create(dir.toFile());
    repository.create(true);
    return repository;
  }
}
