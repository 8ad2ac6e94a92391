package dev.remoteclaude.gateway.work;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.sandbox.Recovery;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;

/**
 * This gateway instance's identity and liveness. The instance renews a lease in {@code
 * gateway_worker}; work owned by an instance whose lease ran out (it crashed, or restarted under a
 * new identity) is taken over by the others: see {@link Recovery}.
 */
@ApplicationScoped
public class Workers {

  /** SQL condition: the row's {@code worker} is alive. */
  public static final String ALIVE =
      "worker IN (SELECT worker FROM gateway_worker WHERE lease_until > now())";

  private final String id = "gw-" + UUID.randomUUID();
  private final Pool pool;
  private final GatewayConfig config;

  public Workers(Pool pool, GatewayConfig config) {
    this.pool = pool;
    this.config = config;
  }

  public String id() {
    return id;
  }

  void onStart(@Observes StartupEvent event) {
    renew().await().indefinitely();
    Log.infof("gateway instance %s", id);
  }

  @Scheduled(
      every = "${gateway.heartbeat:5s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> heartbeat() {
    return renew();
  }

  Uni<Void> renew() {
    return pool.preparedQuery(
            "INSERT INTO gateway_worker (worker, lease_until)"
                + " VALUES ($1, now() + $2 * interval '1 millisecond')"
                + " ON CONFLICT (worker) DO UPDATE SET lease_until = EXCLUDED.lease_until")
        .execute(Tuple.of(id, config.lease().toMillis()))
        .replaceWithVoid();
  }

  /** Leaves the cluster at once (shutdown), so others need not wait for the lease to run out. */
  public Uni<Void> retire() {
    return pool.preparedQuery("DELETE FROM gateway_worker WHERE worker = $1")
        .execute(Tuple.of(id))
        .replaceWithVoid();
  }
}
