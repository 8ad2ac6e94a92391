package dev.remoteclaude.gateway.activity;

import dev.remoteclaude.common.events.SandboxActivity;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.sandbox.Sandboxes;
import dev.remoteclaude.gateway.work.SafeContext;
import dev.remoteclaude.gateway.work.Workers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Tracks what keeps a session busy on the gateway side (attached stream clients, running commands),
 * counted across replicas in {@code activity_holder}, and tells session-service through {@link
 * SandboxActivity} events so it never pauses a session someone is using. Holders of instances that
 * died stop counting at the next sweep.
 */
@ApplicationScoped
public class ActivityService {

  static final String CLIENT = "CLIENT";
  static final String COMMAND = "COMMAND";

  private final ActivityRepository holders;
  private final Announcer announcer;
  private final Sandboxes sandboxes;
  private final Workers workers;

  public ActivityService(
      ActivityRepository holders, Announcer announcer, Sandboxes sandboxes, Workers workers) {
    this.holders = holders;
    this.announcer = announcer;
    this.sandboxes = sandboxes;
    this.workers = workers;
  }

  public Uni<Void> clientAttached(UUID sessionId, String ownerId, String connectionId) {
    return hold(sessionId, ownerId, "ws-" + connectionId, CLIENT, SandboxActivity.CLIENT_ATTACHED);
  }

  public Uni<Void> clientDetached(UUID sessionId, String connectionId) {
    return release(sessionId, "ws-" + connectionId, SandboxActivity.CLIENT_DETACHED);
  }

  public Uni<Void> commandStarted(UUID sessionId, String ownerId, UUID commandId) {
    return hold(sessionId, ownerId, "cmd-" + commandId, COMMAND, SandboxActivity.COMMAND_STARTED);
  }

  public Uni<Void> commandFinished(UUID sessionId, UUID commandId) {
    return release(sessionId, "cmd-" + commandId, SandboxActivity.COMMAND_FINISHED);
  }

  /*
   * The owner is read on the transaction's own connection: a second one from the pool, while this
   * one is held, starves the pool when many clients come or leave at once.
   */

  /** A short command ran (and already ended): activity, with the current counts. */
  public Uni<Void> commandRan(UUID sessionId, String ownerId) {
    return Panache.withTransaction(
        () -> announce(sessionId, ownerId, SandboxActivity.COMMAND_FINISHED));
  }

  private Uni<Void> hold(UUID sessionId, String ownerId, String id, String kind, String event) {
    return Panache.withTransaction(
        () ->
            holders
                .hold(id, sessionId, kind, workers.id())
                .chain(() -> announce(sessionId, ownerId, event)));
  }

  private Uni<Void> release(UUID sessionId, String id, String event) {
    return Panache.withTransaction(
        () ->
            holders
                .release(id)
                .chain(
                    released ->
                        released
                            ? announceToOwner(sessionId, event)
                            : Uni.createFrom().voidItem()));
  }

  /** Emits the session's current counts (live workers only); inside a transaction. */
  private Uni<Void> announce(UUID sessionId, String ownerId, String event) {
    return holders
        .counts(sessionId)
        .chain(
            counts ->
                announcer.emit(
                    sessionId,
                    ownerId,
                    new SandboxActivity(
                        event, counts.clients(), counts.commands(), Instant.now())));
  }

  /** Emits the counts to the sandbox's owner; inside a transaction. */
  private Uni<Void> announceToOwner(UUID sessionId, String event) {
    return sandboxes
        .find(sessionId)
        .chain(
            sandbox ->
                sandbox == null
                    ? Uni.createFrom().voidItem()
                    : announce(sessionId, sandbox.ownerId, event));
  }

  @Scheduled(
      every = "${gateway.recovery-interval:5s}",
      delayed = "2s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> sweep() {
    return SafeContext.run(this::reclaimDeadHolders).replaceWithVoid();
  }

  /**
   * Drops holders of instances that died and tells session-service the new counts; returns how many
   * sessions were affected.
   */
  public Uni<Integer> reclaimDeadHolders() {
    return Panache.withTransaction(
        () ->
            holders
                .releaseDead()
                .chain(
                    (List<UUID> sessions) -> {
                      Uni<Void> chain = Uni.createFrom().voidItem();
                      for (UUID session : sessions) {
                        chain =
                            chain.chain(
                                () -> announceToOwner(session, SandboxActivity.CLIENT_DETACHED));
                      }
                      return chain.replaceWith(sessions.size());
                    }));
  }
}
