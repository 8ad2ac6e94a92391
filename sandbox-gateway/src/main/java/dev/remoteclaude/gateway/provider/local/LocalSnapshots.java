package dev.remoteclaude.gateway.provider.local;

import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Snapshots of local sandboxes: {@code snap-<uuid>.tar.gz} of a sandbox's {@code workspace/} and
 * {@code home/} in one directory of this host; an archiver that outlives {@link #ARCHIVE_TIMEOUT}
 * is killed.
 */
final class LocalSnapshots {

  /** How long archiving or restoring a snapshot may take. */
  private static final Duration ARCHIVE_TIMEOUT = Duration.ofMinutes(10);

  private static final Pattern ID =
      Pattern.compile("snap-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Path dir;

  LocalSnapshots(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the snapshot directory " + dir, e);
    }
  }

  /** Archives the sandbox in {@code sandboxDir}; blocking. */
  Snapshot take(Path sandboxDir) {
    String id = "snap-" + UUID.randomUUID();
    Path archive = dir.resolve(id + ".tar.gz");
    // --sparse: a file with holes (truncate -s 10T) is archived as its data, not its size.
    run(
        List.of(
            "tar",
            "--sparse",
            "-czf",
            archive.toString(),
            "-C",
            sandboxDir.toString(),
            "workspace",
            "home"));
    try {
      return Snapshot.of(id, Files.size(archive));
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot read the snapshot's size", e);
    }
  }

  /** Unpacks a snapshot into {@code sandboxDir}; blocking. */
  void restore(String snapshotId, Path sandboxDir) {
    Path archive = fileOf(snapshotId);
    if (!Files.exists(archive)) {
      throw new ProviderException(
          ProviderException.Kind.NOT_FOUND, "snapshot " + snapshotId + " is not on this host");
    }
    run(List.of("tar", "-xzf", archive.toString(), "-C", sandboxDir.toString()));
  }

  /** Deletes a snapshot; one that is not there is fine. Blocking. */
  void delete(String snapshotId) {
    Path archive = fileOf(snapshotId);
    try {
      Files.deleteIfExists(archive);
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot delete snapshot " + snapshotId, e);
    }
  }

  private Path fileOf(String snapshotId) {
    if (snapshotId == null || !ID.matcher(snapshotId).matches()) {
      throw new ProviderException(ProviderException.Kind.INVALID, "not a snapshot id");
    }
    return dir.resolve(snapshotId + ".tar.gz");
  }

  /** Runs an archiver; one that outlives {@link #ARCHIVE_TIMEOUT} is killed, not left behind. */
  private static void run(List<String> command) {
    Path output = null;
    try {
      output = Files.createTempFile("rc-archiver", ".out");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!process.waitFor(ARCHIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE,
            command.get(0) + " ran longer than " + ARCHIVE_TIMEOUT.toMinutes() + " minutes");
      }
      if (process.exitValue() != 0) {
        String out = Files.readString(output, StandardCharsets.UTF_8).strip();
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE,
            command.get(0) + " failed: " + (out.length() > 500 ? out.substring(0, 500) : out));
      }
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, command.get(0) + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "interrupted");
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException ignored) {
          // a temporary file of a few bytes
        }
      }
    }
  }
}
