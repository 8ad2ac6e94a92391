package dev.remoteclaude.gateway.gitproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A session's working branch is under the shared {@code rc.git.branch-prefix}, the one the session
 * service checks new sessions' branches against.
 */
@QuarkusTest
@TestProfile(BranchPrefixTest.AgentPrefix.class)
class BranchPrefixTest {

  public static class AgentPrefix implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("rc.git.branch-prefix", "agent/");
    }
  }

  @Inject GitAccess git;

  @Test
  void theWorkingBranchIsUnderTheSharedPrefix() {
    UUID session = UUID.fromString("0badcafe-0000-4000-8000-000000000001");
    assertThat(git.workingBranch(session)).isEqualTo("agent/0badcafe");
  }
}
