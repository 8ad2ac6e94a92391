package dev.remoteclaude.task.messaging;

import static dev.remoteclaude.task.TaskFixtures.PATIENCE;
import static dev.remoteclaude.task.TaskFixtures.awaitEmitted;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.runToCompletion;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static dev.remoteclaude.task.TaskFixtures.task;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.PullRequestFailed;
import dev.remoteclaude.common.events.PullRequestOpened;
import dev.remoteclaude.common.events.PullRequestUpdated;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The pull request a task asked for shows on the task: its link, number and state from
 * repository-service's {@code pr.opened} and {@code pr.updated}, or why it could not be opened
 * ({@code pr.failed}).
 */
@QuarkusTest
class RepositoryEventsListenerTest {

  @Test
  void theTaskShowsItsPullRequestsLinkAndState() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId = finishedTask(user, session);
    UUID id = UUID.fromString(taskId);
    task(user, taskId).body("$", not(hasKey("pullRequest")));

    String url = "https://github.com/acme/app/pull/42";
    fromRepositories(
        session,
        user,
        new PullRequestOpened(
            UUID.randomUUID(),
            UUID.randomUUID(),
            "GITHUB",
            42,
            url,
            "t",
            "claude/x",
            "main",
            false,
            id,
            Instant.now()));
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                task(user, taskId)
                    .body("pullRequest.url", equalTo(url))
                    .body("pullRequest.number", equalTo(42))
                    .body("pullRequest.state", equalTo("OPEN")));

    fromRepositories(
        session,
        user,
        new PullRequestUpdated(UUID.randomUUID(), 42, url, "MERGED", "merged", id, Instant.now()));
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> task(user, taskId).body("pullRequest.state", equalTo("MERGED")));
  }

  @Test
  void theTaskShowsWhyItsPullRequestCouldNotBeOpened() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId = finishedTask(user, session);

    fromRepositories(
        session,
        user,
        new PullRequestFailed(
            UUID.fromString(taskId),
            "claude/x",
            "AUTH_FAILED",
            "GitHub refused the repository's credential",
            Instant.now()));
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                task(user, taskId)
                    .body("pullRequest.failureCode", equalTo("AUTH_FAILED"))
                    .body(
                        "pullRequest.failureReason",
                        equalTo("GitHub refused the repository's credential")));
  }

  @Test
  void anEventNamingAnotherSessionsTaskChangesNothing() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId = finishedTask(user, session);
    String otherSession = sessionIn(user, "READY");

    fromRepositories(
        otherSession,
        user,
        new PullRequestFailed(
            UUID.fromString(taskId), "claude/x", "REJECTED", "wrong session", Instant.now()));
    // A later event of the right session is applied: the stray one was handled (and ignored) first.
    fromRepositories(
        session,
        user,
        new PullRequestFailed(
            UUID.fromString(taskId), "claude/x", "AUTH_FAILED", "right session", Instant.now()));
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> task(user, taskId).body("pullRequest.failureReason", equalTo("right session")));
  }

  private static String finishedTask(String user, String session) {
    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String taskId = submit(user, session, "do something");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(taskId));
      runToCompletion(session, user, taskId);
      await()
          .atMost(PATIENCE)
          .untilAsserted(() -> task(user, taskId).body("state", equalTo("SUCCEEDED")));
      return taskId;
    }
  }

  private static void fromRepositories(String session, String user, Event payload) {
    KafkaProbe.send(
        Topics.REPOSITORIES,
        session,
        EventCodec.write(EventCodec.envelope(payload, "repository-service", session, user)));
  }
}
