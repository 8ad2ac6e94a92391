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
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    System.exit(new CommandLine(new Main()).execute(args));
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
        long start = System.nanoTime();
        System.out.println("Starting Remote Claude (state in " + options.home() + ")");
        Platform platform = Platform.start(options, step -> System.out.println("  - " + step));
        CountDownLatch stopped = new CountDownLatch(1);
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
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        System.out.println(
            """

            Remote Claude is up (%d s).
              Base URL   %s
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
                    options.anthropicApiKey().isPresent()
                        ? "Anthropic API (ANTHROPIC_API_KEY)"
                        : "offline demo model (set ANTHROPIC_API_KEY for the real Claude)",
                    options.home().resolve("logs"),
                    platform.baseUrl(),
                    platform.baseUrl(),
                    demo.toUri().toString().replaceFirst("/$", "")));
        stopped.await();
        return 0;
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
        process.get().onExit().get(90, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("it did not stop within 90 s; pid " + process.get().pid());
        return 1;
      }
      System.out.println("Stopped.");
      return 0;
    }
  }

  @Command(name = "status", description = "Is the platform running, and where.")
  static final class Status implements Callable<Integer> {
    @Override
    public Integer call() {
      Optional<Properties> running = RunFile.read(options().home());
      boolean alive =
          running
              .flatMap(p -> ProcessHandle.of(Long.parseLong(p.getProperty("pid"))))
              .map(ProcessHandle::isAlive)
              .orElse(false);
      if (!alive) {
        System.out.println("Remote Claude is not running.");
        return 3;
      }
      System.out.println(
          "Remote Claude is running at "
              + running.get().getProperty("baseUrl")
              + " (pid "
              + running.get().getProperty("pid")
              + ")");
      return 0;
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
