package dev.remoteclaude.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps what the launcher started running, as a process manager would: a component that exits is
 * started again after a back-off (1 s, doubling up to 30 s; back to 1 s once it has stayed up for a
 * minute), and one that keeps crashing ({@link #MAX_RESTARTS} restarts within {@link
 * #CRASH_WINDOW}) stops the platform with a clear reason. What it sees is written to {@code
 * status.properties}, which {@code ./rc status} reads.
 */
final class Supervisor implements AutoCloseable {

  static final int MAX_RESTARTS = 5;
  static final Duration CRASH_WINDOW = Duration.ofMinutes(5);
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  static final Duration STABLE = Duration.ofMinutes(1);
  static final String STATUS_FILE = "status.properties";

  /** Something the platform runs. */
  interface Component {
    String name();

    /** {@code process} (a child process) or {@code in-launcher} (lives as long as the launcher). */
    String kind();

    /** Where it listens ({@code 127.0.0.1:5432}, a URL), for the status table. */
    String address();

    boolean alive();

    long pid();

    /** Its exit code when it has exited and that is known. */
    Optional<Integer> exitCode();

    /** Starts it again, without waiting for it to be ready. */
    void restart();

    /** Its log, if it has one of its own. */
    Optional<Path> log();
  }

  private static final class State {
    Instant since = Instant.now();
    int restarts;
    int consecutive;
    boolean down;
    Instant nextAttempt;
    final Deque<Instant> recent = new ArrayDeque<>();
  }

  private final Object lock;
  private final List<Component> components;
  private final Path statusFile;
  private final Consumer<String> notices;
  private final Consumer<String> giveUp;
  private final Map<String, State> states = new LinkedHashMap<>();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("rc-supervisor").unstarted(r));
  private volatile boolean stopped;

  /**
   * @param lock held while a component is checked or restarted (and by whoever else replaces one)
   * @param notices one line for the terminal per thing that happened
   * @param giveUp called once, with the reason, when a component keeps crashing
   */
  Supervisor(
      Object lock,
      List<Component> components,
      Path home,
      Consumer<String> notices,
      Consumer<String> giveUp) {
    this.lock = lock;
    this.components = List.copyOf(components);
    this.statusFile = home.resolve(STATUS_FILE);
    this.notices = notices;
    this.giveUp = giveUp;
    components.forEach(c -> states.put(c.name(), new State()));
  }

  void start(Duration every) {
    writeStatus();
    ticker.scheduleWithFixedDelay(this::tickSafely, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tickSafely() {
    try {
      tick(Instant.now());
    } catch (RuntimeException e) {
      notices.accept("supervisor: " + e.getMessage());
    }
  }

  void tick(Instant now) {
    if (stopped) {
      return;
    }
    synchronized (lock) {
      for (Component component : components) {
        check(component, states.get(component.name()), now);
        if (stopped) {
          return;
        }
      }
    }
    writeStatus();
  }

  private void check(Component component, State state, Instant now) {
    if (component.alive()) {
      if (state.down) {
        state.down = false;
      }
      if (state.consecutive > 0 && Duration.between(state.since, now).compareTo(STABLE) >= 0) {
        state.consecutive = 0;
      }
      return;
    }
    if (!state.down) {
      state.down = true;
      Duration wait = backoff(state.consecutive);
      state.nextAttempt = now.plus(wait);
      notices.accept(
          component.name()
              + " exited"
              + component.exitCode().map(code -> " (code " + code + ")").orElse("")
              + "; restarting in "
              + wait.toSeconds()
              + " s"
              + component.log().map(log -> lastLines(log, 3)).orElse(""));
    }
    if (now.isBefore(state.nextAttempt)) {
      return;
    }
    while (!state.recent.isEmpty()
        && Duration.between(state.recent.peekFirst(), now).compareTo(CRASH_WINDOW) > 0) {
      state.recent.removeFirst();
    }
    if (state.recent.size() >= MAX_RESTARTS) {
      stopped = true;
      giveUp.accept(
          component.name()
              + " keeps crashing ("
              + state.recent.size()
              + " restarts within "
              + CRASH_WINDOW.toMinutes()
              + " min)"
              + component.log().map(log -> "; see " + log + lastLines(log, 10)).orElse(""));
      return;
    }
    state.recent.addLast(now);
    state.restarts++;
    state.consecutive++;
    state.since = now;
    try {
      component.restart();
      state.down = false;
      notices.accept(component.name() + " restarted (" + state.restarts + " so far)");
    } catch (RuntimeException e) {
      Duration wait = backoff(state.consecutive);
      state.nextAttempt = now.plus(wait);
      notices.accept(
          component.name()
              + " did not start: "
              + e.getMessage()
              + "; trying again in "
              + wait.toSeconds()
              + " s");
    }
  }

  static Duration backoff(int consecutiveRestarts) {
    long seconds = FIRST_BACKOFF.toSeconds() << Math.min(consecutiveRestarts, 5);
    return Duration.ofSeconds(Math.min(seconds, MAX_BACKOFF.toSeconds()));
  }

  private static String lastLines(Path log, int lines) {
    try (var all = Files.lines(log)) {
      List<String> tail = all.toList();
      List<String> end =
          tail.subList(Math.max(0, tail.size() - lines), tail.size()).stream()
              .map(line -> line.length() > 200 ? line.substring(0, 199) + "…" : line)
              .toList();
      return end.isEmpty() ? "" : "; the end of its log:\n      " + String.join("\n      ", end);
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  /** Each component's pid, address, start time and restarts, for {@code ./rc status}. */
  private void writeStatus() {
    Properties status = new Properties();
    int i = 0;
    synchronized (lock) {
      for (Component c : components) {
        State state = states.get(c.name());
        String prefix = "component." + i++ + ".";
        status.setProperty(prefix + "name", c.name());
        status.setProperty(prefix + "kind", c.kind());
        status.setProperty(prefix + "address", c.address());
        status.setProperty(prefix + "pid", Long.toString(c.pid()));
        status.setProperty(prefix + "since", state.since.toString());
        status.setProperty(prefix + "restarts", Integer.toString(state.restarts));
      }
    }
    status.setProperty("components", Integer.toString(i));
    Path temp = statusFile.resolveSibling(STATUS_FILE + ".tmp");
    try (var out = Files.newBufferedWriter(temp)) {
      status.store(out, "what the Remote Claude launcher runs (./rc status reads it)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Files.move(
          temp, statusFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Optional<Properties> readStatus(Path home) {
    Path file = home.resolve(STATUS_FILE);
    try (var in = Files.newBufferedReader(file)) {
      Properties p = new Properties();
      p.load(in);
      return Optional.of(p);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    stopped = true;
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(statusFile);
    } catch (IOException e) {
      // nothing to do
    }
  }
}
