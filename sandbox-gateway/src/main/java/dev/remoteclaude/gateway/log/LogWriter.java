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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Appends to the output log with group commit across sessions: one batch is written at a time, in
 * one statement, and everything that arrives meanwhile, from any session, goes into the next. A
 * quiet gateway gets an event written at once; a busy one gets few, large commits instead of one
 * transaction per line or per session. After each commit the events go to this replica's
 * subscribers directly; other replicas learn of them from the commit's notification.
 */
@ApplicationScoped
public class LogWriter {

  private static final int MAX_BATCH = 500;

  private final OutputLog log;
  private final StreamHub hub;
  private final Deque<Pending> pending = new ArrayDeque<>();
  private boolean flushing;

  public LogWriter(OutputLog log, StreamHub hub) {
    this.log = log;
    this.hub = hub;
  }

  private record Pending(OutputLog.NewEvent event, CompletableFuture<LogEvent> done) {}

  /** Appends an event; the Uni completes once it is durable (with its sequence number). */
  public Uni<LogEvent> append(UUID sessionId, String type, UUID taskId, Object data) {
    String json;
    try {
      json = data instanceof String s ? s : EventCodec.mapper().writeValueAsString(data);
    } catch (JsonProcessingException e) {
      return Uni.createFrom().failure(e);
    }
    CompletableFuture<LogEvent> done = new CompletableFuture<>();
    boolean start;
    synchronized (pending) {
      pending.add(
          new Pending(new OutputLog.NewEvent(sessionId, type, taskId, Instant.now(), json), done));
      start = !flushing;
      flushing = true;
    }
    if (start) {
      flush();
    }
    return Uni.createFrom().completionStage(done);
  }

  private void flush() {
    List<Pending> batch = new ArrayList<>();
    synchronized (pending) {
      while (!pending.isEmpty() && batch.size() < MAX_BATCH) {
        batch.add(pending.poll());
      }
      if (batch.isEmpty()) {
        flushing = false;
        return;
      }
    }
    log.append(batch.stream().map(Pending::event).toList())
        .subscribe()
        .with(
            stored -> {
              Map<UUID, List<LogEvent>> bySession = new LinkedHashMap<>();
              for (LogEvent event : stored) {
                bySession.computeIfAbsent(event.sessionId(), k -> new ArrayList<>()).add(event);
              }
              bySession.forEach(hub::publish);
              for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done().complete(stored.get(i));
              }
              flush();
            },
            failure -> {
              Log.errorf(
                  "output log write of %d events failed: %s", batch.size(), failure.getMessage());
              batch.forEach(p -> p.done().completeExceptionally(failure));
              flush();
            });
  }
}
