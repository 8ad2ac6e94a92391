package dev.remoteclaude.gateway.work;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** The live gateway instances ({@code gateway_worker}): each renews a lease while it runs. */
@ApplicationScoped
public class WorkerRepository {

  /** SQL condition on a table with a {@code worker} column: the row's worker is alive. */
  public static final String ALIVE =
      "worker IN (SELECT worker FROM gateway_worker WHERE lease_until > now())";

  private final Pool pool;

  public WorkerRepository(Pool pool) {
    this.pool = pool;
  }

  public Uni<Void> renew(String worker, Duration lease) {
    return pool.preparedQuery(
            "INSERT INTO gateway_worker (worker, lease_until)"
                + " VALUES ($1, now() + $2 * interval '1 millisecond')"
                + " ON CONFLICT (worker) DO UPDATE SET lease_until = EXCLUDED.lease_until")
        .execute(Tuple.of(worker, lease.toMillis()))
        .replaceWithVoid();
  }

  public Uni<Void> retire(String worker) {
    return pool.preparedQuery("DELETE FROM gateway_worker WHERE worker = $1")
        .execute(Tuple.of(worker))
        .replaceWithVoid();
  }
}
