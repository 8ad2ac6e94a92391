package dev.remoteclaude.session.rest;

import static dev.remoteclaude.session.SessionFixtures.body;
import static dev.remoteclaude.session.SessionFixtures.create;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The working branches' prefix is the shared {@code rc.git.branch-prefix}, the one the gateway's
 * git proxy reads: a session may not be created on another's working branch under it.
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

  @Test
  void theSharedPrefixDecidesWhichBranchesAreSomeoneElsesWorkingBranch() {
    UUID first = createSession(newUser());
    String working = "agent/" + first.toString().substring(0, 8);
    create(newUser(), body("branch", working))
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("branch"));

    // Under another prefix, the same characters are any branch's.
    createSession(newUser(), "branch", "claude/" + first.toString().substring(0, 8));
  }
}
