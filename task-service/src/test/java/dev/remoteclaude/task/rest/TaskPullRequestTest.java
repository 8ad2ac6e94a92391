package dev.remoteclaude.task.rest;

import static dev.remoteclaude.task.TaskFixtures.awaitEmitted;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.runToCompletion;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A task's {@code pullRequest} option: kept with the task, handed to the gateway. */
@QuarkusTest
class TaskPullRequestTest {

  @Test
  void thePullRequestOptionTravelsWithTheDispatchedTask() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String withPr =
          submit(
                  user,
                  session,
                  Map.of(
                      "prompt",
                      "Fix the flaky test",
                      "pullRequest",
                      Map.of("base", "release/1.2", "draft", true, "title", "Fix it", "body", "b")))
              .statusCode(202)
              .extract()
              .path("id");
      TaskDispatched dispatched =
          awaitEmitted(
              probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(withPr));
      assertThat(dispatched.pullRequest())
          .isEqualTo(new PullRequestOption("release/1.2", true, "Fix it", "b"));
      runToCompletion(session, user, withPr);

      String empty =
          submit(user, session, Map.of("prompt", "Tidy up", "pullRequest", Map.of()))
              .statusCode(202)
              .extract()
              .path("id");
      assertThat(
              awaitEmitted(
                      probe,
                      session,
                      TaskDispatched.class,
                      d -> d.taskId().toString().equals(empty))
                  .pullRequest())
          .isEqualTo(new PullRequestOption(null, null, null, null));
      runToCompletion(session, user, empty);

      String none =
          submit(user, session, Map.of("prompt", "Just look")).statusCode(202).extract().path("id");
      assertThat(
              awaitEmitted(
                      probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(none))
                  .pullRequest())
          .isNull();
    }
  }
}
