package dev.remoteclaude.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxActivity;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.log.LogEvent;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.log.OutputLog;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.StreamClient;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SessionStreamTest {

  @Inject LogWriter logWriter;
  @Inject StreamHub hub;
  @Inject OutputLog outputLog;
  @Inject Pool pool;

  @Test
  void replaysAfterTheCursorThenGoesLiveWithNoGapOrDuplicate() throws Exception {
    Sessions.Ready session = Sessions.provision();
    String token = Tokens.forUser(session.userId());
    append(session.sessionId(), 50);

    long seen;
    try (StreamClient first =
        StreamClient.connect(StreamClient.uri(session.sessionId(), 0), token)) {
      await()
          .until(
              () ->
                  first.messages().stream()
                          .filter(m -> m.path("type").asText().equals("test.line"))
                          .count()
                      >= 50);
      seen = first.lastSeq();
      assertThat(first.seqs()).isEqualTo(LongStream.rangeClosed(1, seen).boxed().toList());
    }

    // While nobody listens, and then while a client reconnects, lines keep coming.
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  int i = 0;
                  while (writing.get() && i < 2000) {
                    logWriter
                        .append(session.sessionId(), "test.line", null, Map.of("n", i++))
                        .await()
                        .indefinitely();
                  }
                });
    try (StreamClient second =
        StreamClient.connect(StreamClient.uri(session.sessionId(), seen), token)) {
      await().until(() -> second.messages().size() > 200);
      writing.set(false);
      writer.join(TimeUnit.SECONDS.toMillis(30));
      long last =
          logWriter
              .append(session.sessionId(), "test.end", null, Map.of())
              .await()
              .indefinitely()
              .seq();
      await().until(() -> second.lastSeq() == last);

      assertThat(second.seqs())
          .as("every event after the cursor exactly once, in order")
          .isEqualTo(LongStream.rangeClosed(seen + 1, last).boxed().toList());
      assertThat(second.messages().get(0).has("at")).isTrue();
      assertThat(second.messages().get(0).has("data")).isTrue();
    }
  }

  @Test
  void appendsOfManySessionsCommittedTogetherKeepEachSessionsOrderWithoutGaps() throws Exception {
    List<UUID> sessions = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    int perSession = 300;
    Map<UUID, List<CompletableFuture<LogEvent>>> appended = new ConcurrentHashMap<>();
    // One writer thread per session, all at once: their events share commits.
    List<Thread> writers =
        sessions.stream()
            .map(
                session ->
                    Thread.ofVirtual()
                        .start(
                            () -> {
                              List<CompletableFuture<LogEvent>> mine = new ArrayList<>();
                              for (int n = 0; n < perSession; n++) {
                                mine.add(
                                    logWriter
                                        .append(session, "test.line", null, Map.of("n", n))
                                        .subscribeAsCompletionStage());
                              }
                              appended.put(session, mine);
                            }))
            .toList();
    for (Thread writer : writers) {
      writer.join();
    }
    for (UUID session : sessions) {
      List<CompletableFuture<LogEvent>> mine = appended.get(session);
      for (int n = 0; n < perSession; n++) {
        LogEvent event = mine.get(n).get(30, TimeUnit.SECONDS);
        assertThat(event.sessionId()).isEqualTo(session);
        assertThat(event.seq()).isEqualTo(n + 1);
      }
      List<LogEvent> stored = outputLog.read(session, 0, 1000).await().indefinitely();
      assertThat(stored)
          .extracting(LogEvent::seq)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, perSession).boxed().toList());
      assertThat(stored)
          .extracting(e -> EventCodec.mapper().readTree(e.data()).path("n").asInt())
          .containsExactlyElementsOf(IntStream.range(0, perSession).boxed().toList());
    }
  }

  @Test
  void anAppendTheDatabaseRefusesFailsLeavesNoGapAndTheWriterGoesOn() {
    UUID session = UUID.randomUUID();
    pool.query(
            "ALTER TABLE session_event ADD CONSTRAINT test_refused CHECK (type <> 'test.refused')")
        .execute()
        .await()
        .indefinitely();
    try {
      assertThatThrownBy(
              () ->
                  logWriter
                      .append(session, "test.refused", null, Map.of())
                      .await()
                      .atMost(Duration.ofSeconds(30)))
          .hasMessageContaining("test_refused");
    } finally {
      pool.query("ALTER TABLE session_event DROP CONSTRAINT test_refused")
          .execute()
          .await()
          .indefinitely();
    }
    // The refused batch took no sequence number, and the session is not left marked in flight.
    LogEvent next =
        logWriter
            .append(session, "test.line", null, Map.of("n", 1))
            .await()
            .atMost(Duration.ofSeconds(30));
    assertThat(next.seq()).isEqualTo(1);
  }

  @Test
  void anotherUsersSessionLooksLikeOneThatDoesNotExist() {
    Sessions.Ready session = Sessions.provision();
    assertThat(
            StreamClient.refusal(
                StreamClient.uri(session.sessionId(), 0), Tokens.forUser("someone-else")))
        .isEqualTo(404);
    assertThat(
            StreamClient.refusal(
                StreamClient.uri(UUID.randomUUID(), 0), Tokens.forUser(session.userId())))
        .isEqualTo(404);
    assertThat(StreamClient.refusal(StreamClient.uri(session.sessionId(), 0), null)).isEqualTo(401);
    assertThat(
            StreamClient.refusal(
                StreamClient.uri(session.sessionId(), 0),
                Tokens.signedByStranger(session.userId())))
        .isEqualTo(401);
  }

  @Test
  void aClientConnectingBeforeTheGatewayKnowsTheSessionIsLetInOnceItDoes() throws Exception {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    java.util.concurrent.CompletableFuture<StreamClient> connecting =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> StreamClient.connect(StreamClient.uri(session, 0), Tokens.forUser(user)));
    // Lifecycle events may arrive before the request that creates the sandbox: still waiting.
    Sessions.send(
        session,
        user,
        new SessionStateChanged(null, "PROVISIONING", "created", Instant.now(), null));
    Sessions.send(
        session,
        user,
        Sessions.request(
            dev.remoteclaude.gateway.support.GitRepos.withReadme("x"), "main", List.of()));
    try (StreamClient client = connecting.get(30, TimeUnit.SECONDS)) {
      await()
          .until(
              () ->
                  client.messages().stream()
                      .anyMatch(m -> m.path("type").asText().equals("sandbox.ready")));
    }
  }

  @Test
  void browsersAuthenticateThroughTheSubprotocol() {
    Sessions.Ready session = Sessions.provision();
    try (StreamClient browser =
        StreamClient.connectLikeABrowser(
            StreamClient.uri(session.sessionId(), 0), Tokens.forUser(session.userId()))) {
      assertThat(browser.subprotocol()).isEqualTo("rc.v1");
      await().until(() -> !browser.messages().isEmpty());
    }
  }

  @Test
  void aClientThatCannotKeepUpIsClosedWithCode4008() throws Exception {
    Sessions.Ready session = Sessions.provision();
    try (StreamClient slow =
        StreamClient.connectWithoutReading(
            StreamClient.uri(session.sessionId(), 0), Tokens.forUser(session.userId()))) {
      await().until(() -> hub.subscriberCount(session.sessionId()) == 1);
      String big = "x".repeat(4096);
      for (int i = 0; i < 3000 && hub.subscriberCount(session.sessionId()) > 0; i += 100) {
        for (int j = 0; j < 100; j++) {
          logWriter.append(session.sessionId(), "test.big", null, Map.of("text", big));
        }
        logWriter
            .append(session.sessionId(), "test.big", null, Map.of("text", big))
            .await()
            .indefinitely();
      }
      await().until(() -> hub.subscriberCount(session.sessionId()) == 0);

      slow.readEverything();
      assertThat(slow.closeCode().get(30, TimeUnit.SECONDS)).isEqualTo(Subscriber.SLOW_CONSUMER);
    }
  }

  @Test
  void lifecycleChangesHeartbeatsAndAttachmentAreOnTheStream() {
    Sessions.Ready session = Sessions.provision();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY);
        StreamClient client =
            StreamClient.connect(
                StreamClient.uri(session.sessionId(), 0), Tokens.forUser(session.userId()))) {
      Sessions.send(
          session.sessionId(),
          session.userId(),
          new SessionStateChanged("PROVISIONING", "READY", "sandbox ready", Instant.now(), null));
      await()
          .until(
              () ->
                  client.messages().stream()
                      .anyMatch(
                          m ->
                              m.path("type").asText().equals("session.state")
                                  && m.path("data").path("to").asText().equals("READY")));
      await().atMost(Duration.ofSeconds(10)).until(() -> !client.heartbeats().isEmpty());

      EventEnvelope attached = Sessions.await(gateway, session.sessionId(), "sandbox.activity");
      SandboxActivity activity = Sessions.payload(attached, SandboxActivity.class);
      assertThat(activity.kind()).isEqualTo(SandboxActivity.CLIENT_ATTACHED);
      assertThat(activity.attachedClients()).isEqualTo(1);
      client.close();
      await()
          .until(
              () ->
                  gateway.records().stream()
                      .map(r -> EventCodec.read(r.value()))
                      .filter(e -> e.subject().equals(session.sessionId().toString()))
                      .anyMatch(
                          e ->
                              e.type().equals("sandbox.activity")
                                  && e.data()
                                      .path("kind")
                                      .asText()
                                      .equals(SandboxActivity.CLIENT_DETACHED)
                                  && e.data().path("attachedClients").asInt() == 0));
    }
  }

  @Test
  void manyClientsComingAndLeavingAtOnceAreEachAnnounced() throws Exception {
    Sessions.Ready session = Sessions.provision();
    // More clients than the database pool has connections, all leaving at the same moment.
    int clients = 60;
    List<StreamClient> connected = new java.util.ArrayList<>();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      for (int i = 0; i < clients; i++) {
        connected.add(
            StreamClient.connect(
                StreamClient.uri(session.sessionId(), 0), Tokens.forUser(session.userId())));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> activity(gateway, session, SandboxActivity.CLIENT_ATTACHED) == clients);
      connected.parallelStream().forEach(StreamClient::close);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> activity(gateway, session, SandboxActivity.CLIENT_DETACHED) == clients);
    }
  }

  /** How many activity events of a kind the session has had announced so far. */
  private static long activity(KafkaProbe gateway, Sessions.Ready session, String kind) {
    return gateway.records().stream()
        .map(r -> EventCodec.read(r.value()))
        .filter(e -> e.subject().equals(session.sessionId().toString()))
        .filter(e -> e.type().equals("sandbox.activity"))
        .filter(e -> e.data().path("kind").asText().equals(kind))
        .count();
  }

  private void append(UUID sessionId, int n) {
    for (int i = 0; i < n; i++) {
      logWriter.append(sessionId, "test.line", null, Map.of("n", i)).await().indefinitely();
    }
  }

  @SuppressWarnings("unused")
  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }
}
