package dev.remoteclaude.task;

import dev.remoteclaude.testing.EndpointFuzzer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the service's OpenAPI document, fuzzed (see {@link EndpointFuzzer}): random and
 * boundary input answers only problem+json 4xx, never a 5xx, and nothing without a token. Half the
 * requests name a real session and task of the caller's, so bodies reach the queue's rules.
 */
@QuarkusTest
class FuzzTest {

  @Test
  void everyEndpointAnswersBadInputWithAProblemAndNeverAServerError() {
    String user = TaskFixtures.newUser();
    String session = TaskFixtures.sessionIn(user, "READY");
    String task = TaskFixtures.submit(user, session, "fuzz");
    EndpointFuzzer.forService()
        .asUser(user)
        .pathValue("sessionId", session)
        .pathValue("taskId", task)
        .run();
  }
}
