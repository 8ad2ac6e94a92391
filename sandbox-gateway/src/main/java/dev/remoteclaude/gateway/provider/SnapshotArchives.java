package dev.remoteclaude.gateway.provider;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Snapshots kept as tar.gz archives on the gateway (by providers without snapshots of their own, or
 * whose own do not keep the home): one file per snapshot in a directory, named {@code
 * <prefix><uuid>.tar.gz}, the name being the snapshot's id. Ids are checked before any path is made
 * of them, so an id from a request never names another file.
 */
public final class SnapshotArchives {

  private static final String UUID_PATTERN =
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  private final Path directory;
  private final String prefix;
  private final Pattern ids;
  private final Vertx vertx;

  /**
   * @param prefix marks this provider's ids (another provider's id is not one of these)
   */
  public SnapshotArchives(Path directory, String prefix, Vertx vertx) {
    this.directory = directory.toAbsolutePath();
    this.prefix = prefix;
    this.ids = Pattern.compile(Pattern.quote(prefix) + UUID_PATTERN);
    this.vertx = vertx;
  }

  /** A new snapshot's id. */
  public String newId() {
    return prefix + UUID.randomUUID();
  }

  /** Whether {@code snapshotId} is one of these archives' ids (whether or not it exists). */
  public boolean isId(String snapshotId) {
    return snapshotId != null && ids.matcher(snapshotId).matches();
  }

  /** The archive's file (it may not exist yet). */
  public Path fileOf(String snapshotId) {
    return directory.resolve(snapshotId + ".tar.gz");
  }

  /** Where an archive is written before it is complete. */
  public Path partialOf(String snapshotId) {
    return directory.resolve(snapshotId + ".part");
  }

  /** The file of an archive that exists: INVALID for a bad id, NOT_FOUND for a missing one. */
  public Path existing(String snapshotId) {
    if (!isId(snapshotId)) {
      throw new ProviderException(ProviderException.Kind.INVALID, "not a snapshot id");
    }
    Path file = fileOf(snapshotId);
    if (!Files.isRegularFile(file)) {
      throw new ProviderException(
          ProviderException.Kind.NOT_FOUND, "snapshot " + snapshotId + " does not exist");
    }
    return file;
  }

  /** Deletes an archive; one that is not there is fine. */
  public Uni<Void> delete(String snapshotId) {
    if (!isId(snapshotId)) {
      return Uni.createFrom()
          .failure(new ProviderException(ProviderException.Kind.INVALID, "not a snapshot id"));
    }
    Path file = fileOf(snapshotId);
    return vertx
        .fileSystem()
        .delete(file.toString())
        .onFailure(f -> !Files.exists(file))
        .recoverWithNull()
        .onFailure()
        .transform(
            f ->
                new ProviderException(
                    ProviderException.Kind.UNAVAILABLE, "cannot delete snapshot " + snapshotId, f));
  }

  /** Removes a file, logging (not failing) when it cannot. */
  public static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      Log.debugf("cannot remove %s: %s", file, e.getMessage());
    }
  }
}
