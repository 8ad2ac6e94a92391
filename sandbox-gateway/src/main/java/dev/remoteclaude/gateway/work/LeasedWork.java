package dev.remoteclaude.gateway.work;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.db.PgNotifications;
import dev.remoteclaude.common.events.EventCodec;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the gateway's leased work, for every {@link LeasedJob}, with any number of replicas:
 *
 * <ul>
 *   <li><b>claim</b>: pending rows are taken with {@code FOR UPDATE SKIP LOCKED} and stamped with
 *       this instance's id, whose lease {@link Workers} renews; two instances never take the same
 *       row, and this one runs at most one job per key;
 *   <li><b>wake</b>: whoever adds work calls {@link #offer(WorkKind)} in its transaction; its
 *       commit notifies every instance ({@value #WAKE_CHANNEL}), which then claims;
 *   <li><b>recover</b>: rows of instances whose lease ran out are claimed like new ones, at every
 *       sweep ({@code gateway.recovery-interval}) and when the notification connection is back;
 *   <li><b>stop</b>: {@link #stop} sends a {@link StopSignal} as JSON ({@value #STOP_CHANNEL}) on
 *       commit; the instance that runs the key hands it to the job's {@link Lease}.
 * </ul>
 */
@ApplicationScoped
public class LeasedWork {

  public static final String WAKE_CHANNEL = "rc_work_wake";
  public static final String STOP_CHANNEL = "rc_work_stop";

  private final Map<String, Kind> kinds = new LinkedHashMap<>();
  private final Workers workers;
  private final LeaseRepository leases;
  private final PgNotifications notifications;

  /** One kind of work on this instance: its job and the keys it works on now. */
  private static final class Kind {
    final LeasedJob job;
    final Map<UUID, Lease> running = new ConcurrentHashMap<>();
    final AtomicBoolean claiming = new AtomicBoolean();
    final AtomicBoolean again = new AtomicBoolean();

    Kind(LeasedJob job) {
      this.job = job;
    }
  }

  public LeasedWork(
      Instance<LeasedJob> jobs,
      Workers workers,
      LeaseRepository leases,
      PgNotifications notifications) {
    this.workers = workers;
    this.leases = leases;
    this.notifications = notifications;
    for (LeasedJob job : jobs) {
      kinds.put(job.kind().name(), new Kind(job));
    }
  }

  void onStart(@Observes StartupEvent event) {
    notifications.subscribe(WAKE_CHANNEL, this::onWake, this::wakeAll);
    notifications.subscribe(STOP_CHANNEL, this::onStop, () -> {});
  }

  @Scheduled(
      every = "${gateway.recovery-interval:5s}",
      delayed = "2s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void sweep() {
    wakeAll();
  }

  /** Wakes every instance for this kind when the caller's transaction commits. */
  public Uni<Void> offer(WorkKind kind) {
    return leases.notifyOnCommit(WAKE_CHANNEL, kind.name());
  }

  /** Asks the instance working on {@code key} to stop it, when the caller's transaction commits. */
  public Uni<Void> stop(WorkKind kind, UUID key, String code, String reason) {
    String json;
    try {
      json = EventCodec.mapper().writeValueAsString(new StopSignal(kind.name(), key, code, reason));
    } catch (JsonProcessingException e) {
      return Uni.createFrom().failure(e);
    }
    return leases.notifyOnCommit(STOP_CHANNEL, json);
  }

  /** Stops every job of a kind that runs on this instance (it is shutting down). */
  public void stopHere(WorkKind kind, String code, String reason) {
    Kind k = kinds.get(kind.name());
    if (k != null) {
      k.running.forEach((key, lease) -> lease.stop(new StopSignal(kind.name(), key, code, reason)));
    }
  }

  /** Claims the pending work of a kind and starts it; returns at once. */
  public void wake(WorkKind kind) {
    Kind k = kinds.get(kind.name());
    if (k != null) {
      claim(k);
    }
  }

  private void wakeAll() {
    kinds.values().forEach(this::claim);
  }

  private void onWake(String payload) {
    Kind k = kinds.get(payload);
    if (k != null) {
      claim(k);
    }
  }

  private void onStop(String payload) {
    StopSignal signal;
    try {
      signal = EventCodec.mapper().readValue(payload, StopSignal.class);
    } catch (JsonProcessingException | RuntimeException e) {
      Log.debugf("ignoring an unreadable stop signal");
      return;
    }
    Kind k = signal.kind() == null ? null : kinds.get(signal.kind());
    Lease lease = k == null || signal.key() == null ? null : k.running.get(signal.key());
    if (lease != null) {
      lease.stop(signal);
    }
  }

  /** One claim at a time per kind; a wake during a claim makes it claim once more after. */
  private void claim(Kind k) {
    if (!k.claiming.compareAndSet(false, true)) {
      k.again.set(true);
      return;
    }
    k.again.set(false);
    leases
        .claim(k.job.kind(), workers.id(), List.copyOf(k.running.keySet()))
        .subscribe()
        .with(
            keys -> {
              keys.forEach(key -> start(k, key));
              claimed(k, keys.size() == LeaseRepository.CLAIM_LIMIT);
            },
            failure -> {
              Log.warnf("cannot claim %s work: %s", k.job.kind().name(), failure.getMessage());
              claimed(k, false);
            });
  }

  private void claimed(Kind k, boolean more) {
    k.claiming.set(false);
    if (more || k.again.getAndSet(false)) {
      claim(k);
    }
  }

  private void start(Kind k, UUID key) {
    Lease lease = new Lease(key);
    if (k.running.putIfAbsent(key, lease) != null) {
      return;
    }
    SafeContext.run(() -> k.job.run(lease))
        .onTermination()
        .invoke(() -> k.running.remove(key))
        .subscribe()
        .with(
            ok -> {},
            failure -> Log.errorf(failure, "%s work on %s failed", k.job.kind().name(), key));
  }
}
