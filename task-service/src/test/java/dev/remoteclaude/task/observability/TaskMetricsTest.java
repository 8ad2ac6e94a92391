package dev.remoteclaude.task.observability;

import static dev.remoteclaude.task.TaskFixtures.awaitEmitted;
import static dev.remoteclaude.task.TaskFixtures.awaitState;
import static dev.remoteclaude.task.TaskFixtures.fromGateway;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Scrape;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TaskMetricsTest {

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  @Test
  void metricsAreOnTheManagementPortOnly() {
    given().when().get("/q/metrics").then().statusCode(404);
    assertThat(Scrape.of(metrics).names()).contains("rc_outbox_backlog");
  }

  @Test
  void aTaskRunIsTimedByItsOutcome() {
    Scrape before = Scrape.of(metrics);
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId;
    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      taskId = submit(user, session, "time me");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(taskId));
    }
    Instant started = Instant.now();
    fromGateway(session, user, new TaskStarted(UUID.fromString(taskId), started));
    awaitState(user, taskId, "RUNNING");
    fromGateway(
        session,
        user,
        new TaskCompleted(
            UUID.fromString(taskId), "Done.", Usage.none(), "claude-1", started.plusSeconds(42)));
    awaitState(user, taskId, "SUCCEEDED");

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Scrape scrape = Scrape.of(metrics);
              assertThat(scrape.value("rc_task_duration_seconds_count", "outcome", "SUCCEEDED"))
                  .isEqualTo(
                      before.valueOrZero("rc_task_duration_seconds_count", "outcome", "SUCCEEDED")
                          + 1);
              assertThat(scrape.value("rc_task_duration_seconds_sum", "outcome", "SUCCEEDED"))
                  .isGreaterThanOrEqualTo(
                      before.valueOrZero("rc_task_duration_seconds_sum", "outcome", "SUCCEEDED")
                          + 42);
            });
  }
}
