package dev.remoteclaude.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.testapp.NoteService;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OutboxTest {

  @Inject NoteService notes;
  @Inject Outbox outbox;
  @Inject OutboxRelay relay;
  @Inject Pool pool;

  @AfterEach
  void relayRuns() {
    relay.start();
  }

  @Test
  void eventOfARolledBackTransactionIsNeverPublished() {
    String subject = "s-" + UUID.randomUUID();
    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      assertThatThrownBy(
              () -> OnVertx.await(() -> notes.create("u1", subject, "rolled back", true)))
          .hasMessageContaining("failing after the write");
      OnVertx.await(() -> notes.create("u1", subject, "committed", false));

      ConsumerRecord<String, String> committed =
          probe.awaitRecord(r -> subject.equals(r.key()) && r.value().contains("committed"));
      assertThat(committed.key()).isEqualTo(subject);
      assertThat(probe.records())
          .filteredOn(r -> subject.equals(r.key()))
          .extracting(ConsumerRecord::value)
          .noneMatch(v -> v.contains("rolled back"));
    }
    assertThat(
            count(
                "SELECT count(*) FROM outbox_event WHERE payload LIKE '%rolled back%' AND message_key = $1",
                subject))
        .isZero();
    assertThat(count("SELECT count(*) FROM note WHERE text = 'rolled back'", null)).isZero();
  }

  @Test
  void committedEventsArePublishedExactlyOnceInOrderAcrossARelayStopAndRestartMidBatch() {
    relay.stop();
    List<String> keys = List.of(uuid(), uuid(), uuid(), uuid());
    int perKey = 400;
    for (int i = 0; i < perKey; i += 50) {
      int from = i;
      OnVertx.await(
          () ->
              Panache.withTransaction(
                  () ->
                      Multi.createFrom()
                          .range(from, from + 50)
                          .onItem()
                          .transformToUniAndConcatenate(
                              n ->
                                  Multi.createFrom()
                                      .iterable(keys)
                                      .onItem()
                                      .transformToUniAndConcatenate(
                                          key -> outbox.emit(notice("n=" + n), key, "u1"))
                                      .collect()
                                      .asList())
                          .collect()
                          .asList()));
    }
    int total = keys.size() * perKey;

    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      relay.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> ours(probe, keys).size() >= 100);
      relay.stop();
      long left = unpublished(keys);
      assertThat(left).as("the stop interrupted the relay mid-way").isPositive();

      relay.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(ours(probe, keys)).hasSizeGreaterThanOrEqualTo(total));
      // nothing more arrives late
      assertThat(unpublished(keys)).isZero();

      List<EventEnvelope> envelopes = ours(probe, keys);
      assertThat(envelopes).hasSize(total);
      assertThat(envelopes.stream().map(EventEnvelope::id).distinct().count()).isEqualTo(total);
      Map<String, List<Integer>> sequenceByKey = new HashMap<>();
      for (EventEnvelope e : envelopes) {
        String message = e.data().get("message").asText();
        sequenceByKey
            .computeIfAbsent(e.subject(), k -> new ArrayList<>())
            .add(Integer.parseInt(message.substring(2)));
      }
      for (String key : keys) {
        assertThat(sequenceByKey.get(key))
            .as("events of key %s in commit order", key)
            .isSorted()
            .hasSize(perKey);
      }
    }
  }

  @Test
  void concurrentRelayRoundsNeverPublishARowTwice() {
    relay.stop();
    List<String> keys = List.of(uuid(), uuid(), uuid());
    OnVertx.await(
        () ->
            Panache.withTransaction(
                () ->
                    Multi.createFrom()
                        .range(0, 300)
                        .onItem()
                        .transformToUniAndConcatenate(
                            n -> outbox.emit(notice("n=" + n), keys.get(n % 3), "u1"))
                        .collect()
                        .asList()));

    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      relay.start();
      // Six rounds at once, each in its own transaction, as six replicas would run them.
      List<Uni<Integer>> rounds = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        rounds.add(relay.publishRound());
      }
      Uni.join().all(rounds).andCollectFailures().await().atMost(Duration.ofSeconds(60));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(unpublished(keys)).isZero());
      await().atMost(Duration.ofSeconds(30)).until(() -> ours(probe, keys).size() >= 300);
      List<EventEnvelope> envelopes = ours(probe, keys);
      assertThat(envelopes).hasSize(300);
      assertThat(envelopes.stream().map(EventEnvelope::id).collect(Collectors.toSet()))
          .hasSize(300);
    }
  }

  @Test
  void onlyCommitsToItsOwnSchemasOutboxWakeTheRelay() {
    await().atMost(Duration.ofSeconds(10)).until(() -> relay.schema() != null);
    assertThat(relay.schema()).isEqualTo("demo");

    long before = relay.wakeUps();
    relay.onCommit("another_service");
    assertThat(relay.wakeUps()).isEqualTo(before);
    relay.onCommit("demo");
    assertThat(relay.wakeUps()).isEqualTo(before + 1);

    // Through PostgreSQL: the trigger's notification for this schema's outbox wakes it.
    long then = relay.wakeUps();
    String subject = "s-" + UUID.randomUUID();
    OnVertx.await(() -> notes.create("u1", subject, "wakes the relay", false));
    await().atMost(Duration.ofSeconds(10)).until(() -> relay.wakeUps() > then);
  }

  @Test
  void writingOutsideATransactionIsRefused() {
    assertThatThrownBy(
            () ->
                OnVertx.await(
                    () -> Panache.withSession(() -> outbox.emit(notice("x"), uuid(), "u1"))))
        .hasMessageContaining("outside a transaction");
  }

  @Test
  void publishedRowsAndHandledIdsOlderThanTheRetentionArePruned() {
    String key = uuid();
    OnVertx.await(() -> Panache.withTransaction(() -> outbox.emit(notice("old"), key, "u1")));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(unpublished(List.of(key))).isZero());
    pool.preparedQuery(
            "UPDATE outbox_event SET published_at = now() - interval '30 days' WHERE message_key = $1")
        .execute(Tuple.of(key))
        .await()
        .indefinitely();

    relay.prune().await().indefinitely();

    assertThat(count("SELECT count(*) FROM outbox_event WHERE message_key = $1", key)).isZero();
  }

  private static SessionNotice notice(String message) {
    return new SessionNotice("TEST", message, Instant.now(), null);
  }

  private static List<EventEnvelope> ours(KafkaProbe probe, List<String> keys) {
    return probe.records().stream()
        .filter(r -> keys.contains(r.key()))
        .map(r -> EventCodec.read(r.value()))
        .toList();
  }

  private long unpublished(List<String> keys) {
    return pool.preparedQuery(
            "SELECT count(*) FROM outbox_event WHERE published_at IS NULL AND message_key = ANY($1)")
        .execute(Tuple.of(keys.toArray(String[]::new)))
        .map(rows -> rows.iterator().next().getLong(0))
        .await()
        .indefinitely();
  }

  private long count(String sql, String param) {
    return (param == null
            ? pool.query(sql).execute()
            : pool.preparedQuery(sql).execute(Tuple.of(param)))
        .map(rows -> rows.iterator().next().getLong(0))
        .await()
        .indefinitely();
  }

  private static String uuid() {
    return UUID.randomUUID().toString();
  }
}
