package dev.remoteclaude.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GitHttpServer;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * With private hosts not allowed (as in production), the gateway resolves the repository's host
 * itself right before cloning and refuses one that points inside, whatever the session service saw.
 */
@QuarkusTest
@TestProfile(PrivateHostCloneTest.PublicHostsOnly.class)
class PrivateHostCloneTest {

  public static class PublicHostsOnly implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("gateway.repository.allow-private-hosts", "false");
    }
  }

  @Test
  void aHostThatResolvesToLoopbackAtCloneTimeIsNotCloned() throws Exception {
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    Path root = Files.createTempDirectory("rc-git-server-");
    GitRepos.git(root, "clone", "--quiet", "--bare", GitRepos.withReadme("inside\n"), "in.git");
    UUID session = UUID.randomUUID();
    try (GitHttpServer git = GitHttpServer.start(root, token);
        KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      // A name, not an address: only a lookup shows where it points.
      String url = git.url("in.git").replace("127.0.0.1", "localhost");
      Sessions.send(
          session,
          "u1",
          Sessions.request(
              url, "main", List.of(), Map.of(), Sessions.sealGitToken(session, token)));
      SandboxFailed failed =
          Sessions.payload(Sessions.await(gateway, session, "sandbox.failed"), SandboxFailed.class);
      assertThat(failed.code()).isEqualTo(SandboxFailed.BAD_REPOSITORY_URL);
      assertThat(failed.reason())
          .isEqualTo(
              "the host localhost resolves to a private or local address; repositories are"
                  + " cloned only from public hosts");

      // A local file URL (allowed by the session service only where configured) still clones.
      UUID other = UUID.randomUUID();
      Sessions.send(
          other, "u1", Sessions.request(GitRepos.withReadme("x"), "main", List.of("true")));
      Sessions.await(gateway, other, "sandbox.provisioned");
    }
  }
}
