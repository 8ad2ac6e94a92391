package dev.remoteclaude.gateway.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Appends to the output log with group commit across sessions. A batch is written in one statement;
 * a few batches may be in flight at once, but a session is in at most one of them, so its events
 * commit in the order they were appended. Whatever arrives for a session with a batch in flight
 * waits for the next batch, together with everything else that waits. A quiet gateway gets an event
 * written at once; a burst from many sessions is spread over a few concurrent commits; a busy one
 * gets few, large commits instead of one transaction per line or per session. After each commit the
 * events go to this replica's subscribers directly; other replicas learn of them from the commit's
 * notification.
 *
 * <p>What waits to be written (or is being written) is bounded by {@code
 * gateway.log.max-pending-bytes}. Over the bound, an append from a thread that may block (a
 * process's output reader) waits until there is room, so a process that writes faster than the
 * database takes it is slowed down rather than buffered; an append from a thread that must not
 * block (an event loop) fails at once with {@link Overloaded}. An event is never dropped silently.
 */
@ApplicationScoped
public class LogWriter {

  private static final int MAX_BATCH = 500;
  private static final int MAX_IN_FLIGHT = 4;

  private final OutputLog log;
  private final AppendListener listener;
  private final Object lock = new Object();
  private final Deque<Pending> pending = new ArrayDeque<>();
  private final Set<UUID> writing = new HashSet<>();
  private int inFlight;
  private long pendingBytes;
  private final long maxPendingBytes;

  public LogWriter(OutputLog log, AppendListener listener, GatewayConfig config) {
    this.log = log;
    this.listener = listener;
    this.maxPendingBytes = config.log().maxPendingBytes().asLongValue();
  }

  /** The log's writer has more waiting than its bound and the caller may not wait for room. */
  public static final class Overloaded extends RuntimeException {
    Overloaded(long bound) {
      super("the output log is behind: more than " + bound + " bytes wait to be written");
    }
  }

  private record Pending(OutputLog.NewEvent event, CompletableFuture<LogEvent> done, long bytes) {}

  /** What an event holds while it waits: its text, and what it takes besides. */
  private static long sizeOf(String type, String json) {
    return 2L * (json.length() + type.length()) + 128;
  }

  /** Bytes of events waiting or being written now. */
  public long pendingBytes() {
    synchronized (lock) {
      return pendingBytes;
    }
  }

  /**
   * Appends an event; the Uni completes once it is durable (with its sequence number). An event is
   * checked here, before it joins a batch shared with other sessions, so that a batch can only fail
   * for the database's reasons; then every event in it fails.
   */
  public Uni<LogEvent> append(UUID sessionId, String type, UUID taskId, Object data) {
    if (sessionId == null || type == null || data == null) {
      return Uni.createFrom()
          .failure(new IllegalArgumentException("a log event needs a session, a type and data"));
    }
    String json;
    try {
      json = data instanceof String s ? s : EventCodec.mapper().writeValueAsString(data);
    } catch (JsonProcessingException e) {
      return Uni.createFrom().failure(e);
    }
    CompletableFuture<LogEvent> done = new CompletableFuture<>();
    long bytes = sizeOf(type, json);
    boolean start;
    synchronized (lock) {
      // An event larger than the bound still goes through an empty writer.
      if (pendingBytes > 0 && pendingBytes + bytes > maxPendingBytes) {
        if (!Infrastructure.canCallerThreadBeBlocked()) {
          return Uni.createFrom().failure(new Overloaded(maxPendingBytes));
        }
        try {
          while (pendingBytes > 0 && pendingBytes + bytes > maxPendingBytes) {
            lock.wait();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Uni.createFrom().failure(new Overloaded(maxPendingBytes));
        }
      }
      pendingBytes += bytes;
      pending.add(
          new Pending(
              new OutputLog.NewEvent(sessionId, type, taskId, Instant.now(), json), done, bytes));
      // A session with a batch in flight is taken up again when that batch ends.
      start = !writing.contains(sessionId);
    }
    if (start) {
      flush();
    }
    return Uni.createFrom().completionStage(done);
  }

  /**
   * Starts a batch of the pending events whose sessions have none in flight, unless enough batches
   * are in flight already.
   */
  private void flush() {
    List<Pending> batch = new ArrayList<>();
    Set<UUID> sessions = new HashSet<>();
    synchronized (lock) {
      if (inFlight >= MAX_IN_FLIGHT || pending.isEmpty()) {
        return;
      }
      Iterator<Pending> it = pending.iterator();
      while (it.hasNext() && batch.size() < MAX_BATCH) {
        Pending next = it.next();
        UUID session = next.event().sessionId();
        if (!writing.contains(session)) {
          batch.add(next);
          sessions.add(session);
          it.remove();
        }
      }
      if (batch.isEmpty()) {
        return;
      }
      writing.addAll(sessions);
      inFlight++;
    }
    log.append(batch.stream().map(Pending::event).toList())
        .subscribe()
        .with(
            stored -> {
              try {
                released(batch);
                Map<UUID, List<LogEvent>> bySession = new LinkedHashMap<>();
                for (LogEvent event : stored) {
                  bySession.computeIfAbsent(event.sessionId(), k -> new ArrayList<>()).add(event);
                }
                // Handed to the subscribers' event loops before the sessions' next batch can
                // start, so they get them in order.
                listener.appended(bySession);
              } catch (RuntimeException e) {
                Log.warnf("delivering %d stored events failed: %s", stored.size(), e.getMessage());
              } finally {
                done(sessions);
              }
              for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done().complete(stored.get(i));
              }
              flush();
            },
            failure -> {
              released(batch);
              done(sessions);
              Log.errorf(
                  "output log write of %d events failed: %s", batch.size(), failure.getMessage());
              batch.forEach(p -> p.done().completeExceptionally(failure));
              flush();
            });
  }

  private void released(List<Pending> batch) {
    long bytes = 0;
    for (Pending p : batch) {
      bytes += p.bytes();
    }
    synchronized (lock) {
      pendingBytes -= bytes;
      lock.notifyAll();
    }
  }

  private void done(Set<UUID> sessions) {
    synchronized (lock) {
      writing.removeAll(sessions);
      inFlight--;
    }
  }
}
