package dev.remoteclaude.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link SandboxProvider} must do, as tests: a provider's test extends this class and
 * supplies the provider (and what differs between providers: ids, snapshots, isolation checks).
 * Every test creates its own sandboxes and terminates them at the end.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class SandboxProviderContract {

  private static final Duration CALL = Duration.ofMinutes(1);
  private final List<String> created = new CopyOnWriteArrayList<>();

  /** The provider under test (the same instance for every call of a test). */
  protected abstract SandboxProvider provider();

  /** A well-formed id of a sandbox this provider has never had. */
  protected abstract String unknownSandboxId();

  /** A well-formed id of a snapshot that does not exist. */
  protected abstract String unknownSnapshotId();

  /**
   * The provider's own isolation guarantees, checked on a running sandbox (processes as a non-root
   * user, resources of the pod, ...).
   */
  protected abstract void assertIsolated(String sandboxId);

  @AfterEach
  void terminateCreated() {
    for (String id : created) {
      provider().terminate(id).await().atMost(CALL);
    }
    created.clear();
  }

  protected String create() {
    return create(Map.of(), Optional.empty());
  }

  protected String create(Map<String, String> env, Optional<String> snapshot) {
    String id =
        provider().create(SandboxSpecs.fresh(env, snapshot)).await().atMost(Duration.ofMinutes(3));
    created.add(id);
    return id;
  }

  protected ExecResult run(String id, ExecRequest request) {
    return ExecResult.collect(provider().exec(id, request).await().atMost(CALL))
        .await()
        .atMost(CALL);
  }

  protected ExecResult sh(String id, String script) {
    return run(id, ExecRequest.of(List.of("sh", "-c", script), Duration.ofSeconds(30)));
  }

  /** {@code script} with {@code args} as $1...: values never become part of the script. */
  protected ExecResult sh(String id, String script, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("sh", "-c", script, "sh"));
    command.addAll(List.of(args));
    return run(id, ExecRequest.of(command, Duration.ofSeconds(30)));
  }

  private void write(String id, String path, String content) {
    provider().writeFile(id, path, content.getBytes(StandardCharsets.UTF_8)).await().atMost(CALL);
  }

  private String read(String id, String path) {
    return new String(
        provider().readFile(id, path, 1 << 20).await().atMost(CALL), StandardCharsets.UTF_8);
  }

  private static ProviderException.Kind kindOf(Throwable failure) {
    Throwable t = failure;
    while (t != null && !(t instanceof ProviderException)) {
      t = t.getCause();
    }
    assertThat(t).as("a ProviderException, not %s", failure).isInstanceOf(ProviderException.class);
    return ((ProviderException) t).kind();
  }

  private void assertFails(Runnable call, ProviderException.Kind kind) {
    assertThatThrownBy(call::run).satisfies(failure -> assertThat(kindOf(failure)).isEqualTo(kind));
  }

  // --- create and status ------------------------------------------------------------------------

  @Test
  void aNewSandboxIsRunning() {
    String id = create();
    assertThat(provider().status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.RUNNING);
  }

  @Test
  void anUnknownSandboxIsMissing() {
    assertThat(provider().status(unknownSandboxId()).await().atMost(CALL))
        .isEqualTo(SandboxStatus.MISSING);
  }

  // --- exec -------------------------------------------------------------------------------------

  @Test
  void execSeparatesStdoutAndStderrAndReportsTheExitCode() {
    String id = create();
    ExecResult result = sh(id, "printf out; printf err >&2; exit 7");
    assertThat(result.stdout()).isEqualTo("out");
    assertThat(result.stderr()).isEqualTo("err");
    assertThat(result.exitCode()).isEqualTo(7);
    assertThat(result.timedOut()).isFalse();
    assertThat(result.succeeded()).isFalse();
    assertThat(sh(id, "true").succeeded()).isTrue();
  }

  @Test
  void execStreamsOutputWhileTheProcessRuns() {
    String id = create();
    ExecHandle handle =
        provider()
            .exec(
                id,
                ExecRequest.of(
                    List.of("sh", "-c", "echo first; sleep 2; echo second"),
                    Duration.ofSeconds(30)))
            .await()
            .atMost(CALL);
    long start = System.nanoTime();
    AtomicLong firstOutput = new AtomicLong();
    List<ExecEvent> events = new ArrayList<>();
    for (ExecEvent event : handle.events().subscribe().asIterable()) {
      if (event instanceof ExecEvent.Stdout && firstOutput.get() == 0) {
        firstOutput.set(System.nanoTime() - start);
      }
      events.add(event);
    }
    long total = System.nanoTime() - start;
    assertThat(events.getLast()).isEqualTo(new ExecEvent.Exit(0, false, false, false));
    assertThat(total - firstOutput.get())
        .as("the first line arrives before the process ends")
        .isGreaterThan(Duration.ofMillis(1500).toNanos());
  }

  @Test
  void execFeedsStdinAndPassesTheEnvironment() {
    String id = create();
    byte[] input = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
    ExecResult cat =
        run(id, ExecRequest.of(List.of("cat"), Duration.ofSeconds(30)).withStdin(input));
    assertThat(cat.stdout()).isEqualTo("line one\nline two\n");
    String value = "a value with spaces, 'quotes', $dollars and\na newline\n";
    ExecResult env =
        run(
            id,
            ExecRequest.of(
                    List.of("sh", "-c", "printf '%s|%s' \"$RC_VALUE\" \"$RC_OTHER\""),
                    Duration.ofSeconds(30))
                .withEnv(Map.of("RC_VALUE", value, "RC_OTHER", "x")));
    assertThat(env.stdout()).isEqualTo(value + "|x");
    // Without stdin a process reading its input sees its end at once.
    assertThat(run(id, ExecRequest.of(List.of("cat"), Duration.ofSeconds(10))).stdout()).isEmpty();
  }

  @Test
  void execRunsInTheWorkingDirectoryAndRefusesOneOutsideTheWorkspace() {
    String id = create();
    write(id, "sub/dir/marker", "here");
    ExecResult result =
        run(
            id,
            ExecRequest.of(List.of("cat", "marker"), Duration.ofSeconds(30))
                .withWorkingDir("sub/dir"));
    assertThat(result.stdout()).isEqualTo("here");
    assertFails(
        () ->
            provider()
                .exec(
                    id,
                    ExecRequest.of(List.of("true"), Duration.ofSeconds(5)).withWorkingDir("../.."))
                .await()
                .atMost(CALL),
        ProviderException.Kind.INVALID);
  }

  @Test
  void aProcessRunningPastItsTimeoutIsKilledAndFlagged() {
    String id = create();
    long start = System.nanoTime();
    ExecResult result =
        run(
            id,
            ExecRequest.of(List.of("sh", "-c", "echo started; sleep 60"), Duration.ofSeconds(2)));
    assertThat(result.timedOut()).isTrue();
    assertThat(result.succeeded()).isFalse();
    assertThat(result.stdout()).isEqualTo("started\n");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void cancelKillsTheProcessTree() {
    String id = create();
    ExecHandle handle =
        provider()
            .exec(
                id,
                ExecRequest.of(
                    List.of("sh", "-c", "(sleep 2; echo survived > survivor) & echo started; wait"),
                    Duration.ofMinutes(1)))
            .await()
            .atMost(CALL);
    List<ExecEvent> events = new ArrayList<>();
    for (ExecEvent event : handle.events().subscribe().asIterable()) {
      events.add(event);
      if (event instanceof ExecEvent.Stdout) {
        handle.cancel();
      }
    }
    ExecEvent.Exit exit = (ExecEvent.Exit) events.getLast();
    assertThat(exit.cancelled()).isTrue();
    assertThat(exit.exitCode()).isNotZero();
    // The background child was killed too: it never writes its file.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> sh(id, "test -e survivor && echo yes || echo no").stdout().strip().equals("no"));
  }

  @Test
  void outputBeyondTheLimitIsDroppedAndFlagged() {
    String id = create();
    ExecResult result =
        run(
            id,
            ExecRequest.of(List.of("sh", "-c", "head -c 100000 /dev/zero"), Duration.ofSeconds(30))
                .withMaxOutputBytes(1000));
    assertThat(result.stdout()).hasSize(1000);
    assertThat(result.truncated()).isTrue();
    assertThat(result.exitCode()).isZero();
  }

  // --- files ------------------------------------------------------------------------------------

  @Test
  void filesRoundTripAndProcessesSeeThem() {
    String id = create();
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    provider().writeFile(id, "deep/dir/bytes.bin", binary).await().atMost(CALL);
    assertThat(provider().readFile(id, "deep/dir/bytes.bin", 1000).await().atMost(CALL))
        .isEqualTo(binary);
    write(id, "note.txt", "first");
    write(id, "note.txt", "second");
    assertThat(read(id, "note.txt")).isEqualTo("second");
    assertThat(provider().readFile(id, "./deep//dir/bytes.bin", 1000).await().atMost(CALL))
        .isEqualTo(binary);
    assertThat(sh(id, "cat note.txt; wc -c < deep/dir/bytes.bin").stdout().strip())
        .isEqualTo("second256");
    write(id, "-leading dash", "ok");
    assertThat(read(id, "-leading dash")).isEqualTo("ok");
  }

  @Test
  void readingRefusesMissingFilesAndFilesLargerThanAsked() {
    String id = create();
    assertFails(
        () -> provider().readFile(id, "no/such/file", 100).await().atMost(CALL),
        ProviderException.Kind.NOT_FOUND);
    write(id, "big.txt", "0123456789");
    assertFails(
        () -> provider().readFile(id, "big.txt", 5).await().atMost(CALL),
        ProviderException.Kind.INVALID);
    assertThat(provider().readFile(id, "big.txt", 10).await().atMost(CALL)).hasSize(10);
  }

  @Test
  void pathsOutsideTheWorkspaceAreRefused() {
    String id = create();
    for (String path : List.of("/etc/passwd", "../outside", "a/../../outside", "", "~/x")) {
      assertFails(
          () -> provider().readFile(id, path, 100).await().atMost(CALL),
          ProviderException.Kind.INVALID);
      assertFails(
          () -> provider().writeFile(id, path, new byte[] {1}).await().atMost(CALL),
          ProviderException.Kind.INVALID);
    }
  }

  // --- pause, resume, terminate -----------------------------------------------------------------

  @Test
  void pauseStopsProcessesKeepsFilesAndResumeMakesTheSandboxUsableAgain() {
    String id = create();
    write(id, "kept.txt", "still here");
    ExecHandle sleeper =
        provider()
            .exec(id, ExecRequest.of(List.of("sleep", "60"), Duration.ofMinutes(2)))
            .await()
            .atMost(CALL);
    provider().pause(id).await().atMost(CALL);
    // Well before the sleep's own end: only the pause can have ended it (and then not with 0).
    ExecEvent last = sleeper.events().collect().last().await().atMost(Duration.ofSeconds(50));
    assertThat(last).isInstanceOf(ExecEvent.Exit.class);
    assertThat(((ExecEvent.Exit) last).exitCode()).isNotZero();
    assertThat(provider().status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.PAUSED);
    assertFails(
        () ->
            provider()
                .exec(id, ExecRequest.of(List.of("true"), Duration.ofSeconds(5)))
                .await()
                .atMost(CALL),
        ProviderException.Kind.INVALID);

    provider().resume(id).await().atMost(CALL);
    assertThat(provider().status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.RUNNING);
    assertThat(read(id, "kept.txt")).isEqualTo("still here");
    assertThat(sh(id, "cat kept.txt").stdout()).isEqualTo("still here");
  }

  @Test
  void terminateRemovesTheSandboxAndIsIdempotent() {
    String id = create();
    provider().terminate(id).await().atMost(CALL);
    provider().terminate(id).await().atMost(CALL);
    assertThat(provider().status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.MISSING);
    assertFails(
        () ->
            provider()
                .exec(id, ExecRequest.of(List.of("true"), Duration.ofSeconds(5)))
                .await()
                .atMost(CALL),
        ProviderException.Kind.NOT_FOUND);
    assertFails(
        () -> provider().readFile(id, "x", 10).await().atMost(CALL),
        ProviderException.Kind.NOT_FOUND);
    assertFails(() -> provider().pause(id).await().atMost(CALL), ProviderException.Kind.NOT_FOUND);
  }

  @Test
  void callsOnAnUnknownSandboxFailAsNotFound() {
    String unknown = unknownSandboxId();
    assertFails(
        () ->
            provider()
                .exec(unknown, ExecRequest.of(List.of("true"), Duration.ofSeconds(5)))
                .await()
                .atMost(CALL),
        ProviderException.Kind.NOT_FOUND);
    assertFails(
        () -> provider().writeFile(unknown, "x", new byte[] {1}).await().atMost(CALL),
        ProviderException.Kind.NOT_FOUND);
    assertFails(
        () -> provider().resume(unknown).await().atMost(CALL), ProviderException.Kind.NOT_FOUND);
    provider().terminate(unknown).await().atMost(CALL);
  }

  // --- snapshots --------------------------------------------------------------------------------

  @Test
  void aSnapshotRestoresTheWorkspaceAndHomeIntoANewSandbox() {
    String id = create();
    write(id, "project/file.txt", "snapshotted");
    sh(id, "printf remembered > \"$HOME/.state\"");
    String snapshot = provider().snapshot(id).await().atMost(Duration.ofMinutes(2)).id();
    write(id, "project/file.txt", "changed later");

    String restored = create(Map.of(), Optional.of(snapshot));
    assertThat(read(restored, "project/file.txt")).isEqualTo("snapshotted");
    assertThat(sh(restored, "cat \"$HOME/.state\"").stdout()).isEqualTo("remembered");

    assertFails(
        () -> create(Map.of(), Optional.of(unknownSnapshotId())), ProviderException.Kind.NOT_FOUND);
  }

  // --- isolation --------------------------------------------------------------------------------

  @Test
  void sandboxesDoNotSeeEachOthersFiles() {
    String a = create();
    String b = create();
    write(a, "private.txt", "a's");
    assertFails(
        () -> provider().readFile(b, "private.txt", 100).await().atMost(CALL),
        ProviderException.Kind.NOT_FOUND);
    assertThat(sh(b, "ls -A").stdout()).doesNotContain("private.txt");
    assertIsolated(a);
  }

  @Test
  void linksToTheHostsFilesReturnNothingFromOutsideTheSandbox() throws java.io.IOException {
    String id = create();
    java.nio.file.Path secret = java.nio.file.Files.createTempFile("contract-secret", ".txt");
    try {
      String marker = "host-secret-" + UUID.randomUUID();
      java.nio.file.Files.writeString(secret, marker);
      sh(id, "ln -s \"$1\" leak; ln -s / root-link", secret.toString());
      for (String path : List.of("leak", "root-link" + secret)) {
        try {
          byte[] read = provider().readFile(id, path, 1000).await().atMost(CALL);
          assertThat(new String(read, java.nio.charset.StandardCharsets.UTF_8))
              .doesNotContain(marker);
        } catch (ProviderException refused) {
          assertThat(refused.kind())
              .isIn(ProviderException.Kind.INVALID, ProviderException.Kind.NOT_FOUND);
        }
      }
      assertThat(sh(id, "cat \"$1\" leak 2>&1", secret.toString()).stdout()).doesNotContain(marker);
    } finally {
      java.nio.file.Files.deleteIfExists(secret);
    }
  }

  @Test
  void aSandboxCannotReadTheGatewaysEnvironment() {
    String id = create();
    long gateway = ProcessHandle.current().pid();
    // A variable of the gateway's own environment (tests run under Maven, which sets these).
    String variable =
        java.util.stream.Stream.of("JAVA_HOME", "MAVEN_PROJECTBASEDIR", "PWD")
            .filter(v -> System.getenv(v) != null)
            .findFirst()
            .orElseThrow();
    String value = variable + "=" + System.getenv(variable);
    // Neither the gateway's process nor any environment holding its variables is in sight.
    String seen =
        sh(
                id,
                "cat /proc/$1/environ 2>/dev/null | tr '\\0' '\\n' | head -3;"
                    + " grep -lF \"$2\" /proc/[0-9]*/environ 2>/dev/null; echo done",
                Long.toString(gateway),
                value)
            .stdout();
    assertThat(seen).isEqualTo("done\n");
  }

  @Test
  void aSandboxCannotConnectToAnotherSandboxsPorts() {
    assertCannotConnect(create(), create());
  }

  /**
   * {@code from} cannot open a connection to a port {@code to} listens on (its own loopback among
   * them): for real where the provider runs processes here, on its policies where it cannot.
   */
  protected abstract void assertCannotConnect(String from, String to);

  // --- listing (the orphan collector) ----------------------------------------------------------

  @Test
  void listNamesEverySandboxHeldWithItsCreationTimeAndForgetsTerminatedOnes() {
    java.time.Instant before = java.time.Instant.now().minusSeconds(5);
    String a = create();
    String b = create();
    List<ProvidedSandbox> held = provider().list().await().atMost(CALL);
    assertThat(held).extracting(ProvidedSandbox::id).contains(a, b);
    assertThat(held)
        .filteredOn(s -> s.id().equals(a))
        .singleElement()
        .satisfies(s -> assertThat(s.createdAt()).isAfter(before));

    provider().terminate(b).await().atMost(CALL);
    assertThat(provider().list().await().atMost(CALL))
        .extracting(ProvidedSandbox::id)
        .contains(a)
        .doesNotContain(b);
  }

  // --- deleting snapshots -----------------------------------------------------------------------

  @Test
  void aDeletedSnapshotCannotBeRestoredAndDeletingIsIdempotent() {
    String id = create();
    write(id, "project/file.txt", "snapshotted");
    String snapshot = provider().snapshot(id).await().atMost(Duration.ofMinutes(2)).id();
    String other = provider().snapshot(id).await().atMost(Duration.ofMinutes(2)).id();

    provider().deleteSnapshot(snapshot).await().atMost(CALL);
    provider().deleteSnapshot(snapshot).await().atMost(CALL);
    provider().deleteSnapshot(unknownSnapshotId()).await().atMost(CALL);
    assertFails(() -> create(Map.of(), Optional.of(snapshot)), ProviderException.Kind.NOT_FOUND);
    assertFails(
        () -> provider().deleteSnapshot("../" + snapshot).await().atMost(CALL),
        ProviderException.Kind.INVALID);

    // only the one deleted is gone
    String restored = create(Map.of(), Optional.of(other));
    assertThat(read(restored, "project/file.txt")).isEqualTo("snapshotted");
  }
}
