package dev.remoteclaude.session;

import dev.remoteclaude.testing.EndpointFuzzer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the service's OpenAPI document, fuzzed (see {@link EndpointFuzzer}): random and
 * boundary input answers only problem+json 4xx, never a 5xx, and nothing without a token. Half the
 * requests name a real session of the caller's, so bodies reach the session's own rules.
 */
@QuarkusTest
class FuzzTest {

  @Test
  void everyEndpointAnswersBadInputWithAProblemAndNeverAServerError() {
    String user = SessionFixtures.newUser();
    String ready = SessionFixtures.readySession(user).toString();
    String provisioning = SessionFixtures.createSession(user).toString();
    EndpointFuzzer.forService()
        .asUser(user)
        .pathValue("id", ready)
        .pathValue("id", provisioning)
        .run();
  }
}
