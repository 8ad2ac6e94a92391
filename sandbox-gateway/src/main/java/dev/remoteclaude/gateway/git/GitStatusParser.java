package dev.remoteclaude.gateway.git;

import dev.remoteclaude.api.GitStatusView;
import dev.remoteclaude.api.GitStatusView.GitChange;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the output of {@code git status --porcelain=v2 --branch -z}: NUL-terminated records, the
 * {@code # branch.*} headers first, then one record per changed path ({@code 1} ordinary, {@code 2}
 * renamed or copied with the original path in the next record, {@code u} unmerged, {@code ?}
 * untracked, {@code !} ignored). Paths are taken as they are (with {@code -z} git neither quotes
 * nor escapes them), spaces and all.
 */
final class GitStatusParser {
  private GitStatusParser() {}

  /** Thrown for output that is not porcelain v2. */
  static final class Malformed extends RuntimeException {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  static GitStatusView parse(String output) {
    String branch = null;
    String upstream = null;
    String head = null;
    int ahead = 0;
    int behind = 0;
    List<GitChange> changes = new ArrayList<>();
    String[] records = output.split("\0", -1);
    for (int i = 0; i < records.length; i++) {
      String record = records[i];
      if (record.isEmpty()) {
        continue;
      }
      char kind = record.charAt(0);
      switch (kind) {
        case '#' -> {
          String[] header = header(record);
          String value = header.length > 2 ? header[2] : "";
          switch (header[1]) {
            case "branch.oid" -> head = value.equals("(initial)") ? null : value;
            case "branch.head" -> branch = value.equals("(detached)") ? null : value;
            case "branch.upstream" -> upstream = value;
            case "branch.ab" -> {
              String[] ab = value.split(" ");
              if (ab.length != 2 || !ab[0].startsWith("+") || !ab[1].startsWith("-")) {
                throw new Malformed("bad branch.ab header");
              }
              ahead = number(ab[0].substring(1));
              behind = number(ab[1].substring(1));
            }
            default -> {} // headers of later git versions (e.g. stash counts)
          }
        }
        case '1' -> {
          String[] f = fields(record, 9);
          changes.add(new GitChange(f[8], ordinary(f[1]), null, staged(f[1])));
        }
        case '2' -> {
          String[] f = fields(record, 10);
          if (i + 1 >= records.length) {
            throw new Malformed("a rename without its original path");
          }
          String original = records[++i];
          String status = f[8].startsWith("C") ? "copied" : "renamed";
          changes.add(new GitChange(f[9], status, original, staged(f[1])));
        }
        case 'u' -> {
          String[] f = fields(record, 11);
          changes.add(new GitChange(f[10], "conflicted", null, false));
        }
        case '?' -> changes.add(new GitChange(path(record), "untracked", null, false));
        case '!' -> {} // ignored files are not asked for
        default -> throw new Malformed("unknown record type '" + kind + "'");
      }
    }
    return new GitStatusView(
        branch, upstream, ahead, behind, head, List.copyOf(changes), changes.isEmpty());
  }

  /** A record's first {@code count - 1} space-separated fields, then the rest (the path). */
  private static String[] fields(String record, int count) {
    String[] f = record.split(" ", count);
    if (f.length < count || f[1].length() != 2 || f[count - 1].isEmpty()) {
      throw new Malformed("a '" + record.charAt(0) + "' record that is not porcelain v2");
    }
    return f;
  }

  private static String[] header(String record) {
    String[] f = record.split(" ", 3);
    if (f.length < 2) {
      throw new Malformed("an empty header");
    }
    return f;
  }

  private static String path(String record) {
    if (record.length() < 3 || record.charAt(1) != ' ') {
      throw new Malformed("a record without a path");
    }
    return record.substring(2);
  }

  /** The index (X) and work tree (Y) letters of an ordinary change, as one word. */
  private static String ordinary(String xy) {
    char x = xy.charAt(0);
    char y = xy.charAt(1);
    if (x == 'D' || y == 'D') {
      return "deleted";
    }
    if (x == 'A' || y == 'A') {
      return "added";
    }
    if (x == 'T' || y == 'T') {
      return "type-changed";
    }
    if (x == 'R' || y == 'R') {
      return "renamed";
    }
    if (x == 'C' || y == 'C') {
      return "copied";
    }
    return "modified";
  }

  private static boolean staged(String xy) {
    return xy.charAt(0) != '.';
  }

  private static int number(String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new Malformed("a count that is not a number");
    }
  }
}
