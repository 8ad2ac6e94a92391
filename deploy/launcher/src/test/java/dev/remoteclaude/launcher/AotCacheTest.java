package dev.remoteclaude.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services' ahead-of-time cache with the real JDK: a small application laid out as Quarkus'
 * aot-jar (an entry jar whose manifest puts a library on the class path) is recorded, used, used
 * from another checkout, and recorded again when it changes.
 */
class AotCacheTest {

  private static final List<String> JVM = List.of("-XX:+UseSerialGC", "-Xmx64m");

  @TempDir Path temp;

  @Test
  void theFirstRunRecordsTheCacheAndTheNextRunsStartFromIt() throws Exception {
    Path app = application(temp.resolve("clone-a"), "hello");
    AotCache cache = new AotCache(temp.resolve("cache"));

    AotCache.Plan first = cache.plan("svc", app, JVM);
    assertThat(first).isInstanceOf(AotCache.Record.class);
    assertThat(run(app, first, List.of())).isZero();
    first.afterExit();

    AotCache.Plan second = cache.plan("svc", app, JVM);
    assertThat(second).isInstanceOf(AotCache.Use.class);
    Path recorded = ((AotCache.Use) second).cache();
    assertThat(recorded.getFileName().toString()).startsWith("svc-").endsWith(".aot");
    // AOTMode=on: the JVM exits with an error when it cannot use the cache.
    assertThat(run(app, second, List.of("-XX:AOTMode=on"))).isZero();
    assertThat(filesIn(temp.resolve("cache"))).containsExactly(recorded.getFileName().toString());
  }

  @Test
  void aFreshCloneOfTheSameBuildStartsFromTheCacheAnotherCloneRecorded() throws Exception {
    AotCache cache = new AotCache(temp.resolve("cache"));
    Path a = application(temp.resolve("clone-a"), "hello");
    AotCache.Plan record = cache.plan("svc", a, JVM);
    assertThat(run(a, record, List.of())).isZero();
    record.afterExit();

    // The same build elsewhere, written later: other paths, other modification times.
    Path b = application(temp.resolve("elsewhere/clone-b"), "hello");
    Files.setLastModifiedTime(b, FileTime.from(Instant.now().plusSeconds(60)));
    AotCache.Plan use = cache.plan("svc", b, JVM);
    assertThat(use).isEqualTo(cache.plan("svc", a, JVM)).isInstanceOf(AotCache.Use.class);
    assertThat(run(b, use, List.of("-XX:AOTMode=on"))).isZero();
    // The JDK refuses a Quarkus application's cache when its jars' times changed (this small
    // application's it does not check): every file gets one time.
    try (Stream<Path> files = Files.walk(b.getParent())) {
      assertThat(files.filter(Files::isRegularFile).map(AotCacheTest::modified))
          .containsOnly(AotCache.FIXED_TIME);
    }
  }

  @Test
  void aChangedBuildOrOtherJvmOptionsRecordAgain() throws Exception {
    AotCache cache = new AotCache(temp.resolve("cache"));
    Path app = application(temp.resolve("clone-a"), "hello");
    AotCache.Plan record = cache.plan("svc", app, JVM);
    assertThat(run(app, record, List.of())).isZero();
    record.afterExit();

    assertThat(cache.plan("svc", app, List.of("-XX:+UseSerialGC", "-Xmx128m")))
        .isInstanceOf(AotCache.Record.class);
    application(temp.resolve("clone-a"), "hello, changed");
    assertThat(cache.plan("svc", app, JVM)).isInstanceOf(AotCache.Record.class);
  }

  @Test
  void aRecordingKilledBeforeItWroteTheCacheLeavesNothing() throws Exception {
    AotCache cache = new AotCache(temp.resolve("cache"));
    Path app = application(temp.resolve("clone-a"), "hello");
    AotCache.Plan record = cache.plan("svc", app, JVM);
    Process process = start(app, record, List.of(), "wait");
    await().atMost(Duration.ofSeconds(30)).until(() -> output(process).contains("hello"));
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    record.afterExit();

    assertThat(filesIn(temp.resolve("cache"))).isEmpty();
    assertThat(cache.plan("svc", app, JVM)).isInstanceOf(AotCache.Record.class);
  }

  @Test
  void onlyTheNewestCachesOfAServiceAreKept() throws Exception {
    Path directory = Files.createDirectories(temp.resolve("cache"));
    for (String old : List.of("svc-0000000000000001.aot", "svc-0000000000000002.aot")) {
      Files.writeString(directory.resolve(old), "an older build's cache");
      Files.setLastModifiedTime(
          directory.resolve(old), FileTime.from(Instant.now().minusSeconds(60 * 60)));
    }
    Files.setLastModifiedTime(
        directory.resolve("svc-0000000000000002.aot"),
        FileTime.from(Instant.now().minusSeconds(60)));
    Files.writeString(directory.resolve("other-0000000000000003.aot"), "another service's");
    AotCache cache = new AotCache(directory);
    Path app = application(temp.resolve("clone-a"), "hello");
    AotCache.Plan record = cache.plan("svc", app, JVM);
    assertThat(run(app, record, List.of())).isZero();
    record.afterExit();

    Path recorded = ((AotCache.Use) cache.plan("svc", app, JVM)).cache();
    assertThat(filesIn(directory))
        .containsExactlyInAnyOrder(
            recorded.getFileName().toString(),
            "svc-0000000000000002.aot",
            "other-0000000000000003.aot");
  }

  @Test
  void aFastJarGetsNoCache() throws Exception {
    Path app = application(temp.resolve("clone-a"), "hello");
    jar(app, AotCache.FAST_JAR_ENTRY_POINT, List.of(), Map.of());
    assertThat(new AotCache(temp.resolve("cache")).plan("svc", app, JVM))
        .isInstanceOf(AotCache.None.class);
    assertThat(new AotCache(temp.resolve("cache")).plan("svc", temp.resolve("missing.jar"), JVM))
        .isInstanceOf(AotCache.None.class);
  }

  @Test
  void theEnvironmentChoosesTheDirectoryOrTurnsTheCacheOff() {
    Path home = Path.of("/home/dev");
    assertThat(AotCache.directoryFrom(Map.of(), home))
        .contains(Path.of("/home/dev/.cache/remote-claude/aot"));
    assertThat(AotCache.directoryFrom(Map.of("XDG_CACHE_HOME", "/var/cache/dev"), home))
        .contains(Path.of("/var/cache/dev/remote-claude/aot"));
    assertThat(AotCache.directoryFrom(Map.of("RC_AOT_CACHE_DIR", "/tmp/aot"), home))
        .contains(Path.of("/tmp/aot"));
    assertThat(AotCache.directoryFrom(Map.of("RC_AOT_CACHE", "off"), home)).isEmpty();
  }

  /**
   * Compiles {@code Hello} (in quarkus-run.jar) and {@code Greeting} (in a library on its manifest
   * class path) into {@code root}; returns the entry jar.
   */
  private static Path application(Path root, String greeting) throws IOException {
    Path sources = Files.createDirectories(root.resolve("src"));
    Path classes = Files.createDirectories(root.resolve("classes"));
    Files.writeString(
        sources.resolve("Greeting.java"),
        "public class Greeting { public static String text() { return \"" + greeting + "\"; } }");
    Files.writeString(
        sources.resolve("Hello.java"),
        """
        public class Hello {
          public static void main(String[] args) throws Exception {
            System.out.println(Greeting.text());
            // "wait": runs until it is killed (its stdin, the test's pipe, stays open).
            if (args.length > 0) System.in.read();
          }
        }
        """);
    int compiled =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "-d",
                classes.toString(),
                sources.resolve("Greeting.java").toString(),
                sources.resolve("Hello.java").toString());
    assertThat(compiled).isZero();
    Path quarkusApp = Files.createDirectories(root.resolve("quarkus-app/lib/main"));
    jar(
        quarkusApp.resolve("dev.remoteclaude.greeting-1.0-SNAPSHOT.jar"),
        null,
        List.of(),
        Map.of("Greeting.class", Files.readAllBytes(classes.resolve("Greeting.class"))));
    Path app = root.resolve("quarkus-app/quarkus-run.jar");
    jar(
        app,
        "Hello",
        List.of("lib/main/dev.remoteclaude.greeting-1.0-SNAPSHOT.jar"),
        Map.of("Hello.class", Files.readAllBytes(classes.resolve("Hello.class"))));
    return app;
  }

  private static void jar(
      Path file, String main, List<String> classPath, Map<String, byte[]> entries)
      throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (main != null) {
      manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main);
    }
    if (!classPath.isEmpty()) {
      manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
    }
    // Reproducible, as a build cache's copy of a build is: every entry with one time.
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(out)) {
      jar.putNextEntry(entry(JarFile.MANIFEST_NAME));
      manifest.write(jar);
      jar.closeEntry();
      for (var entry : new java.util.TreeMap<>(entries).entrySet()) {
        jar.putNextEntry(entry(entry.getKey()));
        jar.write(entry.getValue());
        jar.closeEntry();
      }
    }
  }

  private static JarEntry entry(String name) {
    JarEntry entry = new JarEntry(name);
    entry.setTime(0);
    return entry;
  }

  private int run(Path app, AotCache.Plan plan, List<String> extra) throws Exception {
    Process process = start(app, plan, extra);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return process.exitValue();
  }

  private Process start(Path app, AotCache.Plan plan, List<String> extra, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM);
    command.addAll(plan.jvmOptions());
    command.addAll(extra);
    command.add("-jar");
    command.add(app.toString());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .directory(temp.toFile())
        .redirectErrorStream(true)
        .redirectOutput(temp.resolve("jvm-" + System.nanoTime() + ".log").toFile())
        .start();
  }

  private String output(Process process) throws IOException {
    try (Stream<Path> logs = Files.list(temp)) {
      StringBuilder all = new StringBuilder();
      for (Path log : logs.filter(f -> f.getFileName().toString().startsWith("jvm-")).toList()) {
        all.append(Files.readString(log));
      }
      return all.toString();
    }
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> filesIn(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(f -> f.getFileName().toString()).toList();
    }
  }
}
