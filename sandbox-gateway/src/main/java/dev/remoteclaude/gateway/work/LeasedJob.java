package dev.remoteclaude.gateway.work;

import io.smallrye.mutiny.Uni;

/**
 * A kind of work the gateway does on rows of its own tables (provisioning a sandbox, running a
 * task): {@link LeasedWork} claims the pending rows and calls {@link #run(Lease)} for each, on this
 * instance only, one call per key at a time.
 */
public interface LeasedJob {

  WorkKind kind();

  /**
   * Works on one claimed key, outside any transaction, on a context of its own. The job ends the
   * work by moving its row out of the kind's pending condition; if it fails or returns without
   * doing so, the row is claimed again at the next wake.
   */
  Uni<Void> run(Lease lease);
}
