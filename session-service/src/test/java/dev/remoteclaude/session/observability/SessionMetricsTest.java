package dev.remoteclaude.session.observability;

import static dev.remoteclaude.session.SessionFixtures.count;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.readySession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.testing.Scrape;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SessionMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Test
  void metricsAreOnTheManagementPortOnly() {
    given().when().get("/q/metrics").then().statusCode(404);
    assertThat(Scrape.of(metrics).names())
        .contains("rc_sessions", "rc_active_users", "rc_outbox_backlog");
  }

  @Test
  void sessionsByStateFollowTheDatabaseAndAStartIsTimed() {
    Scrape before = Scrape.of(metrics);
    String user = newUser();
    readySession(user);
    createSession(user);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Scrape scrape = Scrape.of(metrics);
              assertThat(scrape.value("rc_sessions", "state", "READY"))
                  .isEqualTo(count("SELECT count(*) FROM session WHERE state = 'READY'"));
              assertThat(scrape.value("rc_sessions", "state", "PROVISIONING"))
                  .isEqualTo(count("SELECT count(*) FROM session WHERE state = 'PROVISIONING'"));
              assertThat(scrape.value("rc_active_users")).isGreaterThanOrEqualTo(1);
              assertThat(scrape.value("rc_session_start_seconds_count", "provider", "local"))
                  .isEqualTo(
                      before.valueOrZero("rc_session_start_seconds_count", "provider", "local")
                          + 1);
            });
  }

  @Test
  void anEmittedEventCarriesTheTraceOfTheRequest() {
    UUID id = createSession(newUser());
    assertThat(emitted(id))
        .isNotEmpty()
        .extracting(EventEnvelope::traceparent)
        .allMatch(t -> t != null && t.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"))
        // one request, one trace
        .extracting(t -> t.substring(3, 35))
        .containsOnly(emitted(id).get(0).traceparent().substring(3, 35));
  }
}
