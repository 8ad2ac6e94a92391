package dev.remoteclaude.common.ratelimit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Rate limits against the real PostgreSQL: the test configuration allows 3 task calls per hour and
 * 2 file calls per 2 s (see src/test/resources/application.properties).
 */
@QuarkusTest
class RateLimitTest {

  private static final String PROBLEM = "application/problem+json";

  private static String newUser() {
    return "rl-" + UUID.randomUUID();
  }

  private static Response task(String user) {
    return given().auth().oauth2(Tokens.forUser(user)).when().post("/api/v1/limited/tasks");
  }

  private static Response file(String user) {
    return given().auth().oauth2(Tokens.forUser(user)).when().get("/api/v1/limited/files");
  }

  @Test
  void callsWithinTheLimitCarryTheRateLimitHeaders() {
    String user = newUser();
    for (int remaining = 2; remaining >= 0; remaining--) {
      task(user)
          .then()
          .statusCode(200)
          .header("RateLimit-Policy", "\"tasks\";q=3;w=3600")
          .header("RateLimit", matchesPattern("\"tasks\";r=" + remaining + ";t=\\d+"));
    }
  }

  @Test
  void exceedingTheLimitAnswers429ProblemWithRetryAfter() {
    String user = newUser();
    for (int i = 0; i < 3; i++) {
      task(user).then().statusCode(200);
    }
    Response refused = task(user);
    refused
        .then()
        .statusCode(429)
        .contentType(PROBLEM)
        .header("RateLimit-Policy", "\"tasks\";q=3;w=3600")
        .header("RateLimit", matchesPattern("\"tasks\";r=0;t=\\d+"))
        .body("status", equalTo(429))
        .body("type", equalTo("https://remote-claude.dev/problems/rate-limited"))
        .body("limit", equalTo("tasks"))
        .body("quota", equalTo(3))
        .body("windowSeconds", equalTo(3600))
        .body("instance", equalTo("/api/v1/limited/tasks"))
        .body(not(containsString("Exception")))
        .body(not(containsString("bucket4j")));
    long retryAfter = Long.parseLong(refused.header("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 3600L);
    assertThat(refused.jsonPath().getLong("retryAfterSeconds")).isEqualTo(retryAfter);
    // Still refused: a refused call does not reset anything.
    task(user).then().statusCode(429);
  }

  @Test
  void anotherUserIsNotAffected() {
    String greedy = newUser();
    for (int i = 0; i < 3; i++) {
      task(greedy).then().statusCode(200);
    }
    task(greedy).then().statusCode(429);

    task(newUser()).then().statusCode(200).header("RateLimit", matchesPattern("\"tasks\";r=2;.*"));
  }

  @Test
  void anotherClassIsNotAffected() {
    String user = newUser();
    for (int i = 0; i < 3; i++) {
      task(user).then().statusCode(200);
    }
    task(user).then().statusCode(429);

    file(user).then().statusCode(200).header("RateLimit-Policy", "\"files\";q=2;w=2");
    given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .get("/api/v1/limited/free")
        .then()
        .statusCode(200)
        .header("RateLimit", (String) null);
  }

  @Test
  void theQuotaComesBackAfterTheWindow() {
    String user = newUser();
    file(user).then().statusCode(200);
    file(user).then().statusCode(200);
    file(user).then().statusCode(429);

    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> file(user).statusCode() == 200);
  }

  @Test
  void anonymousCallsGet401AndChargeNothing() {
    given().when().post("/api/v1/limited/tasks").then().statusCode(401).contentType(PROBLEM);
  }

  @Test
  void replicasShareTheBuckets() {
    // A second replica: its own limiter over its own JDBC connections to the same database.
    PGSimpleDataSource database = new PGSimpleDataSource();
    var config = ConfigProvider.getConfig();
    database.setURL(config.getValue("quarkus.datasource.jdbc.url", String.class));
    database.setUser(config.getValue("quarkus.datasource.username", String.class));
    database.setPassword(config.getValue("quarkus.datasource.password", String.class));
    TokenBuckets otherReplica = new TokenBuckets(database, "demo.rate_limit_bucket");
    Duration hour = Duration.ofHours(1);

    String user = newUser();
    task(user).then().statusCode(200);
    task(user).then().statusCode(200);
    RateDecision last = otherReplica.take(user, RateLimitClass.TASKS, 3, hour);
    assertThat(last.allowed()).isTrue();
    assertThat(last.remaining()).isZero();
    task(user).then().statusCode(429);

    String other = newUser();
    for (int i = 0; i < 3; i++) {
      assertThat(otherReplica.take(other, RateLimitClass.TASKS, 3, hour).allowed()).isTrue();
    }
    assertThat(otherReplica.take(other, RateLimitClass.TASKS, 3, hour).allowed()).isFalse();
    task(other).then().statusCode(429);
  }
}
