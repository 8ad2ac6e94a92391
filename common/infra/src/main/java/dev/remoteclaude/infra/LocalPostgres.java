package dev.remoteclaude.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * A real PostgreSQL server from the installed binaries, in a directory of ours, on a loopback port.
 *
 * <p>initdb refuses to run as root, so when this JVM is root every PostgreSQL program runs as the
 * {@code postgres} system user (through {@code setpriv}). The server is started with {@code pg_ctl
 * -w}, which returns once it accepts connections, and stopped with a fast shutdown.
 */
public final class LocalPostgres implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(LocalPostgres.class);
  private static final String SYSTEM_USER = "postgres";
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int PORT_ATTEMPTS = 3;

  /** How a server is set up. */
  public record Options(Path directory, int port, String user, String password, boolean ephemeral) {

    /** A throw-away server for tests: temporary directory, durability off, deleted on close. */
    public static Options ephemeral(String user, String password) {
      try {
        Path dir = Files.createTempDirectory("rc-pg-");
        return new Options(dir, Ports.free(), user, password, true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary directory for PostgreSQL", e);
      }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
      return "Options[directory=%s, port=%d, user=%s, password=<hidden>, ephemeral=%s]"
          .formatted(directory, port, user, ephemeral);
    }
  }

  private final Options options;
  private final Path bin;
  private final Path dataDir;
  private final Path logFile;
  private volatile boolean running;

  private LocalPostgres(Options options, Path bin) {
    this.options = options;
    this.bin = bin;
    this.dataDir = options.directory().resolve("data");
    this.logFile = options.directory().resolve("postgres.log");
  }

  /** Initialises the cluster if needed and starts it; returns once it accepts connections. */
  public static LocalPostgres start(Options options) {
    Path bin = findBinaries();
    for (Path p : List.of(options.directory())) {
      String s = p.toString();
      if (s.chars().anyMatch(c -> Character.isWhitespace(c) || c == '\'' || c == '"')) {
        throw new InfraException("PostgreSQL directory must not contain spaces or quotes: " + s);
      }
    }
    for (int attempt = 1; ; attempt++) {
      LocalPostgres pg = new LocalPostgres(options, bin);
      try {
        pg.initIfNeeded();
        pg.startServer();
        return pg;
      } catch (RuntimeException e) {
        pg.abandon();
        // A throw-away server whose port was taken meanwhile (chosen free, bound a moment later)
        // moves to another port.
        if (!options.ephemeral() || attempt == PORT_ATTEMPTS || !portTaken(e)) {
          throw e;
        }
        LOG.warnf("PostgreSQL's port %d was taken meanwhile; moving to another", options.port());
        options =
            new Options(
                options.directory(), Ports.free(), options.user(), options.password(), true);
      }
    }
  }

  /** The directory holding initdb, pg_ctl and postgres, or a clear error saying what is missing. */
  static Path findBinaries() {
    String fromEnv = System.getenv("RC_PG_BIN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      Path p = Path.of(fromEnv);
      if (Files.isExecutable(p.resolve("initdb"))) {
        return p;
      }
      throw new InfraException("RC_PG_BIN=" + fromEnv + " has no executable initdb");
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Optional<Path> newest =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")))
                .max(Comparator.comparingInt(LocalPostgres::majorVersion));
        if (newest.isPresent()) {
          return newest.get();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new InfraException(
        "PostgreSQL server binaries not found: looked for initdb under /usr/lib/postgresql/*/bin"
            + " and in RC_PG_BIN. Install PostgreSQL 15+ (Debian: apt-get install postgresql-15),"
            + " or point the tests at a running server with RC_TEST_PG_URL.");
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void initIfNeeded() {
    try {
      Files.createDirectories(options.directory());
      if (Files.exists(dataDir.resolve("PG_VERSION"))) {
        return;
      }
      Files.setPosixFilePermissions(
          options.directory(), PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.createDirectories(dataDir);
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
      Path pwFile = options.directory().resolve("initdb.pw");
      Files.writeString(pwFile, options.password());
      Files.setPosixFilePermissions(pwFile, PosixFilePermissions.fromString("rw-------"));
      if (Users.runningAsRoot()) {
        Users.chownRecursively(options.directory(), SYSTEM_USER);
        checkTraversable(options.directory());
      }
      try {
        ProcessRunner.runOrFail(
            "initdb",
            command(
                bin.resolve("initdb").toString(),
                "-D",
                dataDir.toString(),
                "-U",
                options.user(),
                "--pwfile=" + pwFile,
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync"),
            Map.of(),
            TIMEOUT);
      } finally {
        Files.deleteIfExists(pwFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dataDir, e);
    }
  }

  /** As root the server runs as 'postgres', which must be able to reach its directory. */
  private static void checkTraversable(Path dir) {
    for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      try {
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        if (perms.charAt(8) != 'x') {
          throw new InfraException(
              "PostgreSQL runs as user 'postgres', which cannot enter "
                  + p
                  + " ("
                  + perms
                  + "); choose a data directory outside it");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void startServer() {
    List<String> serverOptions = new ArrayList<>();
    serverOptions.add("-p " + options.port());
    serverOptions.add("-c listen_addresses=127.0.0.1");
    serverOptions.add("-k " + options.directory());
    serverOptions.add("-c max_connections=300");
    if (options.ephemeral()) {
      serverOptions.add("-c fsync=off");
      serverOptions.add("-c synchronous_commit=off");
      serverOptions.add("-c full_page_writes=off");
    }
    try {
      ProcessRunner.runOrFail(
          "pg_ctl start (log: " + logFile + ")",
          command(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dataDir.toString(),
              "-l",
              logFile.toString(),
              "-w",
              "-t",
              "60",
              "-o",
              String.join(" ", serverOptions),
              "start"),
          Map.of(),
          TIMEOUT);
    } catch (InfraException e) {
      throw new InfraException(
          e.getMessage() + "; the end of the server log:\n" + Files2.tail(logFile, 15), e);
    }
    running = true;
    LOG.infof("PostgreSQL is up on 127.0.0.1:%d (%s)", options.port(), options.directory());
  }

  /** Creates a database owned by the server's user unless it exists. */
  public void createDatabase(String name) {
    if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("database name must be a simple identifier: " + name);
    }
    String exists =
        ProcessRunner.runOrFail(
            "psql",
            command(
                bin.resolve("psql").toString(),
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(options.port()),
                "-U",
                options.user(),
                "-d",
                "postgres",
                "-tAc",
                "SELECT 1 FROM pg_database WHERE datname = '" + name + "'"),
            Map.of("PGPASSWORD", options.password()),
            TIMEOUT);
    if (exists.strip().equals("1")) {
      return;
    }
    ProcessRunner.runOrFail(
        "createdb",
        command(
            bin.resolve("createdb").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            String.valueOf(options.port()),
            "-U",
            options.user(),
            name),
        Map.of("PGPASSWORD", options.password()),
        TIMEOUT);
  }

  private List<String> command(String... parts) {
    List<String> cmd = List.of(parts);
    return Users.runningAsRoot() ? Users.asUser(SYSTEM_USER, cmd) : cmd;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return options.port();
  }

  public String user() {
    return options.user();
  }

  public String password() {
    return options.password();
  }

  public Path logFile() {
    return logFile;
  }

  /** Where the server's Unix socket is ({@code .s.PGSQL.<port>}). */
  Path socketDirectory() {
    return options.directory();
  }

  /** The postmaster's process id (from postmaster.pid), or -1 when it is not running. */
  public long pid() {
    try {
      return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
  }

  /** The URL form the Vert.x reactive PostgreSQL client takes. */
  public String reactiveUrl(String database) {
    return "postgresql://" + host() + ":" + port() + "/" + database;
  }

  /** Stops the server (fast shutdown) and keeps its data: {@link #restart()} brings it back. */
  public synchronized void stop() {
    stopServer();
  }

  /** Starts the server again on the same port, with the same data, after {@link #stop()}. */
  public synchronized void restart() {
    if (!running) {
      startServer();
    }
  }

  /** Whether the postmaster is running (a server killed outright is not, whatever it left). */
  public boolean alive() {
    long pid = pid();
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /**
   * Starts a server that died (killed, crashed) again on the same port with the same data; the
   * server's own crash recovery replays its WAL. Does nothing while it runs.
   */
  public synchronized void recover() {
    if (alive()) {
      return;
    }
    running = false;
    startServer();
  }

  @Override
  public synchronized void close() {
    stopServer();
    if (options.ephemeral()) {
      Files2.deleteRecursively(options.directory());
    }
  }

  private static boolean portTaken(RuntimeException e) {
    return e.getMessage() != null && e.getMessage().contains("Address already in use");
  }

  /**
   * After a failed start: no server left behind, and an ephemeral directory deleted. Its own
   * failures are logged, so that the start's failure is the one reported.
   */
  private void abandon() {
    try {
      running = Files.exists(dataDir.resolve("postmaster.pid"));
      stopServer();
      if (options.ephemeral()) {
        Files2.deleteRecursively(options.directory());
      }
    } catch (RuntimeException e) {
      LOG.warnf("cleaning up after a failed start: %s", e.getMessage());
    }
  }

  private void stopServer() {
    if (!running) {
      return;
    }
    running = false;
    ProcessRunner.Result result =
        ProcessRunner.run(
            command(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dataDir.toString(),
                "-m",
                "fast",
                "-w",
                "stop"),
            Map.of(),
            null,
            TIMEOUT);
    if (result.exitCode() != 0) {
      LOG.warnf("pg_ctl stop failed: %s", result.output().strip());
    }
  }
}
