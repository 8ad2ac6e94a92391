package dev.remoteclaude.gateway.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.gateway.stream.StreamHub;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Appends to the output log with group commit: per session, one batch is written at a time and
 * everything that arrives meanwhile goes into the next batch. A quiet session gets its event
 * written at once; a fast stream gets few, large transactions instead of one insert per line. After
 * each commit the events go to this replica's subscribers directly; other replicas learn of them
 * from the commit's notification.
 */
@ApplicationScoped
public class LogWriter {

  private static final int MAX_BATCH = 500;

  private final OutputLog log;
  private final StreamHub hub;
  private final Map<UUID, SessionQueue> queues = new ConcurrentHashMap<>();

  public LogWriter(OutputLog log, StreamHub hub) {
    this.log = log;
    this.hub = hub;
  }

  private record Pending(OutputLog.NewEvent event, CompletableFuture<LogEvent> done) {}

  private static final class SessionQueue {
    final Deque<Pending> pending = new ArrayDeque<>();
    boolean flushing;
  }

  /** Appends an event; the Uni completes once it is durable (with its sequence number). */
  public Uni<LogEvent> append(UUID sessionId, String type, UUID taskId, Object data) {
    String json;
    try {
      json = data instanceof String s ? s : EventCodec.mapper().writeValueAsString(data);
    } catch (JsonProcessingException e) {
      return Uni.createFrom().failure(e);
    }
    CompletableFuture<LogEvent> done = new CompletableFuture<>();
    SessionQueue queue = queues.computeIfAbsent(sessionId, k -> new SessionQueue());
    boolean start;
    synchronized (queue) {
      queue.pending.add(
          new Pending(new OutputLog.NewEvent(type, taskId, Instant.now(), json), done));
      start = !queue.flushing;
      queue.flushing = true;
    }
    if (start) {
      flush(sessionId, queue);
    }
    return Uni.createFrom().completionStage(done);
  }

  private void flush(UUID sessionId, SessionQueue queue) {
    List<Pending> batch = new ArrayList<>();
    synchronized (queue) {
      while (!queue.pending.isEmpty() && batch.size() < MAX_BATCH) {
        batch.add(queue.pending.poll());
      }
      if (batch.isEmpty()) {
        queue.flushing = false;
        return;
      }
    }
    log.append(sessionId, batch.stream().map(Pending::event).toList())
        .subscribe()
        .with(
            stored -> {
              hub.publish(sessionId, stored);
              for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done().complete(stored.get(i));
              }
              flush(sessionId, queue);
            },
            failure -> {
              Log.errorf(
                  "output log write failed for session %s: %s", sessionId, failure.getMessage());
              batch.forEach(p -> p.done().completeExceptionally(failure));
              flush(sessionId, queue);
            });
  }
}
