package dev.remoteclaude.gateway.activity;

import dev.remoteclaude.common.events.SandboxActivity;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.gateway.work.Workers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Tracks what keeps a session busy on the gateway side (attached stream clients, running commands),
 * counted across replicas in {@code activity_holder}, and tells session-service through {@link
 * SandboxActivity} events so it never pauses a session someone is using.
 */
@ApplicationScoped
public class ActivityService {

  static final String CLIENT = "CLIENT";
  static final String COMMAND = "COMMAND";

  private final Outbox outbox;
  private final Workers workers;

  public ActivityService(Outbox outbox, Workers workers) {
    this.outbox = outbox;
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

  /** A short command ran (and already ended): activity, with the current counts. */
  public Uni<Void> commandRan(UUID sessionId, String ownerId) {
    return Panache.withTransaction(
        () -> announce(sessionId, ownerId, SandboxActivity.COMMAND_FINISHED));
  }

  private Uni<Void> hold(UUID sessionId, String ownerId, String id, String kind, String event) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        s.createNativeQuery(
                                "INSERT INTO activity_holder (id, session_id, kind, worker, since)"
                                    + " VALUES (?1, ?2, ?3, ?4, now()) ON CONFLICT (id) DO NOTHING")
                            .setParameter(1, id)
                            .setParameter(2, sessionId)
                            .setParameter(3, kind)
                            .setParameter(4, workers.id())
                            .executeUpdate())
                .chain(() -> announce(sessionId, ownerId, event)));
  }

  private Uni<Void> release(UUID sessionId, String id, String event) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        s.createNativeQuery("DELETE FROM activity_holder WHERE id = ?1")
                            .setParameter(1, id)
                            .executeUpdate())
                .chain(
                    deleted ->
                        deleted == 0
                            ? Uni.createFrom().voidItem()
                            : ownerOf(sessionId)
                                .chain(
                                    owner ->
                                        owner == null
                                            ? Uni.createFrom().voidItem()
                                            : announce(sessionId, owner, event))));
  }

  /** Emits the session's current counts (live workers only); call inside a transaction. */
  Uni<Void> announce(UUID sessionId, String ownerId, String event) {
    return counts(sessionId)
        .chain(
            counts ->
                outbox.emit(
                    new SandboxActivity(event, counts[0], counts[1], Instant.now()),
                    sessionId.toString(),
                    ownerId))
        .replaceWithVoid();
  }

  private Uni<int[]> counts(UUID sessionId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT kind, count(*) FROM activity_holder WHERE session_id = ?1 AND "
                            + Workers.ALIVE
                            + " GROUP BY kind",
                        Object[].class)
                    .setParameter(1, sessionId)
                    .getResultList())
        .map(
            rows -> {
              int[] counts = new int[2];
              for (Object[] row : rows) {
                int n = ((Number) row[1]).intValue();
                if (CLIENT.equals(row[0])) {
                  counts[0] = n;
                } else {
                  counts[1] = n;
                }
              }
              return counts;
            });
  }

  private Uni<String> ownerOf(UUID sessionId) {
    return Panache.getSession()
        .chain(
            (Mutiny.Session s) ->
                s.createNativeQuery(
                        "SELECT owner_id FROM sandbox WHERE session_id = ?1", String.class)
                    .setParameter(1, sessionId)
                    .getResultList())
        .map((List<String> owners) -> owners.isEmpty() ? null : owners.get(0));
  }

  /**
   * Drops holders of instances that died and tells session-service the new counts; returns how many
   * sessions were affected.
   */
  public Uni<Integer> reclaimDeadHolders() {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        s.createNativeQuery(
                                "DELETE FROM activity_holder a WHERE NOT a."
                                    + Workers.ALIVE
                                    + " RETURNING CAST(a.session_id AS text)",
                                String.class)
                            .getResultList())
                .chain(
                    sessions -> {
                      List<UUID> distinct =
                          sessions.stream().distinct().map(UUID::fromString).toList();
                      Uni<Void> chain = Uni.createFrom().voidItem();
                      for (UUID session : distinct) {
                        chain =
                            chain.chain(
                                () ->
                                    ownerOf(session)
                                        .chain(
                                            owner ->
                                                owner == null
                                                    ? Uni.createFrom().voidItem()
                                                    : announce(
                                                        session,
                                                        owner,
                                                        SandboxActivity.CLIENT_DETACHED)));
                      }
                      return chain.replaceWith(distinct.size());
                    }));
  }
}
