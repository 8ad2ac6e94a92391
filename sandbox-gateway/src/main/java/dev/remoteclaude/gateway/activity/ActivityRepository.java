package dev.remoteclaude.gateway.activity;

import dev.remoteclaude.gateway.work.WorkerRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * What keeps sessions busy on the gateway side ({@code activity_holder}): one row per attached
 * stream client or running command, owned by the instance that holds it. Every method runs inside
 * the caller's transaction.
 */
@ApplicationScoped
public class ActivityRepository {

  /** How many holders of each kind a session has on live instances. */
  public record Counts(int clients, int commands) {}

  public Uni<Void> hold(String id, UUID sessionId, String kind, String worker) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO activity_holder (id, session_id, kind, worker, since)"
                            + " VALUES (?1, ?2, ?3, ?4, now()) ON CONFLICT (id) DO NOTHING")
                    .setParameter(1, id)
                    .setParameter(2, sessionId)
                    .setParameter(3, kind)
                    .setParameter(4, worker)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Whether the holder was there. */
  public Uni<Boolean> release(String id) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("DELETE FROM activity_holder WHERE id = ?1")
                    .setParameter(1, id)
                    .executeUpdate())
        .map(deleted -> deleted > 0);
  }

  public Uni<Counts> counts(UUID sessionId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT kind, count(*) FROM activity_holder WHERE session_id = ?1 AND "
                            + WorkerRepository.ALIVE
                            + " GROUP BY kind",
                        Object[].class)
                    .setParameter(1, sessionId)
                    .getResultList())
        .map(
            rows -> {
              int clients = 0;
              int commands = 0;
              for (Object[] row : rows) {
                int n = ((Number) row[1]).intValue();
                if (ActivityService.CLIENT.equals(row[0])) {
                  clients = n;
                } else {
                  commands = n;
                }
              }
              return new Counts(clients, commands);
            });
  }

  /** Drops the holders of instances that died; returns their sessions, each once. */
  public Uni<List<UUID>> releaseDead() {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "DELETE FROM activity_holder a WHERE NOT a."
                            + WorkerRepository.ALIVE
                            + " RETURNING CAST(a.session_id AS text)",
                        String.class)
                    .getResultList())
        .map(sessions -> sessions.stream().distinct().map(UUID::fromString).toList());
  }
}
