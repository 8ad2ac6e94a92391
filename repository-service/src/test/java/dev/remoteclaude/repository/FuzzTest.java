package dev.remoteclaude.repository;

import dev.remoteclaude.testing.EndpointFuzzer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of the service's OpenAPI document, fuzzed (see {@link EndpointFuzzer}): random and
 * boundary input answers only problem+json 4xx, never a 5xx, and nothing without a token.
 */
@QuarkusTest
class FuzzTest {

  @Test
  void everyEndpointAnswersBadInputWithAProblemAndNeverAServerError() {
    EndpointFuzzer.forService()
        .authenticatedOtherwise(
            "POST /api/v1/webhooks/.*",
            "the forge signs it with the repository's webhook secret (X-Hub-Signature-256,"
                + " X-Gitea-Signature, X-Hub-Signature, X-Gitlab-Token)")
        .run();
  }
}
