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
  @Inject StreamLimits limits;
  @Inject dev.remoteclaude.gateway.config.GatewayConfig config;
  @Inject io.vertx.core.Vertx vertx;

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
  void anotherUsersSessionLooksLikeOneThatDoesNotExist() throws Exception {
    Sessions.Ready session = Sessions.provision();
    Duration wait = config.stream().attachWait();
    // Asked at the same time, they take as long as each other and answer the same.
    CompletableFuture<Duration> foreign =
        CompletableFuture.supplyAsync(
            () ->
                refusedAfter(
                    StreamClient.uri(session.sessionId(), 0), Tokens.forUser("someone-else")));
    CompletableFuture<Duration> unknown =
        CompletableFuture.supplyAsync(
            () ->
                refusedAfter(
                    StreamClient.uri(UUID.randomUUID(), 0), Tokens.forUser(session.userId())));
    assertThat(foreign.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(wait);
    assertThat(unknown.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(wait);
    assertThat(StreamClient.refusal(StreamClient.uri(session.sessionId(), 0), null)).isEqualTo(401);
    assertThat(
            StreamClient.refusal(
                StreamClient.uri(session.sessionId(), 0),
                Tokens.signedByStranger(session.userId())))
        .isEqualTo(401);
  }

  /** How long a stream request took to be refused with 404. */
  private static Duration refusedAfter(java.net.URI uri, String token) {
    long started = System.nanoTime();
    assertThat(StreamClient.refusal(uri, token)).isEqualTo(404);
    return Duration.ofNanos(System.nanoTime() - started);
  }

  @Test
  void aClientAttachingLongBeforeTheGatewayKnowsItsNewSessionIsStillLetIn() throws Exception {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    CompletableFuture<StreamClient> connecting =
        CompletableFuture.supplyAsync(
            () -> StreamClient.connect(StreamClient.uri(session, 0), Tokens.forUser(user)));
    // Many sessions created at once on a small host: the gateway hears of this one late, later
    // than the 5 s a request used to wait.
    await()
        .pollDelay(Duration.ofSeconds(6))
        .atMost(Duration.ofSeconds(7))
        .until(() -> !connecting.isDone());
    Sessions.send(
        session,
        user,
        Sessions.request(
            dev.remoteclaude.gateway.support.GitRepos.withReadme("late"), "main", List.of()));
    try (StreamClient client = connecting.get(30, TimeUnit.SECONDS)) {
      await()
          .until(
              () ->
                  client.messages().stream()
                      .anyMatch(m -> m.path("type").asText().equals("sandbox.ready")));
    }
  }

  @Test
  void requestsWaitingForUnknownSessionsAreBoundedAndLeaveNothingBehind() throws Exception {
    String user = "u-" + UUID.randomUUID();
    int allowed = config.stream().maxWaitingPerUser();
    List<CompletableFuture<Integer>> waiting = new ArrayList<>();
    for (int i = 0; i < allowed; i++) {
      waiting.add(
          CompletableFuture.supplyAsync(
              () ->
                  StreamClient.refusal(
                      StreamClient.uri(UUID.randomUUID(), 0), Tokens.forUser(user))));
    }
    await().until(() -> limits.waiting() >= allowed);
    // One more of the same user is refused at once, whatever the id.
    assertThat(StreamClient.refusal(StreamClient.uri(UUID.randomUUID(), 0), Tokens.forUser(user)))
        .isEqualTo(429);
    for (CompletableFuture<Integer> request : waiting) {
      assertThat(request.get(60, TimeUnit.SECONDS)).isEqualTo(404);
    }
    // Expired waits keep nothing: no waiter, no entry for the ids asked for.
    await().until(() -> limits.waiting() == 0 && hub.waitedFor() == 0);
  }

  @Test
  void aUserHasAtMostSoManyStreamsOpen() {
    Sessions.Ready session = Sessions.provision();
    String token = Tokens.forUser(session.userId());
    int allowed = config.stream().maxStreamsPerUser();
    List<StreamClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < allowed; i++) {
        open.add(StreamClient.connect(StreamClient.uri(session.sessionId(), 0), token));
      }
      await().until(() -> limits.streams(session.userId()) == allowed);
      assertThat(StreamClient.refusal(StreamClient.uri(session.sessionId(), 0), token))
          .isEqualTo(429);
      // Another user is not affected.
      Sessions.Ready other = Sessions.provision();
      try (StreamClient theirs =
          StreamClient.connect(
              StreamClient.uri(other.sessionId(), 0), Tokens.forUser(other.userId()))) {
        await().until(() -> !theirs.messages().isEmpty());
      }
      open.remove(0).close();
      await().until(() -> limits.streams(session.userId()) < allowed);
      try (StreamClient again =
          StreamClient.connect(StreamClient.uri(session.sessionId(), 0), token)) {
        await().until(() -> !again.messages().isEmpty());
      }
    } finally {
      open.forEach(StreamClient::close);
    }
    await().until(() -> limits.streams(session.userId()) == 0);
  }

  @Test
  void aSlowClientIsBoundedByBytesNotMessagesAndResumesFromItsLastSeq() throws Exception {
    Sessions.Ready session = Sessions.provision();
    // Few messages (far fewer than the 200 a count would allow), each large.
    String big = "y".repeat(512 * 1024);
    int events = 60;
    try (StreamClient slow =
        StreamClient.connectWithoutReading(
            StreamClient.uri(session.sessionId(), 0), Tokens.forUser(session.userId()))) {
      await().until(() -> hub.subscriberCount(session.sessionId()) == 1);
      for (int i = 0; i < events && hub.subscriberCount(session.sessionId()) > 0; i++) {
        logWriter.append(session.sessionId(), "test.big", null, Map.of("text", big, "n", i));
      }
      await().until(() -> hub.subscriberCount(session.sessionId()) == 0);
      slow.readEverything();
      assertThat(slow.closeCode().get(30, TimeUnit.SECONDS)).isEqualTo(Subscriber.SLOW_CONSUMER);
      long last = slow.seqs().isEmpty() ? 0 : slow.lastSeq();
      long end = outputLog.lastSeq(session.sessionId()).await().indefinitely();
      // Resumed from the last seq it got: nothing missing, nothing twice.
      try (StreamClient resumed =
          StreamClient.connect(
              StreamClient.uri(session.sessionId(), last), Tokens.forUser(session.userId()))) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> !resumed.seqs().isEmpty() && resumed.lastSeq() >= end);
        assertThat(resumed.seqs()).isEqualTo(range(last + 1, end));
      }
    }
  }

  @Test
  void aLogWriterThatFallsBehindHoldsProducersBackAndDropsNothing() throws Exception {
    UUID session = UUID.randomUUID();
    String text = "z".repeat(64 * 1024);
    int events = 60; // about 8 MiB waiting, over the 2 MiB bound of the tests
    io.vertx.mutiny.sqlclient.SqlConnection blocker =
        pool.getConnection().await().atMost(Duration.ofSeconds(30));
    java.util.concurrent.atomic.AtomicInteger appended =
        new java.util.concurrent.atomic.AtomicInteger();
    List<CompletableFuture<LogEvent>> results =
        java.util.Collections.synchronizedList(new ArrayList<>());
    Thread producer;
    try {
      blocker.query("BEGIN").execute().await().indefinitely();
      // The writer's commits wait behind this lock: its queue fills up.
      blocker
          .query("LOCK TABLE session_log_head IN EXCLUSIVE MODE")
          .execute()
          .await()
          .indefinitely();
      producer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < events; i++) {
                      results.add(
                          logWriter
                              .append(session, "test.line", null, Map.of("text", text, "n", i))
                              .subscribeAsCompletionStage());
                      appended.incrementAndGet();
                    }
                  });
      // The producer is held back once the bound is reached.
      await()
          .until(
              () ->
                  producer.getState() == Thread.State.WAITING
                      && logWriter.pendingBytes() > 1024 * 1024);
      assertThat(appended.get()).isLessThan(events);
      // A caller that must not block (an event loop) is told at once.
      CompletableFuture<Throwable> refused = new CompletableFuture<>();
      vertx
          .getOrCreateContext()
          .runOnContext(
              v ->
                  logWriter
                      .append(session, "test.line", null, Map.of("text", text))
                      .subscribe()
                      .with(ok -> refused.complete(null), failure -> refused.complete(failure)));
      assertThat(refused.get(30, TimeUnit.SECONDS)).isInstanceOf(LogWriter.Overloaded.class);
    } finally {
      blocker.query("ROLLBACK").execute().await().indefinitely();
      blocker.close().await().indefinitely();
    }
    producer.join(Duration.ofSeconds(60));
    assertThat(appended.get()).isEqualTo(events);
    for (CompletableFuture<LogEvent> result : results) {
      result.get(60, TimeUnit.SECONDS);
    }
    List<LogEvent> stored = outputLog.read(session, 0, 1000).await().indefinitely();
    assertThat(stored)
        .extracting(e -> EventCodec.mapper().readTree(e.data()).path("n").asInt())
        .containsExactlyElementsOf(IntStream.range(0, events).boxed().toList());
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

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }
}
