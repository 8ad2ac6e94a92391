package dev.remoteclaude.gateway.stream;

import dev.remoteclaude.gateway.log.LogEvent;
import dev.remoteclaude.gateway.log.OutputLog;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.logging.Log;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;

/**
 * One client following a session's log. It first replays from the database everything after its
 * cursor, then takes live events; a live event that does not follow its last one (a gap) sends it
 * back to the database, and events it already has are dropped, so the seam has neither gap nor
 * duplicate. Messages wait in a queue bounded by bytes (counted from queueing until the connection
 * has written them); a client that lets it fill up is closed with {@link #SLOW_CONSUMER} and can
 * reconnect from its last seq. The replay takes only what half the bound holds at a time and reads
 * the rest again once the client has caught up, so a fast client is never closed for a replay.
 */
public final class Subscriber {

  /** Close code for a client that does not read fast enough. */
  public static final int SLOW_CONSUMER = 4008;

  private enum Mode {
    CATCHING_UP,
    LIVE,
    CLOSED
  }

  private final UUID sessionId;
  private final StreamSink sink;
  private final OutputLog log;
  private final long bufferBytes;
  private final int replayBatch;
  private final Runnable onClose;
  private final ArrayDeque<String> queue = new ArrayDeque<>();

  private long lastQueued;
  private long queuedBytes;

  /** Rows the next replay query asks for: fewer after one that did not fit (large events). */
  private int nextBatch;

  private Mode mode = Mode.CATCHING_UP;
  private boolean missedWhileCatchingUp;
  private boolean reading;
  private boolean waitingForDrain;
  private int inFlight;
  private boolean pumping;
  private boolean pumpAgain;

  /** Messages written to the connection without waiting for each write to complete. */
  static final int WINDOW = 32;

  Subscriber(
      UUID sessionId,
      long after,
      StreamSink sink,
      OutputLog log,
      long bufferBytes,
      int replayBatch,
      Runnable onClose) {
    this.sessionId = sessionId;
    this.lastQueued = after;
    this.sink = sink;
    this.log = log;
    this.bufferBytes = bufferBytes;
    this.replayBatch = replayBatch;
    this.nextBatch = replayBatch;
    this.onClose = onClose;
  }

  public UUID sessionId() {
    return sessionId;
  }

  public synchronized long lastQueued() {
    return lastQueued;
  }

  public synchronized int queued() {
    return queue.size();
  }

  /** Bytes queued or being written. */
  public synchronized long queuedBytes() {
    return queuedBytes;
  }

  /** Starts the replay. */
  void start() {
    readMore();
  }

  /** Live events of the session, in order. */
  void offer(List<LogEvent> events) {
    boolean gap = false;
    synchronized (this) {
      if (mode == Mode.CLOSED) {
        return;
      }
      if (mode == Mode.CATCHING_UP) {
        missedWhileCatchingUp = true;
        return;
      }
      for (LogEvent event : events) {
        if (event.seq() <= lastQueued) {
          continue;
        }
        if (event.seq() != lastQueued + 1) {
          mode = Mode.CATCHING_UP;
          gap = true;
          break;
        }
        if (!enqueue(event.json())) {
          return;
        }
        lastQueued = event.seq();
      }
    }
    if (gap) {
      readMore();
    }
    pump();
  }

  /** A message outside the log (heartbeat). */
  void offerTransient(String message) {
    synchronized (this) {
      if (mode == Mode.CLOSED || !enqueue(message)) {
        return;
      }
    }
    pump();
  }

  private void readMore() {
    synchronized (this) {
      if (mode != Mode.CATCHING_UP || reading) {
        return;
      }
      if (queuedBytes > bufferBytes / 2) {
        waitingForDrain = true;
        return;
      }
      reading = true;
      missedWhileCatchingUp = false;
    }
    long from = lastQueued();
    int limit = nextBatch();
    log.read(sessionId, from, limit)
        .subscribe()
        .with(
            rows -> {
              boolean again;
              synchronized (this) {
                reading = false;
                if (mode == Mode.CLOSED) {
                  return;
                }
                boolean full = false;
                int taken = 0;
                for (LogEvent event : rows) {
                  if (event.seq() != lastQueued + 1) {
                    continue;
                  }
                  String json = event.json();
                  if (queuedBytes > 0 && queuedBytes + json.length() > bufferBytes / 2) {
                    full = true; // the rest is read again once the client has caught up
                    break;
                  }
                  if (!enqueue(json)) {
                    return;
                  }
                  lastQueued = event.seq();
                  taken++;
                }
                nextBatch = full ? Math.max(1, taken) : Math.min(replayBatch, 2 * limit);
                again = full || rows.size() == limit || missedWhileCatchingUp;
                if (!again) {
                  mode = Mode.LIVE;
                }
              }
              pump();
              if (again) {
                readMore();
              }
            },
            failure -> {
              Log.warnf("replay of session %s failed: %s", sessionId, failure.getMessage());
              close(1011, "log unavailable, reconnect with ?after=" + lastQueued());
            });
  }

  private synchronized int nextBatch() {
    return nextBatch;
  }

  /**
   * Queues a message; closes the subscriber (and returns false) when it would take the queue over
   * its bound. (A message larger than the whole bound still goes through an empty queue.)
   */
  private boolean enqueue(String message) {
    if (queuedBytes > 0 && queuedBytes + message.length() > bufferBytes) {
      closeLocked(
          SLOW_CONSUMER,
          "too slow: more than "
              + bufferBytes
              + " bytes waiting; reconnect with ?after= the last seq received");
      return false;
    }
    queue.add(message);
    queuedBytes += message.length();
    return true;
  }

  /**
   * Writes queued messages, up to {@link #WINDOW} at a time without waiting for each to complete: a
   * client that reads keeps the window moving; one that does not lets the queue fill up. One thread
   * at a time issues the writes, so they leave in queue order.
   */
  private void pump() {
    synchronized (this) {
      if (pumping) {
        pumpAgain = true;
        return;
      }
      pumping = true;
    }
    while (true) {
      String next;
      synchronized (this) {
        if (inFlight >= WINDOW || mode == Mode.CLOSED || queue.isEmpty()) {
          if (pumpAgain) {
            pumpAgain = false;
            continue;
          }
          pumping = false;
          return;
        }
        next = queue.poll();
        inFlight++;
      }
      int size = next.length();
      try {
        sink.send(next).subscribe().with(ok -> sent(size), failure -> close(1011, "send failed"));
      } catch (RuntimeException e) {
        close(1011, "send failed");
      }
    }
  }

  private void sent(int size) {
    boolean resume;
    synchronized (this) {
      inFlight--;
      queuedBytes -= size;
      resume = waitingForDrain && queuedBytes <= bufferBytes / 2;
      if (resume) {
        waitingForDrain = false;
      }
    }
    if (resume) {
      readMore();
    }
    pump();
  }

  void close(int code, String reason) {
    synchronized (this) {
      closeLocked(code, reason);
    }
  }

  private void closeLocked(int code, String reason) {
    if (mode == Mode.CLOSED) {
      return;
    }
    mode = Mode.CLOSED;
    // rc_stream_closed_total by close code (a slow consumer's among them) and the messages that
    // were waiting for the client and will not be sent (rc_stream_messages_dropped_total).
    Metrics.counter("rc.stream.closed", "code", Integer.toString(code)).increment();
    Metrics.counter("rc.stream.messages.dropped").increment(queue.size());
    queue.clear();
    queuedBytes = 0;
    sink.close(code, reason);
    onClose.run();
  }

  /** The client went away (the connection closed from its side). */
  void closed() {
    synchronized (this) {
      if (mode == Mode.CLOSED) {
        return;
      }
      mode = Mode.CLOSED;
      queue.clear();
    }
    onClose.run();
  }
}
