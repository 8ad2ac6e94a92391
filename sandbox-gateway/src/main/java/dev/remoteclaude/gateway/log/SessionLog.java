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
                    .createNativeQuery(
                        "INSERT INTO session_log_head (session_id, last_seq) VALUES (?1, 1)"
                            + " ON CONFLICT (session_id) DO UPDATE SET last_seq = session_log_head.last_seq + 1"
                            + " RETURNING last_seq",
                        Long.class)
                    .setParameter(1, sessionId)
                    .getSingleResult()
                    .chain(
                        seq ->
                            session
                                .createNativeQuery(
                                    "INSERT INTO session_event (session_id, seq, type, task_id, at, data)"
                                        + " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                                .setParameter(1, sessionId)
                                .setParameter(2, seq)
                                .setParameter(3, type)
                                .setParameter(4, taskId)
                                .setParameter(5, at)
                                .setParameter(6, json)
                                .executeUpdate()
                                .chain(
                                    () ->
                                        session
                                            .createNativeQuery(
                                                "SELECT CAST(pg_notify(?1, ?2) AS text)")
                                            .setParameter(1, OutputLog.NOTIFY_CHANNEL)
                                            .setParameter(2, sessionId + ":" + seq)
                                            .getSingleResult())
                                .replaceWith(seq)));
  }
}
