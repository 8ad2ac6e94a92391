package dev.remoteclaude.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for one run of the CLI. A command that follows something (a stream, a wait) registers a
 * handler and detaches cleanly when it fires; when nothing is registered the process just ends.
 * Tests call {@link #interrupt()} to press Ctrl-C.
 */
public final class Interruption {

  private final List<Runnable> handlers = new CopyOnWriteArrayList<>();
  private final CountDownLatch requested = new CountDownLatch(1);

  /** Presses Ctrl-C; returns whether a command took it (otherwise the caller should exit). */
  public boolean interrupt() {
    requested.countDown();
    if (handlers.isEmpty()) {
      return false;
    }
    handlers.forEach(Runnable::run);
    return true;
  }

  public boolean requested() {
    return requested.getCount() == 0;
  }

  /** Registers a handler until the returned registration is closed. */
  public Registration onInterrupt(Runnable handler) {
    handlers.add(handler);
    if (requested()) {
      handler.run();
    }
    return () -> handlers.remove(handler);
  }

  /** Waits up to {@code timeout}; returns true when Ctrl-C was pressed (at once if it was). */
  public boolean await(Duration timeout) throws InterruptedException {
    return requested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A registered handler; closing it unregisters. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
