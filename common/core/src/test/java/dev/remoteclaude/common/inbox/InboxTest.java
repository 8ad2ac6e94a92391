package dev.remoteclaude.common.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class InboxTest {

  @Inject Pool pool;

  @Test
  void redeliveredEventIsAppliedOnce() {
    String subject = UUID.randomUUID().toString();
    EventEnvelope once = notice(subject, "hello");
    String raw = EventCodec.write(once);
    KafkaProbe.send(Topics.SESSIONS, subject, raw);
    KafkaProbe.send(Topics.SESSIONS, subject, raw);
    KafkaProbe.send(Topics.SESSIONS, subject, EventCodec.write(notice(subject, "after")));

    // Same key, same partition, handled in order: once "after" is in, both copies were handled.
    await().atMost(Duration.ofSeconds(30)).until(() -> received(subject, "after") == 1);
    assertThat(received(subject, "hello")).isEqualTo(1);
  }

  @Test
  void poisonMessageEndsOnTheDeadLetterTopicAndTheNextMessageIsStillProcessed() {
    String subject = UUID.randomUUID().toString();
    try (KafkaProbe dlq = KafkaProbe.watch(Topics.deadLetter("common-test"))) {
      KafkaProbe.send(Topics.SESSIONS, subject, "{this is not json");
      KafkaProbe.send(Topics.SESSIONS, subject, EventCodec.write(notice(subject, "fail-always")));
      KafkaProbe.send(Topics.SESSIONS, subject, EventCodec.write(notice(subject, "next")));

      await().atMost(Duration.ofSeconds(30)).until(() -> received(subject, "next") == 1);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(dlq.records())
                      .filteredOn(r -> subject.equals(r.key()))
                      .extracting(r -> r.value())
                      .anyMatch(v -> v.equals("{this is not json"))
                      .anyMatch(v -> v.contains("fail-always")));
      assertThat(received(subject, "fail-always")).isZero();
    }
  }

  @Test
  void aFailureIsRetriedAndTheEventAppliedOnce() {
    String subject = UUID.randomUUID().toString();
    try (KafkaProbe dlq = KafkaProbe.watch(Topics.deadLetter("common-test"))) {
      KafkaProbe.send(Topics.SESSIONS, subject, EventCodec.write(notice(subject, "fail-once")));
      KafkaProbe.send(Topics.SESSIONS, subject, EventCodec.write(notice(subject, "next")));

      await().atMost(Duration.ofSeconds(30)).until(() -> received(subject, "next") == 1);
      assertThat(received(subject, "fail-once")).isEqualTo(1);
      assertThat(dlq.records()).noneMatch(r -> subject.equals(r.key()));
    }
  }

  @Test
  void newerSchemaWithUnknownFieldsAndUnknownTypesAreTolerated() {
    String subject = UUID.randomUUID().toString();
    EventEnvelope newer = notice(subject, "from the future");
    ((ObjectNode) newer.data()).put("addedInVersion2", "ignored");
    EventEnvelope newerEnvelope =
        new EventEnvelope(
            newer.id(),
            newer.type(),
            newer.source(),
            newer.subject(),
            newer.userId(),
            newer.occurredAt(),
            2,
            newer.data());
    String withExtraEnvelopeField =
        EventCodec.write(newerEnvelope).replaceFirst("\\{", "{\"traceparent\":\"00-abc\",");
    EventEnvelope unknownType =
        new EventEnvelope(
            UUID.randomUUID(),
            "session.teleported",
            "session-service",
            subject,
            "u1",
            Instant.now(),
            1,
            EventCodec.mapper().createObjectNode().put("where", "moon"));

    KafkaProbe.send(Topics.SESSIONS, subject, EventCodec.write(unknownType));
    KafkaProbe.send(Topics.SESSIONS, subject, withExtraEnvelopeField);

    await().atMost(Duration.ofSeconds(30)).until(() -> received(subject, "from the future") == 1);
  }

  private static EventEnvelope notice(String subject, String message) {
    return EventCodec.envelope(
        new SessionNotice("TEST", message, Instant.now(), null), "test", subject, "u1");
  }

  private long received(String subject, String message) {
    return pool.preparedQuery(
            "SELECT count(*) FROM received_notice WHERE subject = $1 AND message = $2")
        .execute(Tuple.of(subject, message))
        .map(rows -> rows.iterator().next().getLong(0))
        .await()
        .indefinitely();
  }
}
