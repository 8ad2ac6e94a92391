package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxLost;
import dev.remoteclaude.common.events.SandboxPaused;
import dev.remoteclaude.common.events.SandboxResumed;
import dev.remoteclaude.common.events.SandboxSnapshotted;
import dev.remoteclaude.common.events.SandboxTerminated;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.announce.Announcer.Entry;
import dev.remoteclaude.gateway.gitproxy.GitAccess;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.provider.ProviderException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Pause, resume, terminate and snapshot requests from session-service, each answered by an event.
 * They run inside the consuming transaction (the sandbox row is locked); a request that finds the
 * sandbox already where it was asked to go is answered again, so repeats are harmless.
 */
@ApplicationScoped
public class LifecycleService {

  private final SandboxRepository sandboxes;
  private final SandboxRequests requests;
  private final ProviderCalls providers;
  private final Announcer announcer;
  private final SessionInterrupts interrupts;
  private final SnapshotRetention retention;
  private final GitAccess git;

  public LifecycleService(
      SandboxRepository sandboxes,
      SandboxRequests requests,
      ProviderCalls providers,
      Announcer announcer,
      SessionInterrupts interrupts,
      SnapshotRetention retention,
      GitAccess git) {
    this.git = git;
    this.sandboxes = sandboxes;
    this.requests = requests;
    this.providers = providers;
    this.announcer = announcer;
    this.interrupts = interrupts;
    this.retention = retention;
  }

  public Uni<Void> pause(EventEnvelope envelope, String reason) {
    return withSandbox(
        envelope,
        sandbox -> {
          if (sandbox.state == SandboxState.PAUSED) {
            return answer(sandbox, new SandboxPaused(Instant.now()));
          }
          if (sandbox.state != SandboxState.READY) {
            return ignored(sandbox, "pause");
          }
          return interrupts
              .interrupt(sandbox.sessionId, "the session was paused")
              .chain(() -> providers.pause(sandbox.provider, sandbox.providerId))
              .chain(() -> moveTo(sandbox, SandboxState.PAUSED, new SandboxPaused(Instant.now())));
        });
  }

  public Uni<Void> resume(EventEnvelope envelope) {
    return withSandbox(
        envelope,
        sandbox -> {
          if (sandbox.state == SandboxState.READY) {
            return answer(sandbox, new SandboxResumed(Instant.now()));
          }
          if (sandbox.state != SandboxState.PAUSED) {
            return ignored(sandbox, "resume");
          }
          return providers
              .resume(sandbox.provider, sandbox.providerId)
              .chain(() -> moveTo(sandbox, SandboxState.READY, new SandboxResumed(Instant.now())));
        });
  }

  /**
   * The session is over: its sandbox is freed and its snapshots deleted. (Re-provisioning after a
   * loss frees the old sandbox itself and keeps the snapshots: see SandboxPreparation.)
   */
  public Uni<Void> terminate(EventEnvelope envelope, String reason) {
    return withSandbox(
        envelope,
        sandbox -> {
          if (sandbox.state == SandboxState.TERMINATED) {
            return answer(sandbox, new SandboxTerminated(Instant.now()));
          }
          Uni<Void> release =
              sandbox.providerId == null
                  ? Uni.createFrom().voidItem()
                  : providers.terminate(sandbox.provider, sandbox.providerId);
          return interrupts
              .interrupt(sandbox.sessionId, "the session was terminated")
              .chain(() -> release)
              .chain(() -> requests.forget(sandbox.sessionId))
              .chain(() -> git.close(sandbox.sessionId))
              .chain(() -> retention.sessionOver(sandbox))
              .chain(
                  () -> {
                    sandbox.worker = null;
                    return moveTo(
                        sandbox, SandboxState.TERMINATED, new SandboxTerminated(Instant.now()));
                  });
        });
  }

  public Uni<Void> snapshot(EventEnvelope envelope) {
    return withSandbox(
        envelope,
        sandbox -> {
          if (sandbox.state != SandboxState.READY && sandbox.state != SandboxState.PAUSED) {
            return ignored(sandbox, "snapshot");
          }
          return providers
              .snapshot(sandbox.provider, sandbox.providerId)
              .chain(
                  snapshot -> {
                    sandbox.lastSnapshotId = snapshot.id();
                    // the sandbox has a snapshot of its own now: what it was restored from may go
                    sandbox.restoreSnapshotId = null;
                    sandbox.updatedAt = Instant.now();
                    return retention
                        .taken(sandbox, snapshot)
                        .chain(
                            () ->
                                answer(
                                    sandbox, new SandboxSnapshotted(snapshot.id(), Instant.now())));
                  })
              .onFailure(LifecycleService::refused)
              .recoverWithUni(failure -> snapshotRefused(sandbox, failure));
        });
  }

  /**
   * The session ended (a final state): whatever brought it there, its snapshots will never be
   * restored, so they are deleted.
   */
  public Uni<Void> ended(EventEnvelope envelope) {
    return withSandbox(envelope, retention::sessionOver);
  }

  private static boolean refused(Throwable failure) {
    return failure instanceof ProviderException p && p.kind() == ProviderException.Kind.INVALID;
  }

  /**
   * The provider refused the snapshot (larger than the limit, say): nothing was stored, the last
   * snapshot stays the last; the user sees why on the stream. Not retried: it would fail again.
   */
  private Uni<Void> snapshotRefused(Sandbox sandbox, Throwable failure) {
    Log.infof("session %s: snapshot not taken: %s", sandbox.sessionId, failure.getMessage());
    return announcer.log(
        sandbox.sessionId,
        Entry.of(
            LogTypes.SANDBOX_PROGRESS,
            Map.of("step", "snapshot_failed", "reason", failure.getMessage())));
  }

  private Uni<Void> withSandbox(
      EventEnvelope envelope, java.util.function.Function<Sandbox, Uni<Void>> action) {
    UUID sessionId = envelope.sessionId();
    return sandboxes
        .lock(sessionId)
        .chain(
            sandbox -> {
              if (sandbox == null) {
                Log.debugf("session %s: no sandbox for %s", sessionId, envelope.type());
                return Uni.createFrom().voidItem();
              }
              if (!sandbox.ownerId.equals(envelope.userId())) {
                Log.warnf(
                    "session %s: refused %s from a user who does not own the sandbox",
                    sessionId, envelope.type());
                return Uni.createFrom().voidItem();
              }
              return action
                  .apply(sandbox)
                  .onFailure(LifecycleService::missing)
                  .recoverWithUni(failure -> lost(sandbox, failure.getMessage()));
            });
  }

  private static boolean missing(Throwable failure) {
    return failure instanceof ProviderException p && p.kind() == ProviderException.Kind.NOT_FOUND;
  }

  /** The provider no longer has the sandbox: say so, session-service recovers it. */
  Uni<Void> lost(Sandbox sandbox, String reason) {
    if (sandbox.state == SandboxState.LOST || sandbox.state == SandboxState.TERMINATED) {
      return Uni.createFrom().voidItem();
    }
    Log.infof("session %s: its sandbox is lost (%s)", sandbox.sessionId, reason);
    return moveTo(
        sandbox,
        SandboxState.LOST,
        new SandboxLost(
            "the sandbox is gone from provider " + sandbox.provider + ": " + reason,
            Instant.now()));
  }

  private Uni<Void> moveTo(Sandbox sandbox, SandboxState state, Event event) {
    SandboxState from = sandbox.state;
    sandbox.state = state;
    sandbox.updatedAt = Instant.now();
    return announcer.announce(
        sandbox.sessionId,
        sandbox.ownerId,
        event,
        Entry.of(
            LogTypes.SANDBOX_PROGRESS,
            Map.of("step", state.name().toLowerCase(), "from", from.name().toLowerCase())));
  }

  private Uni<Void> answer(Sandbox sandbox, Event event) {
    return announcer.emit(sandbox.sessionId, sandbox.ownerId, event);
  }

  private Uni<Void> ignored(Sandbox sandbox, String what) {
    Log.infof("session %s: %s ignored in state %s", sandbox.sessionId, what, sandbox.state);
    return Uni.createFrom().voidItem();
  }
}
