package dev.remoteclaude.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ./rc up | down | status | token}. */
@Command(
    name = "rc",
    mixinStandardHelpOptions = true,
    description = "Run the Remote Claude platform on this machine.",
    subcommands = {Main.Up.class, Main.Down.class, Main.Status.class, Main.Token.class})
public final class Main {

  public static void main(String[] args) {
    quietLibraries(options().home().resolve("logs"));
    System.exit(new CommandLine(new Main()).execute(args));
  }

  /**
   * The terminal shows the launcher's own lines only: what the libraries it runs log (JBoss
   * Logging, java.util.logging, Vert.x, SLF4J) goes, in one format, to {@code logs/launcher.log}.
   */
  static void quietLibraries(Path logs) {
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      return; // the commands report the unusable directory themselves
    }
    System.setProperty("org.slf4j.simpleLogger.logFile", logs.resolve("launcher.log").toString());
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    System.setProperty("org.jboss.logging.provider", "slf4j");
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
  }

  /** When the command started: {@code ./rc} passes its own start, so the build counts too. */
  static long startedAtMillis() {
    String fromScript = System.getenv("RC_STARTED_AT");
    if (fromScript != null && fromScript.matches("[0-9]{10,16}")) {
      return Long.parseLong(fromScript);
    }
    return ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  /** Prints each stage as it starts and its duration when it ends: one line per stage. */
  static final class Stages implements Consumer<String> {
    private String current;
    private long started;

    @Override
    public synchronized void accept(String stage) {
      end();
      current = stage;
      started = System.nanoTime();
      System.out.print("  " + stage + " ...");
      System.out.flush();
    }

    synchronized void end() {
      finish("");
    }

    synchronized void fail() {
      finish("failed after ");
    }

    private void finish(String how) {
      if (current != null) {
        System.out.printf(" %s%.1f s%n", how, (System.nanoTime() - started) / 1e9);
        current = null;
      }
    }
  }

  static Path projectRoot() {
    return Path.of(System.getProperty("user.dir")).toAbsolutePath();
  }

  static PlatformOptions options() {
    return PlatformOptions.fromEnvironment(projectRoot());
  }

  @Command(name = "up", description = "Start everything and wait; Ctrl-C (or ./rc down) stops it.")
  static final class Up implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      PlatformOptions options = options();
      Files.createDirectories(options.home());
      Path lockFile = options.home().resolve("run.lock");
      try (FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          Optional<Properties> running = RunFile.read(options.home());
          System.err.println(
              "Remote Claude is already running"
                  + running
                      .map(
                          p ->
                              " at "
                                  + p.getProperty("baseUrl")
                                  + " (pid "
                                  + p.getProperty("pid")
                                  + ")")
                      .orElse("")
                  + ". Stop it with ./rc down.");
          return 1;
        }
        if (System.getenv("RC_STARTED_AT") == null) {
          System.out.println("Starting Remote Claude");
        }
        // Written at once: ./rc status says "starting", ./rc down can stop a start.
        RunFile.write(
            options.home(),
            ProcessHandle.current().pid(),
            "http://localhost:" + options.edgePort());
        Stages stages = new Stages();
        Platform platform;
        try {
          platform = Platform.start(options, stages);
        } catch (RuntimeException e) {
          stages.fail();
          org.slf4j.LoggerFactory.getLogger(Main.class).error("the start failed", e);
          System.err.println("\nRemote Claude did not start: " + e.getMessage());
          RunFile.delete(options.home());
          return 1;
        }
        stages.end();
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<String> gaveUp = new AtomicReference<>();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      System.out.println("\nStopping Remote Claude...");
                      platform.close();
                      RunFile.delete(options.home());
                      System.out.println(
                          "Stopped. Data is kept in " + options.home().resolve("data"));
                      stopped.countDown();
                    }));
        RunFile.write(options.home(), ProcessHandle.current().pid(), platform.baseUrl());
        Path demo = DemoRepository.ensure(options.home());
        platform.supervise(
            notice -> System.out.println("  ! " + notice),
            reason -> {
              gaveUp.set(reason);
              System.out.println("\nRemote Claude stops: " + reason);
              // Not from the supervisor's thread: the shutdown hook waits for it to end.
              Thread.ofPlatform().start(() -> System.exit(1));
            });
        long seconds = Math.max(0, (System.currentTimeMillis() - startedAtMillis()) / 1000);
        System.out.println(
            """

            Remote Claude is up (%d s).
              Base URL   %s
              Dashboard  %s/   (sign in with a token: ./rc token [user])
              Token      ./rc token [user]       (a bearer token; default user "local-user")
              Claude     %s
              Logs       %s
              API docs   %s/q/openapi/session-service (and task-service, sandbox-gateway, ...)

            Next:
              ./rc cli login --url %s --token "$(./rc token)"
              ./rc cli session create --repo %s --wait
              ./rc cli task run <session-id> "Add a hello world script"

            Stop with Ctrl-C or ./rc down.
            """
                .formatted(
                    seconds,
                    platform.baseUrl(),
                    platform.baseUrl(),
                    options.anthropicApiKey().isPresent()
                        ? "Anthropic API (ANTHROPIC_API_KEY)"
                        : "offline demo model (set ANTHROPIC_API_KEY for the real Claude)",
                    options.home().resolve("logs"),
                    platform.baseUrl(),
                    platform.baseUrl(),
                    demo.toUri().toString().replaceFirst("/$", "")));
        stopped.await();
        return gaveUp.get() == null ? 0 : 1;
      }
    }
  }

  @Command(name = "down", description = "Stop a running platform.")
  static final class Down implements Callable<Integer> {
    @Override
    public Integer call() throws InterruptedException {
      PlatformOptions options = options();
      Optional<Properties> running = RunFile.read(options.home());
      Optional<ProcessHandle> process =
          running.flatMap(p -> ProcessHandle.of(Long.parseLong(p.getProperty("pid"))));
      if (process.isEmpty() || !process.get().isAlive()) {
        System.out.println("Remote Claude is not running.");
        RunFile.delete(options.home());
        return 0;
      }
      process.get().destroy();
      try {
        try {
          process.get().onExit().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // Services that recorded their ahead-of-time cache write it as they stop (AotCache).
          System.out.println(
              "Stopping (services write their start-up caches on the first stop after a"
                  + " build) ...");
          process.get().onExit().get(5, TimeUnit.MINUTES);
        }
      } catch (Exception e) {
        System.err.println("it did not stop within 5 minutes; pid " + process.get().pid());
        return 1;
      }
      System.out.println("Stopped.");
      return 0;
    }
  }

  @Command(
      name = "status",
      description =
          "Every component with its health, uptime and restarts. Exit code 0: all up; 1: one or"
              + " more down; 3: not running.")
  static final class Status implements Callable<Integer> {
    @Override
    public Integer call() {
      Path home = options().home();
      Optional<Properties> running = RunFile.read(home);
      boolean alive =
          running
              .flatMap(p -> ProcessHandle.of(Long.parseLong(p.getProperty("pid"))))
              .map(ProcessHandle::isAlive)
              .orElse(false);
      if (!alive) {
        System.out.println("Remote Claude is not running.");
        return 3;
      }
      Optional<Properties> status = Supervisor.readStatus(home);
      if (status.isEmpty()) {
        System.out.println(
            "Remote Claude is starting (launcher pid " + running.get().getProperty("pid") + ")");
        return 1;
      }
      List<ComponentStatus> components = ComponentStatus.probe(status.get(), Instant.now());
      boolean allUp = components.stream().allMatch(ComponentStatus::up);
      System.out.println(
          "Remote Claude is "
              + (allUp ? "running" : "DEGRADED")
              + " at "
              + running.get().getProperty("baseUrl")
              + " (launcher pid "
              + running.get().getProperty("pid")
              + ")\n");
      System.out.print(ComponentStatus.table(components));
      return allUp ? 0 : 1;
    }
  }

  @Command(name = "token", description = "Print a bearer token for the local platform.")
  static final class Token implements Callable<Integer> {
    @Parameters(index = "0", defaultValue = "local-user", description = "the user (token subject)")
    String user;

    @CommandLine.Option(names = "--hours", defaultValue = "12", description = "validity")
    long hours;

    @Override
    public Integer call() {
      LocalKeys keys = LocalKeys.load(options().home().resolve("keys"));
      System.out.println(keys.token(user, Duration.ofHours(hours)));
      return 0;
    }
  }

  /** {@code run.properties}: the running launcher's pid and base URL. */
  static final class RunFile {
    private RunFile() {}

    static void write(Path home, long pid, String baseUrl) {
      Properties p = new Properties();
      p.setProperty("pid", String.valueOf(pid));
      p.setProperty("baseUrl", baseUrl);
      try (var out = Files.newBufferedWriter(home.resolve("run.properties"))) {
        p.store(out, "the running Remote Claude launcher");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static Optional<Properties> read(Path home) {
      Path file = home.resolve("run.properties");
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      try (var in = Files.newBufferedReader(file)) {
        Properties p = new Properties();
        p.load(in);
        return Optional.of(p);
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    static void delete(Path home) {
      try {
        Files.deleteIfExists(home.resolve("run.properties"));
      } catch (IOException e) {
        // nothing to do
      }
    }
  }

  @SuppressWarnings("unused")
  private static final List<String> NOTHING = List.of();
}
