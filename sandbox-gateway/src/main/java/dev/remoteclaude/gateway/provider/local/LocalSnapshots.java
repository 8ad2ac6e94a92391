package dev.remoteclaude.gateway.provider.local;

import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.Snapshot;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Snapshots of local sandboxes: {@code snap-<uuid>.tar.gz} of a sandbox's {@code workspace/} and
 * {@code home/} in one directory of this host. An archive is written as {@code <id>.tar.gz.part}
 * and renamed once complete, so a snapshot either exists whole or not at all; archiving stops at
 * {@code maxBytes}, and an archiver that outlives {@link #ARCHIVE_TIMEOUT} is killed.
 */
final class LocalSnapshots {

  /** How long archiving or restoring a snapshot may take. */
  private static final Duration ARCHIVE_TIMEOUT = Duration.ofMinutes(10);

  private static final Pattern ID =
      Pattern.compile("snap-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final String ARCHIVE = ".tar.gz";
  private static final String PARTIAL = ".part";
  private static final int CHUNK = 64 * 1024;

  private final Path dir;
  private final long maxBytes;

  LocalSnapshots(Path dir, long maxBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the snapshot directory " + dir, e);
    }
    removeAbandonedParts();
  }

  /** Archives the sandbox in {@code sandboxDir}; blocking. */
  Snapshot take(Path sandboxDir) {
    String id = "snap-" + UUID.randomUUID();
    Path archive = dir.resolve(id + ARCHIVE);
    Path partial = dir.resolve(id + ARCHIVE + PARTIAL);
    try {
      // --sparse: a file with holes (truncate -s 10T) is archived as its data, not its size.
      long size =
          archive(
              List.of(
                  "tar", "--sparse", "-czf", "-", "-C", sandboxDir.toString(), "workspace", "home"),
              partial);
      Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
      return Snapshot.of(id, size);
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot store the snapshot", e);
    } finally {
      deleteQuietly(partial);
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
    return dir.resolve(snapshotId + ARCHIVE);
  }

  /**
   * Runs an archiver that writes its archive to standard output, copying it into {@code partial} up
   * to {@code maxBytes}: beyond that, or after {@link #ARCHIVE_TIMEOUT}, the archiver is killed and
   * the snapshot fails. Returns the archive's size.
   */
  private long archive(List<String> command, Path partial) {
    Path errors = null;
    Process process = null;
    try {
      errors = Files.createTempFile("rc-archiver", ".err");
      process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
      process.getOutputStream().close();
      Process running = process;
      AtomicBoolean tooLarge = new AtomicBoolean();
      AtomicReference<IOException> writeFailure = new AtomicReference<>();
      long[] written = {0};
      Thread copier =
          Thread.ofVirtual()
              .name("snapshot-writer")
              .start(
                  () -> {
                    byte[] buffer = new byte[CHUNK];
                    try (InputStream in = running.getInputStream();
                        OutputStream out =
                            Files.newOutputStream(
                                partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                      int read;
                      while ((read = in.read(buffer)) != -1) {
                        if (written[0] + read > maxBytes) {
                          tooLarge.set(true);
                          kill(running);
                          return;
                        }
                        out.write(buffer, 0, read);
                        written[0] += read;
                      }
                    } catch (IOException e) {
                      writeFailure.set(e);
                      kill(running);
                    }
                  });
      boolean finished = process.waitFor(ARCHIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        kill(process);
      }
      if (!copier.join(Duration.ofMinutes(1))) {
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE, "the snapshot could not be written in time");
      }
      if (tooLarge.get()) {
        throw new ProviderException(
            ProviderException.Kind.INVALID,
            "the snapshot is larger than the limit of " + maxBytes + " bytes; it was not kept");
      }
      if (!finished) {
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE,
            command.get(0) + " ran longer than " + ARCHIVE_TIMEOUT.toMinutes() + " minutes");
      }
      if (writeFailure.get() != null) {
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE, "cannot write the snapshot", writeFailure.get());
      }
      if (process.exitValue() != 0) {
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE, command.get(0) + " failed: " + head(errors));
      }
      return written[0];
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, command.get(0) + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
      throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "interrupted");
    } finally {
      deleteQuietly(errors);
    }
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
        kill(process);
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE,
            command.get(0) + " ran longer than " + ARCHIVE_TIMEOUT.toMinutes() + " minutes");
      }
      if (process.exitValue() != 0) {
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE, command.get(0) + " failed: " + head(output));
      }
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, command.get(0) + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "interrupted");
    } finally {
      deleteQuietly(output);
    }
  }

  /** Kills the archiver and its children (tar's gzip): the children first, while they are its. */
  private static void kill(Process process) {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** The start of what an archiver printed (its error), for the failure's message. */
  private static String head(Path output) throws IOException {
    String out = Files.readString(output, StandardCharsets.UTF_8).strip();
    return out.length() > 500 ? out.substring(0, 500) : out;
  }

  /**
   * Partial archives of a gateway that died while archiving; only ones older than any archiver may
   * run, so another process's archive in progress is never touched.
   */
  private void removeAbandonedParts() {
    FileTime before = FileTime.from(Instant.now().minus(ARCHIVE_TIMEOUT.multipliedBy(2)));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(PARTIAL)).toList()) {
        if (Files.getLastModifiedTime(file).compareTo(before) < 0) {
          deleteQuietly(file);
        }
      }
    } catch (IOException e) {
      Log.warnf("cannot look for abandoned snapshot archives in %s: %s", dir, e.getMessage());
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      Log.debugf("cannot remove %s: %s", file, e.getMessage());
    }
  }
}
