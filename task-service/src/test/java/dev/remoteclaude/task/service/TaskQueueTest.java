package dev.remoteclaude.task.service;

import static dev.remoteclaude.task.TaskFixtures.awaitEmitted;
import static dev.remoteclaude.task.TaskFixtures.awaitState;
import static dev.remoteclaude.task.TaskFixtures.emitted;
import static dev.remoteclaude.task.TaskFixtures.history;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.runToCompletion;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.stateOf;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.task.TaskDb;
import dev.remoteclaude.task.TaskFixtures;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TaskQueueTest {

  @Inject TaskQueue queue;
  @Inject TaskRunService runs;

  @Test
  void tasksRunOneAtATimeInSubmissionOrder() throws Exception {
    String user = newUser();
    String session = sessionIn(user, "READY");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS);
        ExecutorService clients = Executors.newFixedThreadPool(8)) {
      List<CompletableFuture<String>> submissions =
          IntStream.range(0, 8)
              .mapToObj(
                  i ->
                      CompletableFuture.supplyAsync(
                          () -> submit(user, session, "concurrent " + i), clients))
              .toList();
      CompletableFuture.allOf(submissions.toArray(CompletableFuture[]::new)).join();

      // Submission order is the order the service accepted them: the history, reversed.
      List<String> expected =
          new ArrayList<>(history(user, session).statusCode(200).extract().path("id"));
      assertThat(expected).hasSize(8);
      java.util.Collections.reverse(expected);

      for (String taskId : expected) {
        awaitEmitted(
            probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(taskId));
        assertThat(TaskDb.activeTasks(session)).as("tasks in the gateway's hands").isEqualTo(1);
        assertThat(stateOf(user, taskId)).isEqualTo("DISPATCHED");
        runToCompletion(session, user, taskId);
        awaitState(user, taskId, "SUCCEEDED");
      }

      assertThat(emitted(probe, session, TaskDispatched.class))
          .extracting(d -> d.taskId().toString())
          .as("each task dispatched once, in submission order")
          .containsExactlyElementsOf(expected);
      assertThat(TaskDb.activeTasks(session)).isZero();
    }
  }

  @Test
  void concurrentDispatchAttemptsNeverDispatchATaskTwice() throws Exception {
    String user = newUser();
    String session = sessionIn(user, "READY");
    UUID sessionId = UUID.fromString(session);

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS);
        ExecutorService replicas = Executors.newFixedThreadPool(9)) {
      String first = submit(user, session, "first");
      String second = submit(user, session, "second");
      String third = submit(user, session, "third");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(first));

      // As several replicas would: one handles the first task's completion while others try
      // to dispatch the session's next task, all at the same moment.
      List<Supplier<Object>> work = new ArrayList<>();
      work.add(
          () ->
              OnVertx.await(
                  () ->
                      runs.completed(
                          sessionId,
                          new TaskCompleted(
                              UUID.fromString(first),
                              "ok",
                              TaskFixtures.usage(),
                              "c1",
                              Instant.now()))));
      for (int i = 0; i < 8; i++) {
        work.add(() -> OnVertx.await(() -> queue.dispatchNext(sessionId)));
      }
      List<CompletableFuture<Object>> running =
          work.stream().map(w -> CompletableFuture.supplyAsync(w, replicas)).toList();
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();

      assertThat(stateOf(user, first)).isEqualTo("SUCCEEDED");
      assertThat(stateOf(user, second)).isEqualTo("DISPATCHED");
      assertThat(stateOf(user, third)).isEqualTo("QUEUED");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(second));
      assertThat(emitted(probe, session, TaskDispatched.class))
          .extracting(d -> d.taskId().toString())
          .containsExactly(first, second);
    }
  }

  @Test
  void queueLeftInTheDatabaseCarriesOnAfterARestart() {
    // What an earlier instance left behind when it stopped: a READY session whose first task
    // runs and two more wait. Nothing of it lives anywhere but in PostgreSQL.
    String user = newUser();
    String session = UUID.randomUUID().toString();
    UUID sessionId = UUID.fromString(session);
    TaskDb.execute(
        "INSERT INTO known_session (id, owner_id, state, changed_at) VALUES ($1, $2, 'READY', now())",
        Tuple.of(sessionId, user));
    List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    TaskDb.execute(
        "INSERT INTO task (id, session_id, owner_id, state, prompt, queued_at, dispatched_at,"
            + " started_at) VALUES ($1, $2, $3, 'RUNNING', 'running', now(), now(), now())",
        Tuple.of(ids.get(0), sessionId, user));
    for (UUID queued : ids.subList(1, 3)) {
      TaskDb.execute(
          "INSERT INTO task (id, session_id, owner_id, state, prompt, queued_at)"
              + " VALUES ($1, $2, $3, 'QUEUED', 'waiting', now())",
          Tuple.of(queued, sessionId, user));
    }

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      runToCompletion(session, user, ids.get(0).toString());
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().equals(ids.get(1)));
      assertThat(stateOf(user, ids.get(2).toString())).isEqualTo("QUEUED");

      runToCompletion(session, user, ids.get(1).toString());
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().equals(ids.get(2)));
      assertThat(emitted(probe, session, TaskDispatched.class))
          .extracting(TaskDispatched::taskId)
          .containsExactly(ids.get(1), ids.get(2));
    }
  }
}
