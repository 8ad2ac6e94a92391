package dev.remoteclaude.gateway.work;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Leased work across instances: claims, leases that run out, and work taken over. */
@QuarkusTest
class LeasedWorkTest {

  @Inject Pool pool;
  @Inject LeaseRepository leases;

  private void sql(String statement, Object... params) {
    pool.preparedQuery(statement)
        .execute(Tuple.from(params))
        .await()
        .atMost(Duration.ofSeconds(10));
  }

  /** An instance that stopped renewing its lease a minute ago. */
  private String deadInstance() {
    String worker = "gw-dead-" + UUID.randomUUID();
    sql(
        "INSERT INTO gateway_worker (worker, lease_until) VALUES ($1, now() - interval '1 minute')",
        worker);
    return worker;
  }

  private String liveInstance() {
    String worker = "gw-live-" + UUID.randomUUID();
    sql(
        "INSERT INTO gateway_worker (worker, lease_until) VALUES ($1, now() + interval '1 hour')",
        worker);
    return worker;
  }

  @Test
  void concurrentClaimsNeverTakeTheSameRowAndSkipWhatALiveInstanceHolds() throws Exception {
    String table = "lease_probe_" + UUID.randomUUID().toString().replace("-", "");
    sql("CREATE TABLE " + table + " (id UUID PRIMARY KEY, state TEXT NOT NULL, worker TEXT)");
    String held = liveInstance();
    String dead = deadInstance();
    Set<UUID> claimable = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      UUID id = UUID.randomUUID();
      // Free rows and rows of a dead instance can be claimed; a live instance's rows cannot.
      String owner = i % 3 == 0 ? null : i % 3 == 1 ? dead : held;
      sql("INSERT INTO " + table + " (id, state, worker) VALUES ($1, 'PENDING', $2)", id, owner);
      if (!held.equals(owner)) {
        claimable.add(id);
      }
    }
    sql(
        "INSERT INTO " + table + " (id, state, worker) VALUES ($1, 'DONE', NULL)",
        UUID.randomUUID());
    WorkKind kind = new WorkKind("probe", table, "id", "state = 'PENDING'");
    // Six instances claim at once.
    List<CompletableFuture<List<UUID>>> claims = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      claims.add(leases.claim(kind, liveInstance(), List.of()).subscribeAsCompletionStage());
    }
    List<UUID> all = new ArrayList<>();
    for (CompletableFuture<List<UUID>> claim : claims) {
      all.addAll(claim.get());
    }

    assertThat(all).doesNotHaveDuplicates();
    assertThat(new HashSet<>(all)).isEqualTo(claimable);
  }

  @Test
  void anInstanceClaimsItsOwnRowAgainOnlyWhenItNoLongerWorksOnIt() throws Exception {
    String table = "lease_probe_" + UUID.randomUUID().toString().replace("-", "");
    sql("CREATE TABLE " + table + " (id UUID PRIMARY KEY, state TEXT NOT NULL, worker TEXT)");
    String me = liveInstance();
    UUID busy = UUID.randomUUID();
    UUID abandoned = UUID.randomUUID();
    sql("INSERT INTO " + table + " (id, state, worker) VALUES ($1, 'PENDING', $2)", busy, me);
    sql("INSERT INTO " + table + " (id, state, worker) VALUES ($1, 'PENDING', $2)", abandoned, me);
    WorkKind kind = new WorkKind("probe", table, "id", "state = 'PENDING'");

    List<UUID> claimed = leases.claim(kind, me, List.of(busy)).subscribeAsCompletionStage().get();

    assertThat(claimed).containsExactly(abandoned);
  }

  @Test
  void aRunLeftRunningByADeadInstanceEndsInterrupted() {
    UUID session = UUID.randomUUID();
    UUID task = UUID.randomUUID();
    String dead = deadInstance();
    String dispatch = EventCodec.mapper().valueToTree(Sessions.task(task, "never runs")).toString();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      sql(
          "INSERT INTO task_run (task_id, session_id, owner_id, state, dispatch, cancel_requested,"
              + " worker, started_at) VALUES ($1, $2, $3, 'RUNNING', $4, false, $5, now())",
          task,
          session,
          "u-" + UUID.randomUUID(),
          dispatch,
          dead);

      EventEnvelope failed = Sessions.awaitTask(gateway, task, "task.failed");
      TaskFailed payload = EventCodec.mapper().convertValue(failed.data(), TaskFailed.class);
      assertThat(payload.code()).isEqualTo(TaskFailed.INTERRUPTED);
      assertThat(failed.subject()).isEqualTo(session.toString());
    }
  }

  @Test
  void provisioningLeftByADeadInstanceIsTakenOverAndFinishes() {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    String dead = deadInstance();
    String request =
        EventCodec.mapper()
            .valueToTree(Sessions.request(GitRepos.withReadme("# taken over\n"), "main", List.of()))
            .toString();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      sql(
          "INSERT INTO sandbox (session_id, owner_id, provider, state, worker, created_at,"
              + " updated_at) VALUES ($1, $2, 'local', 'PROVISIONING', $3, now(), now())",
          session,
          user,
          dead);
      sql("INSERT INTO sandbox_request (session_id, request) VALUES ($1, $2)", session, request);

      EventEnvelope provisioned = Sessions.await(gateway, session, "sandbox.provisioned");
      assertThat(provisioned.userId()).isEqualTo(user);
    }
  }
}
