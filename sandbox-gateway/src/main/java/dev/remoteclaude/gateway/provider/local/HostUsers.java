package dev.remoteclaude.gateway.provider.local;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** The host users sandboxes run as, and what they may reach of the host's files. */
final class HostUsers {
  private HostUsers() {}

  static boolean runningAsRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * Lets {@code uid} pass through the sandbox root (not list it): the root itself is the gateway's
   * and is opened for traversal; a directory above it that is closed is a configuration error.
   */
  static void makeTraversable(Path root, int uid) throws IOException {
    Set<PosixFilePermission> own = Files.getPosixFilePermissions(root);
    if (!own.contains(PosixFilePermission.OTHERS_EXECUTE)) {
      own.add(PosixFilePermission.OTHERS_EXECUTE);
      own.add(PosixFilePermission.GROUP_EXECUTE);
      Files.setPosixFilePermissions(root, own);
    }
    for (Path dir = root.getParent(); dir != null; dir = dir.getParent()) {
      if (!traversable(dir)) {
        throw new IllegalStateException(
            "gateway.local.root "
                + root
                + " is under "
                + dir
                + ", which sandbox user "
                + uid
                + " cannot enter: choose a root under a directory others may enter, such as /var/lib"
                + " or /tmp");
      }
    }
  }

  /**
   * A path of the Claude Code binary that {@code uid} can read: the binary itself when it can,
   * otherwise a copy of it in {@code tools} (made once, refreshed when the binary changes).
   */
  static Path readableCopy(Path binary, Path tools, Optional<Integer> uid) {
    if (uid.isEmpty() || !Files.exists(binary)) {
      return binary;
    }
    try {
      Path real = binary.toRealPath();
      boolean reachable =
          Files.getPosixFilePermissions(real)
                  .containsAll(
                      Set.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE))
              && Stream.iterate(real.getParent(), p -> p != null, Path::getParent)
                  .allMatch(HostUsers::traversable);
      if (reachable) {
        return real;
      }
      Files.createDirectories(tools);
      Files.setPosixFilePermissions(tools, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path copy = tools.resolve("claude");
      if (!Files.exists(copy)
          || Files.size(copy) != Files.size(real)
          || Files.getLastModifiedTime(copy).compareTo(Files.getLastModifiedTime(real)) < 0) {
        Path partial = tools.resolve("claude.partial");
        Files.copy(real, partial, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.move(
            partial, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Log.infof("Claude Code copied to %s, where sandbox user %d can run it", copy, uid.get());
      }
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make Claude Code readable by the sandbox user", e);
    }
  }

  /**
   * Moves what {@code from} holds into {@code to} (same file system) and gives it to {@code uid}.
   */
  static void moveInto(Path from, Path to, int uid) {
    try (Stream<Path> entries = Files.list(from)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        chownTree(entry, uid);
        Files.move(entry, to.resolve(entry.getFileName()), StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the clone into the workspace", e);
    }
  }

  /** Gives a tree to {@code uid} (links themselves, never what they point to). */
  static void chownTree(Path dir, int uid) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hand " + dir + " to the sandbox user", e);
    }
  }

  private static boolean traversable(Path dir) {
    try {
      return Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE);
    } catch (IOException e) {
      return false;
    }
  }
}
