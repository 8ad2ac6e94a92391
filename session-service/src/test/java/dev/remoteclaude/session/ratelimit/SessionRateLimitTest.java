package dev.remoteclaude.session.ratelimit;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.body;
import static dev.remoteclaude.session.SessionFixtures.create;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Creating and resuming sessions is rate limited per user (below the active-sessions quota). */
@QuarkusTest
@TestProfile(SessionRateLimitTest.SmallLimits.class)
class SessionRateLimitTest {

  public static class SmallLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "%test.rc.rate-limit.sessions.capacity", "2",
          "%test.rc.rate-limit.sessions.window", "1h");
    }
  }

  @Test
  void creatingOrResumingOverTheLimitAnswers429WithRetryAfterAndRateLimitHeaders() {
    String user = newUser();
    create(user, body())
        .then()
        .statusCode(202)
        .header("RateLimit-Policy", "\"sessions\";q=2;w=3600")
        .header("RateLimit", matchesPattern("\"sessions\";r=1;t=\\d+"));
    create(user, body()).then().statusCode(202);

    // The third is within the active-sessions quota (3) but over the rate limit.
    create(user, body())
        .then()
        .statusCode(429)
        .contentType("application/problem+json")
        .body("type", equalTo("https://remote-claude.dev/problems/rate-limited"))
        .body("limit", equalTo("sessions"))
        .header("Retry-After", matchesPattern("\\d+"))
        .header("RateLimit", matchesPattern("\"sessions\";r=0;t=\\d+"));
    as(user)
        .post(SESSIONS + "/{id}/resume", UUID.randomUUID())
        .then()
        .statusCode(429)
        .body("limit", equalTo("sessions"));

    // Reading is not limited; another user creates as before.
    as(user).get(SESSIONS).then().statusCode(200).header("RateLimit", nullValue());
    create(newUser(), body()).then().statusCode(202);
  }
}
