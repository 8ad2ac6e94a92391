package dev.remoteclaude.task.messaging;

import static dev.remoteclaude.task.TaskFixtures.PATIENCE;
import static dev.remoteclaude.task.TaskFixtures.awaitSessionState;
import static dev.remoteclaude.task.TaskFixtures.awaitState;
import static dev.remoteclaude.task.TaskFixtures.fromGateway;
import static dev.remoteclaude.task.TaskFixtures.newSessionId;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.sessionChanged;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DeadLetterTest {

  private static final String DLQ = Topics.deadLetter("task-service");

  @Test
  void poisonSessionEventGoesToTheDeadLetterTopicAndTheNextOneIsHandled() {
    String user = newUser();
    String session = newSessionId();

    try (KafkaProbe dlq = KafkaProbe.watch(DLQ)) {
      KafkaProbe.send(Topics.SESSIONS, session, "{not an envelope");
      sessionChanged(session, user, null, null, "names no state");
      sessionChanged(session, user, null, "PROVISIONING", "created");

      awaitSessionState(session, "PROVISIONING");
      await()
          .atMost(PATIENCE)
          .untilAsserted(
              () ->
                  assertThat(dlq.records())
                      .filteredOn(r -> session.equals(r.key()))
                      .extracting(ConsumerRecord::value)
                      .anyMatch(v -> v.equals("{not an envelope"))
                      .anyMatch(v -> v.contains("names no state")));
    }
  }

  @Test
  void poisonGatewayEventGoesToTheDeadLetterTopicAndTheNextOneIsHandled() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId = submit(user, session, "survives poison");
    awaitState(user, taskId, "DISPATCHED");

    try (KafkaProbe dlq = KafkaProbe.watch(DLQ)) {
      KafkaProbe.send(Topics.GATEWAY, session, "[1, 2, 3]");
      String noTaskId =
          EventCodec.write(
              EventCodec.envelope(
                  new TaskStarted(null, Instant.now()), "sandbox-gateway", session, user));
      KafkaProbe.send(Topics.GATEWAY, session, noTaskId);
      fromGateway(session, user, new TaskStarted(UUID.fromString(taskId), Instant.now()));

      awaitState(user, taskId, "RUNNING");
      await()
          .atMost(PATIENCE)
          .untilAsserted(
              () ->
                  assertThat(dlq.records())
                      .filteredOn(r -> session.equals(r.key()))
                      .extracting(ConsumerRecord::value)
                      .containsExactlyInAnyOrder("[1, 2, 3]", noTaskId));
    }
  }
}
