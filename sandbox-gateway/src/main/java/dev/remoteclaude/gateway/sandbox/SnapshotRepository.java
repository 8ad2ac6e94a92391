package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.gateway.provider.Snapshot;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;

/**
 * The snapshots the gateway stored ({@code sandbox_snapshot}), per session. A snapshot a sandbox
 * row still names (its {@code last_snapshot_id}, or the {@code restore_snapshot_id} it restores
 * from) is never marked for deletion. Every method runs inside the caller's transaction.
 */
@ApplicationScoped
public class SnapshotRepository {

  /** A snapshot as the deletion job reads it. */
  public record Stored(
      UUID id, UUID sessionId, String provider, String snapshotId, boolean markedForDeletion) {}

  /** Whether a sandbox row names the snapshot {@code sn.snapshot_id} (of the statement). */
  private static final String NAMED_BY_A_SANDBOX =
      "EXISTS (SELECT 1 FROM sandbox s WHERE (s.last_snapshot_id = sn.snapshot_id"
          + " OR s.restore_snapshot_id = sn.snapshot_id)";

  private static final String MARK =
      "UPDATE sandbox_snapshot sn SET delete_requested_at = now(), next_attempt_at = now()"
          + " WHERE sn.session_id = ?1 AND sn.delete_requested_at IS NULL";

  /** Records a snapshot just stored of the session's sandbox {@code sandboxId}. */
  public Uni<Void> record(UUID sessionId, String sandboxId, String provider, Snapshot snapshot) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO sandbox_snapshot (id, session_id, sandbox_id, provider,"
                            + " snapshot_id, size_bytes, created_at)"
                            + " VALUES (?1, ?2, ?3, ?4, ?5, CAST(?6 AS bigint), clock_timestamp())")
                    .setParameter(1, UUID.randomUUID())
                    .setParameter(2, sessionId)
                    .setParameter(3, sandboxId)
                    .setParameter(4, provider)
                    .setParameter(5, snapshot.id())
                    .setParameter(
                        6,
                        snapshot.sizeBytes().isPresent() ? snapshot.sizeBytes().getAsLong() : null)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /**
   * Marks for deletion the session's snapshots older than its newest {@code keep} (those already
   * marked do not count), except any a sandbox row names. Returns how many were marked.
   */
  public Uni<Integer> markBeyondNewest(UUID sessionId, int keep) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        MARK
                            + " AND sn.id NOT IN (SELECT k.id FROM sandbox_snapshot k"
                            + " WHERE k.session_id = ?1 AND k.delete_requested_at IS NULL"
                            + " ORDER BY k.created_at DESC, k.id DESC LIMIT ?2)"
                            + " AND NOT "
                            + NAMED_BY_A_SANDBOX
                            + ")")
                    .setParameter(1, sessionId)
                    .setParameter(2, keep)
                    .executeUpdate());
  }

  /**
   * Marks every snapshot of the session for deletion (it is over), except any the sandbox row of
   * another session names. Returns how many were marked.
   */
  public Uni<Integer> markAllOf(UUID sessionId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        MARK + " AND NOT " + NAMED_BY_A_SANDBOX + " AND s.session_id <> ?1)")
                    .setParameter(1, sessionId)
                    .executeUpdate());
  }

  /** The snapshot row, or null. */
  public Uni<Stored> find(UUID id) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT CAST(session_id AS text), provider, snapshot_id,"
                            + " delete_requested_at IS NOT NULL FROM sandbox_snapshot"
                            + " WHERE id = ?1",
                        Object[].class)
                    .setParameter(1, id)
                    .getResultList())
        .map(
            rows -> {
              if (rows.isEmpty()) {
                return null;
              }
              Object[] row = rows.getFirst();
              return new Stored(
                  id,
                  UUID.fromString((String) row[0]),
                  (String) row[1],
                  (String) row[2],
                  Boolean.TRUE.equals(row[3]));
            });
  }

  /** Whether a sandbox row names the snapshot as its last one or the one it restores from. */
  public Uni<Boolean> namedBySandbox(String snapshotId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT count(*) FROM sandbox"
                            + " WHERE last_snapshot_id = ?1 OR restore_snapshot_id = ?1",
                        Long.class)
                    .setParameter(1, snapshotId)
                    .getSingleResult())
        .map(count -> count > 0);
  }

  /** Keeps the snapshot after all (a sandbox names it again); retention looks at it again later. */
  public Uni<Void> unmark(UUID id) {
    return update(
        "UPDATE sandbox_snapshot SET delete_requested_at = NULL, next_attempt_at = NULL,"
            + " worker = NULL WHERE id = ?1",
        id);
  }

  /** The snapshot is gone from its provider: forgets it. */
  public Uni<Void> forget(UUID id) {
    return update("DELETE FROM sandbox_snapshot WHERE id = ?1", id);
  }

  /**
   * A deletion failed: it is tried again after {@code delay}, doubled for every earlier failure, at
   * most {@code maxDelay}; any gateway instance may take it then.
   */
  public Uni<Void> deletionFailed(UUID id, String error, Duration delay, Duration maxDelay) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "UPDATE sandbox_snapshot SET delete_attempts = delete_attempts + 1,"
                            + " last_error = ?2, worker = NULL, next_attempt_at = now()"
                            + " + LEAST(?3 * power(2, LEAST(delete_attempts, 20)), ?4)"
                            + " * interval '1 millisecond' WHERE id = ?1")
                    .setParameter(1, id)
                    .setParameter(2, error)
                    .setParameter(3, delay.toMillis())
                    .setParameter(4, maxDelay.toMillis())
                    .executeUpdate())
        .replaceWithVoid();
  }

  private static Uni<Void> update(String sql, UUID id) {
    return Panache.getSession()
        .chain(s -> s.createNativeQuery(sql).setParameter(1, id).executeUpdate())
        .replaceWithVoid();
  }
}
