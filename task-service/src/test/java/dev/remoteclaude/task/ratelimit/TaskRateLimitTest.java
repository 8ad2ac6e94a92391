package dev.remoteclaude.task.ratelimit;

import static dev.remoteclaude.task.TaskFixtures.history;
import static dev.remoteclaude.task.TaskFixtures.newSessionId;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Submitting tasks is rate limited per user. */
@QuarkusTest
@TestProfile(TaskRateLimitTest.SmallLimits.class)
class TaskRateLimitTest {

  public static class SmallLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "%test.rc.rate-limit.tasks.capacity", "2", "%test.rc.rate-limit.tasks.window", "1h");
    }
  }

  @Test
  void submittingOverTheLimitAnswers429WithRetryAfterAndRateLimitHeaders() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    submit(user, session, Map.of("prompt", "one"))
        .statusCode(202)
        .header("RateLimit-Policy", "\"tasks\";q=2;w=3600")
        .header("RateLimit", matchesPattern("\"tasks\";r=1;t=\\d+"));
    submit(user, session, Map.of("prompt", "two")).statusCode(202);

    submit(user, session, Map.of("prompt", "three"))
        .statusCode(429)
        .contentType("application/problem+json")
        .body("type", equalTo("https://remote-claude.dev/problems/rate-limited"))
        .body("limit", equalTo("tasks"))
        .header("Retry-After", matchesPattern("\\d+"))
        .header("RateLimit", matchesPattern("\"tasks\";r=0;t=\\d+"));
    // Reading is not limited; another user submits as before.
    history(user, session).statusCode(200).header("RateLimit", nullValue());
    String other = newUser();
    submit(other, sessionIn(other, "READY"), Map.of("prompt", "hello")).statusCode(202);
    submit(other, newSessionId(), Map.of("prompt", "hello")).statusCode(404);
  }
}
