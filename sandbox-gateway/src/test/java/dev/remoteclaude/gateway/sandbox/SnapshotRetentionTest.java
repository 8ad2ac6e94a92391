package dev.remoteclaude.gateway.sandbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxSnapshotted;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionSnapshotRequested;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.FlakyDeletesProvider;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.SessionFiles;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Snapshots stay within their retention and size: a session keeps its newest {@code
 * gateway.snapshots.keep} (3), none once it is terminated, never one a restore needs, and none
 * larger than {@code gateway.snapshots.max-bytes} (8 MiB in tests).
 */
@QuarkusTest
class SnapshotRetentionTest {

  private static final int KEEP = 3;

  @Inject Pool pool;
  @Inject FlakyDeletesProvider flaky;

  @Test
  void aSessionKeepsOnlyItsNewestSnapshotsOnDiskAndInTheTable() {
    Sessions.Ready session = Sessions.provision();
    List<String> taken = new ArrayList<>();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      for (int i = 0; i < KEEP + 2; i++) {
        taken.add(snapshot(gateway, session));
      }
    }
    List<String> newest = taken.subList(2, taken.size());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(rowsOf(session.sessionId())).containsExactlyInAnyOrderElementsOf(newest);
              assertThat(onDisk(taken)).containsExactlyInAnyOrderElementsOf(newest);
            });
    assertThat(sizesOf(session.sessionId())).hasSize(KEEP).allMatch(size -> size > 0);
  }

  @Test
  void terminatingTheSessionDeletesAllItsSnapshots() {
    Sessions.Ready session = Sessions.provision();
    Sessions.Ready other = Sessions.provision();
    List<String> taken = new ArrayList<>();
    String othersSnapshot;
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      taken.add(snapshot(gateway, session));
      taken.add(snapshot(gateway, session));
      othersSnapshot = snapshot(gateway, other);
      assertThat(onDisk(taken)).containsExactlyInAnyOrderElementsOf(taken);

      Sessions.send(session.sessionId(), session.userId(), new SessionTerminateRequested("user"));
      Sessions.await(gateway, session.sessionId(), "sandbox.terminated");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(onDisk(taken)).isEmpty();
              assertThat(rowsOf(session.sessionId())).isEmpty();
            });
    assertThat(onDisk(List.of(othersSnapshot))).containsExactly(othersSnapshot);
    assertThat(rowsOf(other.sessionId())).containsExactly(othersSnapshot);
  }

  @Test
  void aSessionThatEndsInAnotherFinalStateHasItsSnapshotsDeletedToo() {
    Sessions.Ready session = Sessions.provision();
    List<String> taken = new ArrayList<>();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      taken.add(snapshot(gateway, session));
      // A state change that does not end the session deletes nothing; the snapshot asked for
      // after it is answered after it (one partition per session).
      Sessions.send(
          session.sessionId(),
          session.userId(),
          new SessionStateChanged("READY", "PAUSING", "idle", Instant.now(), null));
      taken.add(snapshot(gateway, session));
      assertThat(onDisk(taken)).containsExactlyInAnyOrderElementsOf(taken);
      assertThat(rowsOf(session.sessionId())).containsExactlyInAnyOrderElementsOf(taken);
    }
    // session-service gave up on it (recovery exhausted, say): nothing will restore its snapshots
    Sessions.send(
        session.sessionId(),
        session.userId(),
        new SessionStateChanged(
            "RECOVERING", "FAILED", "sandbox lost and not recovered", Instant.now(), null));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(onDisk(taken)).isEmpty();
              assertThat(rowsOf(session.sessionId())).isEmpty();
            });
  }

  @Test
  void aSandboxRestoredAfterALossStartsFromItsSnapshotAndRetentionCountsTheWholeSession()
      throws IOException {
    Sessions.Ready session = Sessions.provision();
    SessionFiles.write(session, "notes.txt", "before the loss");
    List<String> taken = new ArrayList<>();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      for (int i = 0; i < KEEP; i++) {
        taken.add(snapshot(gateway, session));
      }
      String last = taken.getLast();

      loseAndRestore(gateway, session, last);
      assertThat(SessionFiles.read(session, "notes.txt")).isEqualTo("before the loss");
      assertThat(onDisk(taken)).as("the old sandbox's end deleted none").hasSize(KEEP);

      // the new sandbox's snapshots and the old one's are counted together, per session
      taken.add(snapshot(gateway, session));
      taken.add(snapshot(gateway, session));
    }
    List<String> newest = taken.subList(2, taken.size());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(rowsOf(session.sessionId())).containsExactlyInAnyOrderElementsOf(newest);
              assertThat(onDisk(taken)).containsExactlyInAnyOrderElementsOf(newest);
            });
    assertThat(sandboxIdsOf(session.sessionId())).as("snapshots of both sandboxes").hasSize(2);
  }

  @Test
  void aSnapshotMarkedForDeletionIsKeptWhenARestoreFromItIsRequested() throws IOException {
    Sessions.Ready session = Sessions.provision();
    SessionFiles.write(session, "notes.txt", "in the oldest snapshot");
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      String oldest = snapshot(gateway, session);
      SessionFiles.write(session, "notes.txt", "in the newer snapshot");
      String newer = snapshot(gateway, session);
      // Retention has marked the oldest, but its deletion has not run yet when the sandbox is lost
      // and session-service asks for a restore from it (not from the sandbox's last snapshot).
      assertThat(lastSnapshotOf(session.sessionId())).isEqualTo(newer);
      sql(
          "UPDATE sandbox_snapshot SET delete_requested_at = now(),"
              + " next_attempt_at = now() + interval '1 hour' WHERE snapshot_id = $1",
          oldest);

      loseAndRestore(gateway, session, oldest);
      assertThat(SessionFiles.read(session, "notes.txt")).isEqualTo("in the oldest snapshot");

      sql("UPDATE sandbox_snapshot SET next_attempt_at = now() WHERE snapshot_id = $1", oldest);
      await().atMost(Duration.ofSeconds(30)).until(() -> !marked(oldest) && !due(oldest));
      assertThat(onDisk(List.of(oldest))).containsExactly(oldest);
    }
  }

  @Test
  void aSnapshotLargerThanTheLimitFailsLeavesNoPartialFileAndKeepsThePreviousOnes() {
    Sessions.Ready session = Sessions.provision();
    String previous;
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      previous = snapshot(gateway, session);
      command(session, "head -c 12582912 /dev/urandom > random.bin");

      Sessions.send(session.sessionId(), session.userId(), new SessionSnapshotRequested());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  log(session)
                      .getList("events.findAll { it.type == 'sandbox.progress' }.data.step")
                      .contains("snapshot_failed"));
      assertThat(
              log(session)
                  .getString(
                      "events.find { it.type == 'sandbox.progress'"
                          + " && it.data.step == 'snapshot_failed' }.data.reason"))
          .contains("larger than the limit of " + (8 << 20) + " bytes");
      assertThat(snapshotted(gateway, session.sessionId())).containsExactly(previous);
    }
    try (Stream<Path> files = Files.list(snapshotsDir())) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.endsWith(".part"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    assertThat(onDisk(List.of(previous))).containsExactly(previous);
    assertThat(rowsOf(session.sessionId())).containsExactly(previous);
    assertThat(lastSnapshotOf(session.sessionId())).isEqualTo(previous);
  }

  @Test
  void aDeletionThatFailsIsRetriedLaterNotLost() {
    UUID row = UUID.randomUUID();
    String snapshotId = "fsn-" + UUID.randomUUID();
    flaky.failNext(2); // both tries of the first attempt (ProviderCalls retries once here)
    pool.preparedQuery(
            "INSERT INTO sandbox_snapshot (id, session_id, sandbox_id, provider, snapshot_id,"
                + " created_at, delete_requested_at, next_attempt_at)"
                + " VALUES ($1, $2, 'fsb-1', 'flaky-deletes', $3, now(), now(), now())")
        .execute(Tuple.of(row, UUID.randomUUID(), snapshotId))
        .await()
        .indefinitely();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Row failed = rowById(row);
              assertThat(failed).as("a failed deletion keeps its row").isNotNull();
              assertThat(failed.getInteger("delete_attempts")).isEqualTo(1);
              assertThat(failed.getString("last_error")).contains("provider outage");
            });
    await().atMost(Duration.ofSeconds(30)).until(() -> rowById(row) == null);
    assertThat(flaky.deleted()).contains(snapshotId);
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** Asks for a snapshot and returns its id once the gateway announced it. */
  private static String snapshot(KafkaProbe gateway, Sessions.Ready session) {
    int before = snapshotted(gateway, session.sessionId()).size();
    Sessions.send(session.sessionId(), session.userId(), new SessionSnapshotRequested());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> snapshotted(gateway, session.sessionId()).size() > before);
    return snapshotted(gateway, session.sessionId()).get(before);
  }

  private static List<String> snapshotted(KafkaProbe gateway, UUID sessionId) {
    return gateway.records().stream()
        .filter(r -> sessionId.toString().equals(r.key()))
        .map(r -> EventCodec.read(r.value()))
        .filter(e -> e.type().equals("sandbox.snapshotted"))
        .map(e -> Sessions.payload(e, SandboxSnapshotted.class).snapshotId())
        .toList();
  }

  /**
   * The host loses the session's sandbox; the gateway notices, and session-service (played here)
   * asks for it again, restored from {@code snapshot}.
   */
  private static void loseAndRestore(KafkaProbe gateway, Sessions.Ready session, String snapshot)
      throws IOException {
    deleteSandboxOf(session);
    Sessions.send(session.sessionId(), session.userId(), new SessionPauseRequested("idle"));
    Sessions.await(gateway, session.sessionId(), "sandbox.lost");
    int provisioned = count(gateway, session.sessionId(), "sandbox.provisioned");
    Sessions.send(session.sessionId(), session.userId(), Sessions.restoredFrom(snapshot));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> count(gateway, session.sessionId(), "sandbox.provisioned") > provisioned);
  }

  private static int count(KafkaProbe gateway, UUID sessionId, String type) {
    return (int)
        gateway.records().stream()
            .filter(r -> sessionId.toString().equals(r.key()))
            .map(r -> EventCodec.read(r.value()))
            .map(EventEnvelope::type)
            .filter(type::equals)
            .count();
  }

  /** Deletes the session's sandbox directory on the host, found by a marker file. */
  private static void deleteSandboxOf(Sessions.Ready session) throws IOException {
    String marker = ".marker-" + session.sessionId();
    SessionFiles.write(session, marker, "");
    try (Stream<Path> dirs = Files.list(GatewayTestResource.sandboxRoot().resolve("sandboxes"))) {
      for (Path dir : dirs.toList()) {
        if (Files.exists(dir.resolve("workspace").resolve(marker))) {
          try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(p);
            }
          }
          return;
        }
      }
    }
    throw new IllegalStateException("no sandbox directory found");
  }

  private static void command(Sessions.Ready session, String script) {
    given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .contentType("application/json")
        .body(Map.of("script", script))
        .post("/api/v1/sessions/{id}/commands", session.sessionId())
        .then()
        .statusCode(200)
        .body("exitCode", equalTo(0));
  }

  private static JsonPath log(Sessions.Ready session) {
    return given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .queryParam("limit", 1000)
        .get("/api/v1/sessions/{id}/events", session.sessionId())
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private static Path snapshotsDir() {
    return GatewayTestResource.sandboxRoot().resolve("snapshots");
  }

  /** Those of the snapshots whose archive is on disk. */
  private static List<String> onDisk(List<String> snapshots) {
    return snapshots.stream()
        .filter(id -> Files.exists(snapshotsDir().resolve(id + ".tar.gz")))
        .toList();
  }

  private List<String> rowsOf(UUID sessionId) {
    return column("SELECT snapshot_id FROM sandbox_snapshot WHERE session_id = $1", sessionId)
        .stream()
        .map(row -> row.getString(0))
        .toList();
  }

  private List<Long> sizesOf(UUID sessionId) {
    return column("SELECT size_bytes FROM sandbox_snapshot WHERE session_id = $1", sessionId)
        .stream()
        .map(row -> row.getLong(0))
        .toList();
  }

  private List<String> sandboxIdsOf(UUID sessionId) {
    return column(
            "SELECT DISTINCT sandbox_id FROM sandbox_snapshot WHERE session_id = $1", sessionId)
        .stream()
        .map(row -> row.getString(0))
        .toList();
  }

  private String lastSnapshotOf(UUID sessionId) {
    return column("SELECT last_snapshot_id FROM sandbox WHERE session_id = $1", sessionId)
        .getFirst()
        .getString(0);
  }

  private boolean marked(String snapshotId) {
    return column(
                "SELECT 1 FROM sandbox_snapshot WHERE snapshot_id = $1"
                    + " AND delete_requested_at IS NOT NULL",
                snapshotId)
            .size()
        > 0;
  }

  private boolean due(String snapshotId) {
    return column(
                "SELECT 1 FROM sandbox_snapshot WHERE snapshot_id = $1 AND next_attempt_at IS NOT NULL",
                snapshotId)
            .size()
        > 0;
  }

  private Row rowById(UUID id) {
    List<Row> rows =
        column("SELECT delete_attempts, last_error FROM sandbox_snapshot WHERE id = $1", id);
    return rows.isEmpty() ? null : rows.getFirst();
  }

  private List<Row> column(String sql, Object parameter) {
    List<Row> rows = new ArrayList<>();
    pool.preparedQuery(sql).execute(Tuple.of(parameter)).await().indefinitely().forEach(rows::add);
    return rows;
  }

  private void sql(String sql, Object parameter) {
    pool.preparedQuery(sql).execute(Tuple.of(parameter)).await().indefinitely();
  }
}
