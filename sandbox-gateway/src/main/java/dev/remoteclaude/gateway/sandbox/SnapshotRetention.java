package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.Snapshot;
import dev.remoteclaude.gateway.work.LeasedWork;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which snapshots a session keeps: its newest {@code gateway.snapshots.keep} (counted per session,
 * across the sandboxes it had: one restored after a loss is the same session's), none once the
 * session is over. A snapshot a sandbox still names as its last one or its restore source is always
 * kept. The others are marked for deletion, which {@link SnapshotDeletion} carries out.
 */
@ApplicationScoped
public class SnapshotRetention {

  private final SnapshotRepository snapshots;
  private final SandboxRepository sandboxes;
  private final LeasedWork work;
  private final GatewayConfig config;

  public SnapshotRetention(
      SnapshotRepository snapshots,
      SandboxRepository sandboxes,
      LeasedWork work,
      GatewayConfig config) {
    this.snapshots = snapshots;
    this.sandboxes = sandboxes;
    this.work = work;
    this.config = config;
  }

  /**
   * A snapshot of the sandbox was stored and the (locked) sandbox names it as its last: records it
   * and marks the session's snapshots beyond the newest to keep; inside that transaction.
   */
  Uni<Void> taken(Sandbox sandbox, Snapshot snapshot) {
    int keep = Math.max(1, config.snapshots().keep());
    return snapshots
        .record(sandbox.sessionId, sandbox.providerId, sandbox.provider, snapshot)
        // the sandbox row's new last snapshot, written before the query that reads it
        .chain(sandboxes::flush)
        .chain(() -> snapshots.markBeyondNewest(sandbox.sessionId, keep))
        .chain(this::deleteMarked);
  }

  /**
   * The session is over: no sandbox of it will be restored again, so the (locked) sandbox names no
   * snapshot any more and all the session's snapshots are marked; inside that transaction.
   */
  Uni<Void> sessionOver(Sandbox sandbox) {
    sandbox.lastSnapshotId = null;
    sandbox.restoreSnapshotId = null;
    return snapshots.markAllOf(sandbox.sessionId).chain(this::deleteMarked);
  }

  private Uni<Void> deleteMarked(int marked) {
    return marked > 0 ? work.offer(SnapshotDeletion.KIND) : Uni.createFrom().voidItem();
  }
}
