package dev.remoteclaude.gateway.pullrequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.PullRequestFailed;
import dev.remoteclaude.common.events.PullRequestOpened;
import dev.remoteclaude.common.events.PullRequestUpdated;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.log.LogEvent;
import dev.remoteclaude.gateway.log.OutputLog;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * repository-service's pull request events reach the session's stream (its durable log, which the
 * WebSocket and the events API replay): {@code pr.opened}, {@code pr.updated}, and a notice when a
 * task's pull request could not be opened.
 */
@QuarkusTest
class PullRequestEventsListenerTest {

  @Inject OutputLog log;

  @Test
  void pullRequestEventsAreAppendedToTheSessionsStream() {
    UUID sessionId = UUID.randomUUID();
    UUID taskId = UUID.randomUUID();
    UUID prId = UUID.randomUUID();
    String user = "user-" + UUID.randomUUID();
    String url = "https://github.com/acme/app/pull/42";

    send(
        sessionId,
        user,
        new PullRequestOpened(
            prId,
            UUID.randomUUID(),
            "GITHUB",
            42,
            url,
            "Add hello",
            "claude/hello",
            "main",
            false,
            taskId,
            Instant.now()));
    send(
        sessionId,
        user,
        new PullRequestUpdated(prId, 42, url, "MERGED", "merged", null, Instant.now()));
    send(
        sessionId,
        user,
        new PullRequestFailed(
            taskId, "claude/other", "AUTH_FAILED", "GitHub refused the credential", Instant.now()));

    List<LogEvent> events =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> log.read(sessionId, 0, 100).await().atMost(Duration.ofSeconds(10)),
                list -> list.size() >= 3);

    assertThat(events)
        .extracting(LogEvent::type)
        .containsExactly("pr.opened", "pr.updated", "session.notice");
    JsonNode opened = data(events.get(0));
    assertThat(events.get(0).taskId()).isEqualTo(taskId);
    assertThat(opened.path("url").asText()).isEqualTo(url);
    assertThat(opened.path("number").asLong()).isEqualTo(42);
    assertThat(opened.path("forge").asText()).isEqualTo("GITHUB");
    assertThat(opened.path("head").asText()).isEqualTo("claude/hello");
    JsonNode updated = data(events.get(1));
    assertThat(updated.path("state").asText()).isEqualTo("MERGED");
    assertThat(updated.path("change").asText()).isEqualTo("merged");
    JsonNode notice = data(events.get(2));
    assertThat(notice.path("kind").asText()).isEqualTo("PR_FAILED");
    assertThat(notice.path("code").asText()).isEqualTo("AUTH_FAILED");
    assertThat(notice.path("message").asText()).contains("GitHub refused the credential");
  }

  private static JsonNode data(LogEvent event) {
    try {
      return EventCodec.mapper().readTree(event.data());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void send(UUID sessionId, String user, Event payload) {
    KafkaProbe.send(
        Topics.REPOSITORIES,
        sessionId.toString(),
        EventCodec.write(
            EventCodec.envelope(payload, "repository-service", sessionId.toString(), user)));
  }
}
