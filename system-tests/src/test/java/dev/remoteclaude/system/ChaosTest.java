package dev.remoteclaude.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.launcher.Platform;
import dev.remoteclaude.testing.StreamClient;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Recovery, proven: many session lifecycles (create → READY → a task run by the real Claude Code
 * CLI against the demo model → a command → pause → resume → terminate) run concurrently while a
 * fault injector, in turn, kill -9s every service instance (restarted on its port, as the launcher
 * does), kill -9s the Kafka broker (started again with its data) and restarts PostgreSQL. Then the
 * platform's invariants are checked: no event lost or applied twice, no usage second counted twice
 * or lost, no task run twice or left hanging, every session in a correct final state, every stream
 * gap-free after reconnects.
 *
 * <p>At least {@code chaos.lifecycles} lifecycles run, {@code chaos.concurrency} at a time, and new
 * ones start until every kind of fault has been injected. The short form (the defaults) runs with
 * every test run; {@code -Pchaos -Dchaos.lifecycles=200 -Dchaos.concurrency=8} is the long form
 * (docs/reliability.md).
 */
@Tag("chaos")
class ChaosTest {

  private static final int LIFECYCLES = Integer.getInteger("chaos.lifecycles", 4);
  private static final int CONCURRENCY = Integer.getInteger("chaos.concurrency", 4);

  /** How long one step of a lifecycle may take while the platform is being broken under it. */
  private static final Duration STEP = Duration.ofMinutes(6);

  /** How long the platform may take to settle (tasks end, consumers catch up) after the faults. */
  private static final Duration SETTLE = Duration.ofMinutes(4);

  private static final List<String> SCHEMAS =
      List.of("session", "task", "repository", "billing", "gateway");
  private static final Set<String> TASK_ENDS =
      Set.of("SUCCEEDED", "FAILED", "CANCELLED", "INTERRUPTED");
  private static final Set<String> TRANSITIONAL =
      Set.of("PROVISIONING", "PAUSING", "RESUMING", "TERMINATING", "RECOVERING");
  private static final Set<String> STREAM_TASK_ENDS =
      Set.of("task.completed", "task.failed", "task.cancelled");

  @Test
  void lifecyclesUnderKillsAndRestartsLoseNothingAndDoubleNothing() throws Exception {
    Platform platform = TestPlatform.get();
    AnthropicStub stub = platform.stub().orElseThrow();
    Instant started = Instant.now();
    Timestamp since = Timestamp.from(started.minusSeconds(1));

    AtomicBoolean lifecyclesDone = new AtomicBoolean();
    FaultInjector faults = new FaultInjector(platform, lifecyclesDone);
    Thread injector = Thread.ofPlatform().name("chaos-faults").start(faults);

    // At least LIFECYCLES lifecycles, CONCURRENCY at a time; a new one starts as one ends until
    // every kind of fault has been injected, so that each fault meets lifecycles under way.
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    ExecutorCompletionService<Lifecycle> running = new ExecutorCompletionService<>(pool);
    List<Lifecycle> lifecycles = new ArrayList<>();
    int inFlight = 0;
    while (lifecycles.size() < LIFECYCLES || !faults.everyKindInjected()) {
      if (inFlight == CONCURRENCY) {
        running.take().get();
        inFlight--;
      }
      Lifecycle lifecycle = new Lifecycle(lifecycles.size());
      lifecycles.add(lifecycle);
      running.submit(lifecycle::run, lifecycle);
      inFlight++;
    }
    for (; inFlight > 0; inFlight--) {
      running.take().get();
    }
    pool.shutdown();
    lifecyclesDone.set(true);
    injector.join();
    assertThat(faults.failure).as("the fault injector failed").isNull();

    List<String> failedRuns =
        lifecycles.stream()
            .filter(l -> l.error != null)
            .map(l -> "lifecycle " + l.index + " (" + l.sessions + "): " + l.error)
            .toList();
    assertThat(failedRuns).as("lifecycles that could not be completed").isEmpty();

    // Every task ends, every session is TERMINATED, within a deadline after the faults stopped.
    await()
        .atMost(SETTLE)
        .pollInterval(Duration.ofSeconds(3))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(hangingTasksAndSessions(lifecycles)).isEmpty());

    try (Connection db =
        DriverManager.getConnection(
            platform.jdbcUrl(), platform.databaseUser(), platform.keys().databasePassword())) {
      await()
          .atMost(SETTLE)
          .pollInterval(Duration.ofSeconds(3))
          .untilAsserted(() -> assertThat(eventAnomalies(db, since)).isEmpty());
      await()
          .atMost(SETTLE)
          .pollInterval(Duration.ofSeconds(3))
          .untilAsserted(() -> assertThat(usageAnomalies(db, lifecycles)).isEmpty());
    }
    assertThat(deadLetters(platform, started))
        .as("records the services' consumers gave up on (rc.dlq.<service>) during the run")
        .isEmpty();
    assertThat(taskAnomalies(lifecycles, stub)).isEmpty();
    List<String> gaps = new ArrayList<>();
    for (Lifecycle lifecycle : lifecycles) {
      gaps.addAll(lifecycle.streamAnomalies());
    }
    assertThat(gaps).as("streams with gaps or duplicates").isEmpty();

    long seconds = Duration.between(started, Instant.now()).toSeconds();
    int reconnects = lifecycles.stream().mapToInt(l -> l.stream.reconnects).sum();
    System.out.printf(
        "[chaos] lifecycles %d (concurrency %d), faults %s, stream reconnects %d, anomalies 0,"
            + " %d s%n",
        lifecycles.size(), CONCURRENCY, faults.injected, reconnects, seconds);
    assertThat(faults.injected.keySet())
        .as("every fault was injected at least once")
        .containsAll(faults.kinds());
  }

  // ---------------------------------------------------------------------------------------------
  // The invariants

  /** Tasks not in an end state and sessions not TERMINATED (or stuck in a transitional state). */
  private static List<String> hangingTasksAndSessions(List<Lifecycle> lifecycles) {
    List<String> out = new ArrayList<>();
    for (Lifecycle l : lifecycles) {
      for (UUID task : l.tasks) {
        String state = l.api.task(task).getString("state");
        if (!TASK_ENDS.contains(state)) {
          out.add("task " + task + " of session " + l.session + " is " + state);
        }
      }
      for (UUID session : l.sessions) {
        String state = l.api.sessionState(session);
        if (!state.equals("TERMINATED")) {
          out.add(
              "session "
                  + session
                  + " is "
                  + state
                  + (TRANSITIONAL.contains(state) ? " (stuck in a transition)" : "")
                  + ", not TERMINATED");
        }
      }
    }
    return out;
  }

  /**
   * Every outbox row since the run began is published (none pending, none set aside as dead), and
   * every event a consumer handles (a type it has recorded in its inbox) reached its inbox: nothing
   * lost between a producer's outbox and a consumer's effect. The inbox's primary key makes a
   * second record impossible; a second application shows in the effects (ledger, stream, stub)
   * below.
   */
  private static List<String> eventAnomalies(Connection db, Timestamp since) throws SQLException {
    List<String> out = new ArrayList<>();
    for (String schema : SCHEMAS) {
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT event_type, count(*) FILTER (WHERE dead_at IS NOT NULL),"
                  + " count(*) FILTER (WHERE published_at IS NULL AND dead_at IS NULL)"
                  + " FROM "
                  + schema
                  + ".outbox_event WHERE created_at >= ?"
                  + " AND (published_at IS NULL OR dead_at IS NOT NULL) GROUP BY event_type")) {
        q.setTimestamp(1, since);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.add(
                schema
                    + " outbox: "
                    + rs.getString(1)
                    + " dead "
                    + rs.getLong(2)
                    + ", unpublished "
                    + rs.getLong(3));
          }
        }
      }
    }
    for (String consumer : SCHEMAS) {
      for (String producer : SCHEMAS) {
        if (consumer.equals(producer)) {
          continue;
        }
        try (PreparedStatement q =
            db.prepareStatement(
                "SELECT o.event_type, count(*), min(o.event_id::text) FROM "
                    + producer
                    + ".outbox_event o WHERE o.created_at >= ?"
                    + " AND o.event_type IN (SELECT DISTINCT event_type FROM "
                    + consumer
                    + ".inbox_event) AND NOT EXISTS (SELECT 1 FROM "
                    + consumer
                    + ".inbox_event i WHERE i.event_id = o.event_id) GROUP BY o.event_type")) {
          q.setTimestamp(1, since);
          try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              out.add(
                  rs.getLong(2)
                      + " "
                      + rs.getString(1)
                      + " event(s) of "
                      + producer
                      + " never applied by "
                      + consumer
                      + " (e.g. "
                      + rs.getString(3)
                      + ")");
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Records dead-lettered since the run began, per dead-letter topic: an event a consumer gave up
   * on (a failure that outlived its retries, a duplicate it could not apply) is one it did not
   * apply exactly once.
   */
  private static Map<String, Long> deadLetters(Platform platform, Instant since) {
    Map<String, Object> config = new java.util.HashMap<>(platform.kafkaClientProperties());
    config.put("key.deserializer", StringDeserializer.class.getName());
    config.put("value.deserializer", StringDeserializer.class.getName());
    Map<String, Long> out = new java.util.TreeMap<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      for (String service :
          List.of(
              "session-service",
              "task-service",
              "repository-service",
              "billing-service",
              "sandbox-gateway")) {
        String topic = "rc.dlq." + service;
        List<TopicPartition> partitions =
            consumer.listTopics(Duration.ofSeconds(30)).getOrDefault(topic, List.of()).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        if (partitions.isEmpty()) {
          continue;
        }
        Map<TopicPartition, Long> query = new java.util.HashMap<>();
        partitions.forEach(p -> query.put(p, since.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> from =
            consumer.offsetsForTimes(query, Duration.ofSeconds(30));
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        long count = 0;
        for (TopicPartition p : partitions) {
          OffsetAndTimestamp first = from.get(p);
          if (first != null) {
            count += end.get(p) - first.offset();
          }
        }
        if (count > 0) {
          out.put(topic, count);
        }
      }
    }
    return out;
  }

  /**
   * Per session, billing's compute ledger against session-service's state history: one charge (one
   * closing event) per closed interval, and per state the seconds charged equal the seconds spent,
   * less at most one second per ledger line. Billing truncates each charged stretch to whole
   * seconds (and splits a stretch at UTC midnight into a line per day), so a line may be short by
   * under a second and never long; a microsecond of slack covers the event instant's precision
   * against the database's. A second counted twice or a stretch lost is off by a whole interval
   * (and by a line).
   */
  private static List<String> usageAnomalies(Connection db, List<Lifecycle> lifecycles)
      throws SQLException {
    List<String> out = new ArrayList<>();
    for (Lifecycle l : lifecycles) {
      for (UUID session : l.sessions) {
        List<String> states = new ArrayList<>();
        List<Instant> at = new ArrayList<>();
        try (PreparedStatement q =
            db.prepareStatement(
                "SELECT to_state, at FROM session.session_transition WHERE session_id = ?"
                    + " ORDER BY id")) {
          q.setObject(1, session);
          try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              states.add(rs.getString(1));
              at.add(rs.getTimestamp(2).toInstant());
            }
          }
        }
        Map<String, Double> spent = new LinkedHashMap<>();
        int closed = 0;
        for (int i = 0; i + 1 < states.size(); i++) {
          if (states.get(i).equals("TERMINATED") || states.get(i).equals("FAILED")) {
            continue;
          }
          closed++;
          spent.merge(
              states.get(i),
              Duration.between(at.get(i), at.get(i + 1)).toNanos() / 1e9,
              Double::sum);
        }
        Map<String, long[]> charged = new LinkedHashMap<>();
        long chargingEvents;
        try (PreparedStatement q =
            db.prepareStatement(
                "SELECT detail, sum(seconds), count(*) FROM billing.usage_line"
                    + " WHERE session_id = ? AND kind = 'COMPUTE' GROUP BY detail")) {
          q.setObject(1, session);
          try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              charged.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
            }
          }
        }
        try (PreparedStatement q =
            db.prepareStatement(
                "SELECT count(DISTINCT source_event_id) FROM billing.usage_line"
                    + " WHERE session_id = ? AND kind = 'COMPUTE'")) {
          q.setObject(1, session);
          try (ResultSet rs = q.executeQuery()) {
            rs.next();
            chargingEvents = rs.getLong(1);
          }
        }
        if (chargingEvents != closed) {
          out.add(
              "session "
                  + session
                  + ": "
                  + closed
                  + " closed state intervals but "
                  + chargingEvents
                  + " charged (transitions "
                  + states
                  + ")");
        }
        Set<String> both = new java.util.TreeSet<>(spent.keySet());
        both.addAll(charged.keySet());
        for (String state : both) {
          double wall = spent.getOrDefault(state, 0.0);
          long[] line = charged.getOrDefault(state, new long[] {0, 0});
          if (line[0] > wall + 1e-6 || line[0] < wall - line[1] - 1e-6) {
            out.add(
                String.format(
                    "session %s, %s: %.3f s spent but %d s charged in %d line(s)"
                        + " (tolerance: under 1 s short per line, never over)",
                    session, state, wall, line[0], line[1]));
          }
        }
      }
    }
    return out;
  }

  /**
   * No task ran twice: the demo model saw each task's prompt open a run (a request with no tool
   * result yet) at most once, exactly once for a task that succeeded, and the session's stream
   * shows at most one start and one end per task.
   */
  private static List<String> taskAnomalies(List<Lifecycle> lifecycles, AnthropicStub stub) {
    List<AnthropicStub.Recorded> requests = stub.requests();
    List<String> out = new ArrayList<>();
    for (Lifecycle l : lifecycles) {
      for (UUID task : l.tasks) {
        String state = l.api.task(task).getString("state");
        long runs =
            requests.stream()
                .filter(
                    r ->
                        r.conversation().prompt().equals(l.prompt)
                            && r.conversation().toolResults() == 0)
                .count();
        if (runs > 1 || (state.equals("SUCCEEDED") && runs != 1)) {
          out.add("task " + task + " (" + state + ") was started " + runs + " times by the model");
        }
        List<JsonNode> events = l.stream.all();
        long starts =
            events.stream()
                .filter(
                    m ->
                        m.path("type").asText().equals("task.started")
                            && m.path("taskId").asText().equals(task.toString()))
                .count();
        long ends =
            events.stream()
                .filter(
                    m ->
                        STREAM_TASK_ENDS.contains(m.path("type").asText())
                            && m.path("taskId").asText().equals(task.toString()))
                .count();
        if (starts > 1 || ends != 1) {
          out.add(
              "task "
                  + task
                  + " ("
                  + state
                  + ") started "
                  + starts
                  + " and ended "
                  + ends
                  + " times on the stream");
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // The faults

  /**
   * Injects one fault after another, each kind in turn (every service instance killed with kill -9
   * and started again on its port, the broker killed with kill -9 and started again with its data,
   * PostgreSQL restarted), for as long as lifecycles run and at least once each.
   */
  private static final class FaultInjector implements Runnable {
    private final Platform platform;
    private final AtomicBoolean done;
    final Map<String, Integer> injected = new ConcurrentHashMap<>();
    volatile Throwable failure;

    FaultInjector(Platform platform, AtomicBoolean done) {
      this.platform = platform;
      this.done = done;
    }

    List<String> kinds() {
      List<String> kinds = new ArrayList<>(platform.services().keySet());
      kinds.add("kafka");
      kinds.add("postgresql");
      return kinds;
    }

    boolean everyKindInjected() {
      return failure != null || injected.keySet().containsAll(kinds());
    }

    /** Faults in turn, round and round, until the lifecycles are done and each kind came once. */
    @Override
    public void run() {
      try {
        for (int next = 0; !(done.get() && everyKindInjected()); next++) {
          List<String> kinds = kinds();
          String kind = kinds.get(next % kinds.size());
          // let the lifecycles make progress between faults
          pause(Duration.ofSeconds(5));
          inject(kind);
          injected.merge(kind, 1, Integer::sum);
          awaitAllReady();
        }
      } catch (Throwable e) {
        failure = e;
      }
    }

    private void inject(String kind) {
      System.out.println("[chaos] fault: " + kind);
      switch (kind) {
        case "kafka" -> platform.killAndRecoverKafka();
        case "postgresql" -> platform.restartPostgres();
        default -> platform.restart(kind, true);
      }
    }

    private void awaitAllReady() {
      await()
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> platform.services().values().stream().allMatch(s -> s.isAlive() && s.ready()));
    }

    private static void pause(Duration d) {
      // a fixed gap between faults (not a wait for a condition): Awaitility's pollDelay keeps it
      // interruptible and in the tests' one waiting style
      await().pollDelay(d).atMost(d.plusSeconds(1)).until(() -> true);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // One lifecycle

  /** A lifecycle that cannot go on (its session ended early): not retried. */
  private static final class LifecycleBroken extends RuntimeException {
    LifecycleBroken(String message) {
      super(message);
    }
  }

  private static final class Lifecycle {
    final int index;
    final Api api;
    final String prompt = "chaos task " + UUID.randomUUID();
    final List<UUID> sessions = new ArrayList<>();
    final List<UUID> tasks = new ArrayList<>();
    UUID session;
    ReconnectingStream stream;
    volatile Throwable error;

    Lifecycle(int index) {
      this.index = index;
      this.api = new Api("chaos-" + index + "-" + UUID.randomUUID());
    }

    void run() {
      try {
        session = create();
        stream = new ReconnectingStream(api, session);
        drive("READY", Set.of(), () -> {});
        UUID task = submit();
        tasks.add(task);
        step("task " + task + " ends", () -> TASK_ENDS.contains(api.task(task).getString("state")));
        String marker = "chaos-command-" + UUID.randomUUID();
        step(
            "a command runs",
            () -> {
              if (!api.sessionState(session).equals("READY")) {
                return false;
              }
              Response r =
                  api.call()
                      .contentType(ContentType.JSON)
                      .body(Map.of("script", "echo " + marker))
                      .post("/api/v1/sessions/{id}/commands", session);
              return r.statusCode() == 200 && r.path("stdout").toString().contains(marker);
            });
        drive(
            "PAUSED",
            Set.of("READY"),
            () -> api.call().post("/api/v1/sessions/{id}/pause", session));
        drive(
            "READY",
            Set.of("PAUSED"),
            () -> api.call().post("/api/v1/sessions/{id}/resume", session));
        // A create retried after a lost answer may have made another session: end them all.
        step(
            "every session of the user listed",
            () -> {
              JsonPath page =
                  api.call().get("/api/v1/sessions").then().statusCode(200).extract().jsonPath();
              for (String id : page.getList("items.id", String.class)) {
                if (!sessions.contains(UUID.fromString(id))) {
                  sessions.add(UUID.fromString(id));
                }
              }
              return true;
            });
        for (UUID each : sessions) {
          step(
              "session " + each + " terminated",
              () -> {
                String state = api.sessionState(each);
                if (state.equals("TERMINATED")) {
                  return true;
                }
                if (!state.equals("TERMINATING")) {
                  api.call().delete("/api/v1/sessions/{id}", each);
                }
                return false;
              });
        }
        stream.catchUp();
      } catch (Throwable e) {
        error = e;
      }
    }

    /** Creates the session; after a failed call, adopts the session it made if it made one. */
    private UUID create() {
      String repository = Api.gitRepository("# chaos " + index + "\n");
      UUID[] made = new UUID[1];
      step(
          "session created",
          () -> {
            List<String> existing =
                api.call()
                    .get("/api/v1/sessions")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getList("items.id", String.class);
            if (!existing.isEmpty()) {
              made[0] = UUID.fromString(existing.get(existing.size() - 1));
              return true;
            }
            api.call()
                .contentType(ContentType.JSON)
                .body(Map.of("repositoryUrl", repository, "branch", "main"))
                .post("/api/v1/sessions");
            return false;
          });
      sessions.add(made[0]);
      return made[0];
    }

    /** Submits the task; after a failed call, adopts the task it queued if it queued one. */
    private UUID submit() {
      UUID[] made = new UUID[1];
      step(
          "task submitted",
          () -> {
            JsonPath history =
                api.call()
                    .get("/api/v1/sessions/{id}/tasks", session)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            // The lifecycle submits one task to its session: any task there is that one (the
            // history lists previews only, newest first).
            List<String> ids = history.getList("id");
            if (!ids.isEmpty()) {
              made[0] = UUID.fromString(ids.get(ids.size() - 1));
              return true;
            }
            api.call()
                .contentType(ContentType.JSON)
                .body(Map.of("prompt", prompt))
                .post("/api/v1/sessions/{id}/tasks", session);
            return false;
          });
      return made[0];
    }

    /**
     * Brings the session to {@code target}: acts while it is in one of {@code from}, else waits.
     */
    private void drive(String target, Set<String> from, Runnable action) {
      step(
          "session " + session + " " + target,
          () -> {
            String state = api.sessionState(session);
            if (state.equals(target)) {
              return true;
            }
            if (state.equals("FAILED") || state.equals("TERMINATED")) {
              throw new LifecycleBroken("session " + session + " ended " + state);
            }
            if (from.contains(state)) {
              action.run();
            }
            return false;
          });
    }

    /** Polls {@code done} until it holds; calls that fail while a service is down are retried. */
    private void step(String what, Supplier<Boolean> done) {
      await(what)
          .atMost(STEP)
          .pollInterval(Duration.ofSeconds(2))
          // calls failing while a service is down (5xx, refused connections) are tried again
          .ignoreExceptionsMatching(e -> !(e instanceof LifecycleBroken))
          .until(
              () -> {
                if (stream != null) {
                  stream.poll();
                }
                return done.get();
              });
    }

    List<String> streamAnomalies() {
      List<String> out = new ArrayList<>();
      List<Long> seqs = stream.all().stream().map(m -> m.path("seq").asLong()).toList();
      List<Long> expected = LongStream.rangeClosed(1, seqs.size()).boxed().toList();
      if (!seqs.equals(expected)) {
        out.add(
            "session "
                + session
                + ": the stream read across "
                + stream.reconnects
                + " reconnect(s) is not 1.."
                + seqs.size()
                + " without a gap: "
                + seqs);
      }
      try (StreamClient fresh =
          StreamClient.connect(StreamClient.uri(TestPlatform.baseUrl(), session, 0), api.token())) {
        long last = api.events(session, 0).getLong("next");
        await().atMost(Duration.ofSeconds(60)).until(() -> fresh.lastSeq() >= last);
        List<Long> whole = fresh.seqs();
        if (!whole.equals(LongStream.rangeClosed(1, whole.size()).boxed().toList())
            || !whole.equals(seqs)) {
          out.add(
              "session "
                  + session
                  + ": read from 0 the stream is "
                  + whole
                  + ", read live across reconnects "
                  + seqs);
        }
      }
      return out;
    }
  }

  /**
   * A client of a session's stream that reconnects after the cursor it last saw whenever its
   * connection ends (a gateway killed, the edge losing its upstream), as a user's client does.
   */
  private static final class ReconnectingStream {
    private final Api api;
    private final UUID session;
    private final List<JsonNode> earlier = new ArrayList<>();
    private StreamClient current;
    int reconnects;

    ReconnectingStream(Api api, UUID session) {
      this.api = api;
      this.session = session;
      poll();
    }

    synchronized void poll() {
      if (current != null && !current.closeCode().isDone()) {
        return;
      }
      if (current != null) {
        earlier.addAll(current.messages());
        current.close();
        current = null;
        reconnects++;
      }
      long after = earlier.isEmpty() ? 0 : earlier.get(earlier.size() - 1).path("seq").asLong();
      try {
        current =
            StreamClient.connect(
                StreamClient.uri(TestPlatform.baseUrl(), session, after), api.token());
      } catch (RuntimeException e) {
        // the gateway (or the edge's upstream) is down: the next poll tries again
      }
    }

    /** Reconnects once more and reads up to the session's last event. */
    void catchUp() {
      synchronized (this) {
        if (current != null) {
          earlier.addAll(current.messages());
          current.close();
          current = null;
          reconnects++;
        }
      }
      await("stream of " + session + " read to its end")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofSeconds(1))
          .ignoreExceptions()
          .until(
              () -> {
                poll();
                long last = api.events(session, 0).getLong("next");
                List<JsonNode> all = all();
                return !all.isEmpty() && all.get(all.size() - 1).path("seq").asLong() >= last;
              });
      synchronized (this) {
        if (current != null) {
          earlier.addAll(current.messages());
          current.close();
          current = null;
        }
      }
    }

    synchronized List<JsonNode> all() {
      List<JsonNode> all = new ArrayList<>(earlier);
      if (current != null) {
        all.addAll(current.messages());
      }
      return all;
    }
  }
}
