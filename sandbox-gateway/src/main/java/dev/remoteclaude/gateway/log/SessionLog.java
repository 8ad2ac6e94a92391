package dev.remoteclaude.gateway.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.events.EventCodec;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Appends to the output log inside the caller's transaction, for events that must appear exactly
 * once together with a state change (lifecycle, task start and end): they commit or roll back with
 * it. Replicas (this one included) learn of them from the commit's notification. The hot path of
 * Claude's output goes through {@link LogWriter} instead.
 */
@ApplicationScoped
public class SessionLog {

  /**
   * Takes the next seq, stores the event and notifies the replicas, in one statement (one round
   * trip). The commit makes all three happen or none.
   */
  private static final String APPEND =
      "WITH head AS ("
          + " INSERT INTO session_log_head AS h (session_id, last_seq) VALUES (?1, 1)"
          + " ON CONFLICT (session_id) DO UPDATE SET last_seq = h.last_seq + 1"
          + " RETURNING h.session_id, h.last_seq),"
          + " stored AS ("
          + " INSERT INTO session_event (session_id, seq, type, task_id, at, data)"
          + " SELECT head.session_id, head.last_seq, CAST(?2 AS text), CAST(?3 AS uuid),"
          + " CAST(?4 AS timestamptz), CAST(?5 AS text) FROM head)"
          + " SELECT head.last_seq FROM head,"
          + " pg_notify(CAST(?6 AS text), CAST(head.session_id AS text) || ':' || head.last_seq)";

  /** Appends one event; must run inside a {@code Panache.withTransaction} chain. */
  public Uni<Long> append(UUID sessionId, String type, UUID taskId, Object data) {
    String json;
    try {
      json = data instanceof String s ? s : EventCodec.mapper().writeValueAsString(data);
    } catch (JsonProcessingException e) {
      return Uni.createFrom().failure(e);
    }
    OffsetDateTime at = Instant.now().atOffset(ZoneOffset.UTC);
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(APPEND, Long.class)
                    .setParameter(1, sessionId)
                    .setParameter(2, type)
                    .setParameter(3, taskId)
                    .setParameter(4, at)
                    .setParameter(5, json)
                    .setParameter(6, OutputLog.NOTIFY_CHANNEL)
                    .getSingleResult());
  }
}
