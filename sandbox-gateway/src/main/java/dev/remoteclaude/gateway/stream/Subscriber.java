package dev.remoteclaude.gateway.stream;

import dev.remoteclaude.gateway.log.LogEvent;
import dev.remoteclaude.gateway.log.OutputLog;
import io.quarkus.logging.Log;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;

/**
 * One client following a session's log. It first replays from the database everything after its
 * cursor, then takes live events; a live event that does not follow its last one (a gap) sends it
 * back to the database, and events it already has are dropped, so the seam has neither gap nor
 * duplicate. Messages wait in a bounded queue; a client that lets the queue fill up is closed with
 * {@link #SLOW_CONSUMER} and can reconnect from its last seq.
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
  private final int bufferLimit;
  private final int replayBatch;
  private final Runnable onClose;
  private final ArrayDeque<String> queue = new ArrayDeque<>();

  private long lastQueued;
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
      int bufferLimit,
      int replayBatch,
      Runnable onClose) {
    this.sessionId = sessionId;
    this.lastQueued = after;
    this.sink = sink;
    this.log = log;
    this.bufferLimit = bufferLimit;
    this.replayBatch = replayBatch;
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
      if (queue.size() > bufferLimit / 2) {
        waitingForDrain = true;
        return;
      }
      reading = true;
      missedWhileCatchingUp = false;
    }
    long from = lastQueued();
    log.read(sessionId, from, replayBatch)
        .subscribe()
        .with(
            rows -> {
              boolean again;
              synchronized (this) {
                reading = false;
                if (mode == Mode.CLOSED) {
                  return;
                }
                for (LogEvent event : rows) {
                  if (event.seq() != lastQueued + 1) {
                    continue;
                  }
                  if (!enqueue(event.json())) {
                    return;
                  }
                  lastQueued = event.seq();
                }
                again = rows.size() == replayBatch || missedWhileCatchingUp;
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

  /** Queues a message; closes the subscriber (and returns false) when the queue is full. */
  private boolean enqueue(String message) {
    if (queue.size() >= bufferLimit) {
      closeLocked(
          SLOW_CONSUMER,
          "too slow: more than "
              + bufferLimit
              + " messages waiting; reconnect with ?after="
              + lastQueued);
      return false;
    }
    queue.add(message);
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
      try {
        sink.send(next).subscribe().with(ok -> sent(), failure -> close(1011, "send failed"));
      } catch (RuntimeException e) {
        close(1011, "send failed");
      }
    }
  }

  private void sent() {
    boolean resume;
    synchronized (this) {
      inFlight--;
      resume = waitingForDrain && queue.size() <= bufferLimit / 2;
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
    queue.clear();
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
