package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.sandbox.SnapshotRepository.Stored;
import dev.remoteclaude.gateway.work.Lease;
import dev.remoteclaude.gateway.work.LeasedJob;
import dev.remoteclaude.gateway.work.WorkKind;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;

/**
 * Deletes the snapshots {@link SnapshotRetention} marked, as leased work: at the provider first,
 * then the row. A deletion that fails is logged and stays marked, to be tried again after {@code
 * gateway.snapshots.delete-retry-delay} (doubled per failure, at most an hour) by any instance.
 *
 * <p>The session's sandbox row is locked meanwhile, as a restore request locks it: a snapshot a
 * sandbox has come to name again (a restore from it was requested after it was marked) is kept.
 */
@ApplicationScoped
public class SnapshotDeletion implements LeasedJob {

  public static final WorkKind KIND =
      new WorkKind(
          "snapshot-deletion",
          "sandbox_snapshot",
          "id",
          "delete_requested_at IS NOT NULL AND next_attempt_at <= now()");

  private static final Duration MAX_RETRY_DELAY = Duration.ofHours(1);
  private static final int MAX_ERROR_LENGTH = 500;

  private final SnapshotRepository snapshots;
  private final SandboxRepository sandboxes;
  private final ProviderCalls providers;
  private final GatewayConfig config;

  public SnapshotDeletion(
      SnapshotRepository snapshots,
      SandboxRepository sandboxes,
      ProviderCalls providers,
      GatewayConfig config) {
    this.snapshots = snapshots;
    this.sandboxes = sandboxes;
    this.providers = providers;
    this.config = config;
  }

  @Override
  public WorkKind kind() {
    return KIND;
  }

  @Override
  public Uni<Void> run(Lease lease) {
    UUID id = lease.key();
    return Panache.withTransaction(
            () ->
                snapshots
                    .find(id)
                    .chain(
                        row ->
                            row == null || !row.markedForDeletion()
                                ? Uni.createFrom().voidItem()
                                : delete(row)))
        .onFailure()
        .recoverWithUni(failure -> failed(id, failure));
  }

  private Uni<Void> delete(Stored row) {
    return sandboxes
        .lock(row.sessionId())
        .chain(() -> snapshots.namedBySandbox(row.snapshotId()))
        .chain(
            named -> {
              if (named) {
                Log.infof(
                    "session %s: snapshot %s is named by a sandbox again; kept",
                    row.sessionId(), row.snapshotId());
                return snapshots.unmark(row.id());
              }
              return Uni.createFrom()
                  .deferred(() -> providers.deleteSnapshot(row.provider(), row.snapshotId()))
                  .chain(() -> snapshots.forget(row.id()))
                  .invoke(
                      () ->
                          Log.debugf(
                              "session %s: snapshot %s deleted",
                              row.sessionId(), row.snapshotId()));
            });
  }

  private Uni<Void> failed(UUID id, Throwable failure) {
    String reason =
        failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    if (reason.length() > MAX_ERROR_LENGTH) {
      reason = reason.substring(0, MAX_ERROR_LENGTH);
    }
    Log.warnf("snapshot deletion %s failed; it is tried again later: %s", id, reason);
    String error = reason;
    return Panache.withTransaction(
            () ->
                snapshots.deletionFailed(
                    id, error, config.snapshots().deleteRetryDelay(), MAX_RETRY_DELAY))
        .onFailure()
        .invoke(
            f ->
                Log.warnf(
                    "snapshot deletion %s: the failure was not recorded (%s); the row stays marked",
                    id, f.getMessage()))
        .onFailure()
        .recoverWithNull();
  }
}
