package dev.remoteclaude.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The JDK's ahead-of-time cache (JEP 483 and 514) of the services: the classes a service loaded and
 * linked in one run, read back at the start of the next instead of being loaded again. Five
 * services starting side by side on two cores are ready in about 12 s with it, against 20 s without
 * (docs/benchmarks.md).
 *
 * <p>A service's first run after it was built records the cache ({@code -XX:AOTCacheOutput}): it
 * starts about half again as slowly, and writes the cache when it stops. Each later run of the same
 * build uses it ({@code -XX:AOTCache}). The cache is kept per build (a key over the packaged
 * application, the JDK and the JVM options) in a directory that every checkout on the machine
 * shares, as Maven's build cache is shared: a fresh clone of a commit already run here starts with
 * it. The JDK accepts a cache recorded in another directory whose class path has the same shape,
 * but refuses one whose jars' modification times changed (a build cache's restored copy of a build
 * is written anew): the application's files get one fixed modification time before each run.
 *
 * <p>Only Quarkus' {@code aot-jar} packaging (what {@code ./rc up} builds) puts the application's
 * classes on the JVM's class path, where the cache can hold them; the {@code fast-jar} loads them
 * with its own class loader, and gets no cache.
 */
final class AotCache {

  /** The entry point of Quarkus' fast-jar, whose own class loader the cache cannot hold. */
  static final String FAST_JAR_ENTRY_POINT = "io.quarkus.bootstrap.runner.QuarkusEntryPoint";

  /** The modification time every file of a packaged application gets (2000-01-01). */
  static final FileTime FIXED_TIME = FileTime.from(Instant.parse("2000-01-01T00:00:00Z"));

  /** Caches kept per service: the newest, and the one before (another checkout, another commit). */
  static final int KEPT_PER_SERVICE = 2;

  /** A recording left by a launcher that did not finish it is removed after this. */
  static final Duration ABANDONED = Duration.ofHours(1);

  private static final AtomicInteger RECORDINGS = new AtomicInteger();

  private final Path directory;

  AotCache(Path directory) {
    this.directory = directory;
  }

  /**
   * The cache directory the environment asks for: {@code RC_AOT_CACHE=off} turns the cache off;
   * {@code RC_AOT_CACHE_DIR}, else {@code $XDG_CACHE_HOME/remote-claude/aot}, else {@code
   * ~/.cache/remote-claude/aot}.
   */
  static Optional<Path> directoryFrom(Map<String, String> environment, Path userHome) {
    if ("off".equalsIgnoreCase(environment.getOrDefault("RC_AOT_CACHE", "").trim())) {
      return Optional.empty();
    }
    String explicit = environment.get("RC_AOT_CACHE_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Optional.of(Path.of(explicit).toAbsolutePath());
    }
    String xdg = environment.get("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : userHome.resolve(".cache");
    return Optional.of(base.resolve("remote-claude").resolve("aot").toAbsolutePath());
  }

  /** What one run of a service does with the cache. */
  sealed interface Plan permits None, Use, Record {

    /** The options it adds to the service's JVM. */
    List<String> jvmOptions();

    /** Whether this run records a cache: it starts more slowly and takes longer to stop. */
    default boolean recording() {
      return false;
    }

    /** Called once the service's process has ended (however it ended). */
    default void afterExit() {}
  }

  /** No cache: not an aot-jar application. */
  record None() implements Plan {
    @Override
    public List<String> jvmOptions() {
      return List.of();
    }
  }

  /** The run starts from the cache recorded by an earlier run of the same build. */
  record Use(Path cache) implements Plan {
    @Override
    public List<String> jvmOptions() {
      return List.of("-XX:AOTCache=" + cache);
    }
  }

  /**
   * The run records the cache into {@code partial}; the JVM writes it when the service stops, and
   * {@link #afterExit()} gives it its name once it is whole.
   */
  record Record(Path partial, Path cache, AotCache owner, AtomicBoolean done) implements Plan {
    @Override
    public List<String> jvmOptions() {
      // The JVM names each class it cannot cache with a warning: in the service's log, not useful.
      return List.of("-XX:AOTCacheOutput=" + partial, "-Xlog:aot=error");
    }

    @Override
    public boolean recording() {
      return true;
    }

    @Override
    public void afterExit() {
      if (done.compareAndSet(false, true)) {
        owner.complete(this);
      }
    }
  }

  /**
   * The plan for a run of the application whose {@code quarkus-run.jar} is {@code app}, with these
   * JVM options. Gives the application's files their fixed modification time.
   */
  Plan plan(String service, Path app, List<String> jvmOptions) {
    try {
      if (!aotJar(app)) {
        return new None();
      }
      Path root = app.getParent();
      fixTimes(root);
      Files.createDirectories(directory);
      removeAbandoned(service);
      Path cache = directory.resolve(service + "-" + key(root, jvmOptions) + ".aot");
      if (Files.isRegularFile(cache)) {
        return new Use(cache);
      }
      Path partial =
          directory.resolve(
              cache.getFileName()
                  + "."
                  + ProcessHandle.current().pid()
                  + "-"
                  + RECORDINGS.incrementAndGet()
                  + ".partial");
      return new Record(partial, cache, this, new AtomicBoolean());
    } catch (IOException e) {
      // A cache is an optimisation: the service starts without one.
      return new None();
    }
  }

  /**
   * A recording is whole when the JVM wrote it and removed its temporary configuration file ({@code
   * <output>.config}), which it does once the cache is written.
   */
  private void complete(Record record) {
    Path config = Path.of(record.partial() + ".config");
    try {
      if (Files.isRegularFile(record.partial()) && !Files.exists(config)) {
        move(record.partial(), record.cache());
        prune(record.cache());
      }
    } catch (IOException e) {
      // The next run records again.
    } finally {
      deleteQuietly(record.partial());
      deleteQuietly(config);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Keeps the newest caches of the service, so that the directory does not grow with each build.
   */
  private void prune(Path kept) throws IOException {
    String prefix = serviceOf(kept);
    try (Stream<Path> files = Files.list(directory)) {
      files
          .filter(f -> f.getFileName().toString().endsWith(".aot"))
          .filter(f -> serviceOf(f).equals(prefix))
          .sorted(Comparator.comparing(AotCache::modified).reversed())
          .skip(KEPT_PER_SERVICE)
          .filter(f -> !f.equals(kept))
          .forEach(AotCache::deleteQuietly);
    }
  }

  /** Recordings of this service that a launcher started and never finished (it was killed). */
  private void removeAbandoned(String service) throws IOException {
    Instant before = Instant.now().minus(ABANDONED);
    try (Stream<Path> files = Files.list(directory)) {
      files
          .filter(f -> f.getFileName().toString().startsWith(service + "-"))
          .filter(f -> f.getFileName().toString().contains(".partial"))
          .filter(f -> modified(f).toInstant().isBefore(before))
          .forEach(AotCache::deleteQuietly);
    }
  }

  private static String serviceOf(Path cache) {
    String name = cache.getFileName().toString();
    int dash = name.lastIndexOf('-');
    return dash < 0 ? name : name.substring(0, dash);
  }

  static boolean aotJar(Path app) throws IOException {
    if (!Files.isRegularFile(app)) {
      return false;
    }
    try (JarFile jar = new JarFile(app.toFile())) {
      var manifest = jar.getManifest();
      String main = manifest == null ? null : manifest.getMainAttributes().getValue("Main-Class");
      return main != null && !main.equals(FAST_JAR_ENTRY_POINT);
    }
  }

  private static void fixTimes(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!Files.getLastModifiedTime(file).equals(FIXED_TIME)) {
          Files.setLastModifiedTime(file, FIXED_TIME);
        }
      }
    }
  }

  /**
   * A build's key: the JDK, the JVM options, and every file of the packaged application by its path
   * and size; read whole where a name does not pin the content (the application's own files and
   * snapshot libraries; a released library's file name carries its version).
   */
  static String key(Path root, List<String> jvmOptions) throws IOException {
    MessageDigest digest = sha256();
    update(digest, System.getProperty("java.vm.version"));
    update(digest, System.getProperty("java.home"));
    update(digest, String.join(" ", jvmOptions));
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        String relative = root.relativize(file).toString().replace('\\', '/');
        update(digest, relative);
        update(digest, Long.toString(Files.size(file)));
        if (!relative.startsWith("lib/") || relative.contains("SNAPSHOT")) {
          try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
          }
        }
      }
    }
    return HexFormat.of().formatHex(digest.digest(), 0, 8);
  }

  private static void update(MessageDigest digest, String value) {
    digest.update(value.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Left for the next run's clean-up.
    }
  }
}
