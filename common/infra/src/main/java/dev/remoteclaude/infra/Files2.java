package dev.remoteclaude.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

final class Files2 {
  private Files2() {}

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }

  /**
   * Writes {@code content} to a file only its owner may read or write (0600), replacing any file of
   * that name: the file never exists with wider permissions, not even for a moment.
   */
  static void writePrivate(Path file, String content) {
    try {
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }

  /**
   * The last {@code lines} lines of a log file without Java stack frames, for an error message;
   * empty when unreadable.
   */
  static String tail(Path file, int lines) {
    try {
      List<String> all =
          Files.readAllLines(file).stream().filter(l -> !l.startsWith("\tat ")).toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Whether a log file has a line containing {@code text}; false when unreadable. */
  static boolean contains(Path file, String text) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.anyMatch(l -> l.contains(text));
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }
}
