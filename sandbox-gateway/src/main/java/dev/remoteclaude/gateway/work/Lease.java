package dev.remoteclaude.gateway.work;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One key this instance has claimed and works on, and whether it has been asked to stop. A job
 * registers what stopping means for it (killing a process, say) with {@link #onStop(Runnable)}.
 */
public final class Lease {

  private final UUID key;
  private final AtomicReference<StopSignal> stop = new AtomicReference<>();
  private final List<Runnable> onStop = new CopyOnWriteArrayList<>();

  Lease(UUID key) {
    this.key = key;
  }

  public UUID key() {
    return key;
  }

  /** The first stop signal received, if any. */
  public Optional<StopSignal> stopSignal() {
    return Optional.ofNullable(stop.get());
  }

  /** Runs {@code action} when the work is asked to stop, or at once if it already was. */
  public void onStop(Runnable action) {
    onStop.add(action);
    if (stop.get() != null) {
      action.run();
    }
  }

  void stop(StopSignal signal) {
    if (stop.compareAndSet(null, signal)) {
      onStop.forEach(Runnable::run);
    }
  }
}
