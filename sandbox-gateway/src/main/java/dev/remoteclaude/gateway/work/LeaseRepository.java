package dev.remoteclaude.gateway.work;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Claims of leased work, and the notifications that wake and stop it. */
@ApplicationScoped
public class LeaseRepository {

  /** How many keys one claim takes at most. */
  static final int CLAIM_LIMIT = 100;

  private final Pool pool;

  public LeaseRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Claims for {@code worker} the pending rows of a kind that nobody works on: unowned rows, rows
   * of instances whose lease ran out, and this instance's own rows that it does not work on now
   * ({@code busy}: a job that ended without finishing its row). Rows locked by another claim are
   * skipped, so no two instances take the same one. One statement, committed on its own.
   */
  public Uni<List<UUID>> claim(WorkKind kind, String worker, Collection<UUID> busy) {
    String sql =
        "UPDATE "
            + kind.table()
            + " SET worker = $1 WHERE "
            + kind.key()
            + " IN (SELECT "
            + kind.key()
            + " FROM "
            + kind.table()
            + " WHERE ("
            + kind.pending()
            + ") AND (worker IS NULL OR NOT "
            + WorkerRepository.ALIVE
            + " OR (worker = $1 AND NOT "
            + kind.key()
            + " = ANY($2)))"
            + " ORDER BY "
            + kind.key()
            + " LIMIT "
            + CLAIM_LIMIT
            + " FOR UPDATE SKIP LOCKED) RETURNING "
            + kind.key();
    return pool.preparedQuery(sql)
        .execute(Tuple.of(worker, busy.toArray(UUID[]::new)))
        .map(
            rows -> {
              List<UUID> keys = new ArrayList<>(rows.size());
              for (Row row : rows) {
                keys.add(row.getUUID(0));
              }
              return keys;
            });
  }

  /** Sends a notification when the caller's transaction commits (none if it rolls back). */
  public Uni<Void> notifyOnCommit(String channel, String payload) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("SELECT CAST(pg_notify(?1, ?2) AS text)")
                    .setParameter(1, channel)
                    .setParameter(2, payload)
                    .getSingleResult())
        .replaceWithVoid();
  }
}
