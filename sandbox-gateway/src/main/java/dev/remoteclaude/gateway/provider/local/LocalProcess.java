package dev.remoteclaude.gateway.provider.local;

import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One process tree of a local sandbox: output read on threads of its own into a unicast stream, the
 * whole tree killed on timeout, cancel or pause.
 */
final class LocalProcess implements ExecHandle {

  private static final int CHUNK = 8192;

  /**
   * Starts every sandbox process. bubblewrap's {@code --die-with-parent} (PR_SET_PDEATHSIG) fires
   * when the thread that started the process ends, not the gateway: a pool thread retired after its
   * idle time would take the commands it started with it (SIGKILL, exit 137). This thread lives as
   * long as the gateway.
   */
  private static final ExecutorService SPAWNER =
      Executors.newSingleThreadExecutor(
          task -> Thread.ofPlatform().name("sandbox-spawner").daemon().unstarted(task));

  private final Process process;
  private final UnicastProcessor<ExecEvent> events = UnicastProcessor.create();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicBoolean truncated = new AtomicBoolean();
  private final long maxOutputBytes;
  private final Consumer<LocalProcess> onExit;

  private LocalProcess(Process process, long maxOutputBytes, Consumer<LocalProcess> onExit) {
    this.process = process;
    this.maxOutputBytes = maxOutputBytes;
    this.onExit = onExit;
  }

  /**
   * Starts the process; {@code onStart} sees it before any of its output is read (so it can be
   * registered before it could possibly end), {@code onExit} when it has ended.
   */
  static LocalProcess start(
      ProcessBuilder builder,
      byte[] stdin,
      Duration timeout,
      long maxOutputBytes,
      Consumer<LocalProcess> onStart,
      Consumer<LocalProcess> onExit)
      throws IOException {
    Process process = spawn(builder);
    LocalProcess local = new LocalProcess(process, maxOutputBytes, onExit);
    onStart.accept(local);
    local.run(stdin, timeout);
    return local;
  }

  /** {@code builder.start()} on the spawner thread; waits for it even when interrupted. */
  private static Process spawn(ProcessBuilder builder) throws IOException {
    Future<Process> started = SPAWNER.submit(builder::start);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return started.get();
        } catch (InterruptedException e) {
          interrupted = true; // the process may be starting: return it, so that it is tracked
        } catch (ExecutionException e) {
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          throw new IllegalStateException("cannot start a sandbox process", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run(byte[] stdin, Duration timeout) {
    CountDownLatch readers = new CountDownLatch(2);
    // Platform threads: reads blocked on a process's pipes held the virtual-thread scheduler's
    // carriers (seen on JDK 25 with 2 cores: every other virtual thread, this timeout's included,
    // stalled for as long as a command ran).
    Thread.ofPlatform()
        .daemon()
        .name("sandbox-stdin")
        .start(
            () -> {
              try (OutputStream in = process.getOutputStream()) {
                if (stdin.length > 0) {
                  in.write(stdin);
                }
              } catch (IOException e) {
                Log.debugf("stdin closed early: %s", e.getMessage());
              }
            });
    Thread.ofPlatform()
        .daemon()
        .name("sandbox-stdout")
        .start(() -> pump(process.getInputStream(), ExecEvent.Stdout::new, readers));
    Thread.ofPlatform()
        .daemon()
        .name("sandbox-stderr")
        .start(() -> pump(process.getErrorStream(), ExecEvent.Stderr::new, readers));
    Thread.ofPlatform()
        .daemon()
        .name("sandbox-wait")
        .start(
            () -> {
              try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                  timedOut.set(true);
                  killTree();
                  process.waitFor();
                }
                readers.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killTree();
              }
              try {
                onExit.accept(this);
              } finally {
                events.onNext(
                    new ExecEvent.Exit(
                        process.exitValue(), timedOut.get(), cancelled.get(), truncated.get()));
                events.onComplete();
              }
            });
  }

  private void pump(InputStream stream, Function<byte[], ExecEvent> wrap, CountDownLatch done) {
    long total = 0;
    byte[] buffer = new byte[CHUNK];
    try (stream) {
      int read;
      while ((read = stream.read(buffer)) != -1) {
        if (total >= maxOutputBytes) {
          truncated.set(true);
          continue; // keep draining so the process never blocks on a full pipe
        }
        int keep = (int) Math.min(read, maxOutputBytes - total);
        if (keep < read) {
          truncated.set(true);
        }
        total += keep;
        events.onNext(wrap.apply(Arrays.copyOf(buffer, keep)));
      }
    } catch (IOException e) {
      Log.debugf("sandbox output closed: %s", e.getMessage());
    } finally {
      done.countDown();
    }
  }

  @Override
  public Multi<ExecEvent> events() {
    return events;
  }

  @Override
  public void cancel() {
    cancelled.set(true);
    killTree();
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the process and every descendant (bubblewrap's PID namespace takes the rest). */
  void killTree() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
