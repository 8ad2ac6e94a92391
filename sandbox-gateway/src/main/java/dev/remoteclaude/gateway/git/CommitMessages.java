package dev.remoteclaude.gateway.git;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The staged changes ({@code git diff --cached --name-status -z}) and the commit message written
 * from them when the user gives none: a subject that says what happened to which files, and a body
 * listing every file with what happened to it.
 */
final class CommitMessages {
  private CommitMessages() {}

  /** One staged change: {@code kind} is git's letter (A, M, D, R, C, T). */
  record Change(char kind, String path, String from) {}

  private static final int SUBJECT_FILES = 3;
  private static final int BODY_FILES = 50;

  static List<Change> parse(String nameStatus) {
    List<Change> changes = new ArrayList<>();
    String[] f = nameStatus.split("\0", -1);
    int i = 0;
    while (i < f.length && !f[i].isEmpty()) {
      char kind = f[i].charAt(0);
      if (kind == 'R' || kind == 'C') {
        if (i + 2 >= f.length) {
          break;
        }
        changes.add(new Change(kind, f[i + 2], f[i + 1]));
        i += 3;
      } else {
        if (i + 1 >= f.length) {
          break;
        }
        changes.add(new Change(kind, f[i + 1], null));
        i += 2;
      }
    }
    return List.copyOf(changes);
  }

  static String write(List<Change> changes) {
    Map<String, List<String>> byVerb = new TreeMap<>();
    for (Change change : changes) {
      byVerb.computeIfAbsent(verb(change.kind()), v -> new ArrayList<>()).add(name(change.path()));
    }
    String subject;
    if (byVerb.size() == 1) {
      Map.Entry<String, List<String>> only = byVerb.entrySet().iterator().next();
      subject = only.getKey() + " " + files(only.getValue());
    } else {
      subject = "Update " + files(changes.stream().map(c -> name(c.path())).toList());
    }
    StringBuilder body = new StringBuilder(subject).append("\n\n");
    int shown = 0;
    for (Change change : changes) {
      if (shown++ == BODY_FILES) {
        body.append("... and ").append(changes.size() - BODY_FILES).append(" more\n");
        break;
      }
      body.append(verb(change.kind())).append(' ');
      if (change.from() != null) {
        body.append(change.from()).append(" -> ");
      }
      body.append(change.path()).append('\n');
    }
    body.append("\nCommitted through Remote Claude (message written from the changes).\n");
    return body.toString();
  }

  private static String files(List<String> names) {
    if (names.size() <= SUBJECT_FILES) {
      return String.join(", ", names);
    }
    return String.join(", ", names.subList(0, SUBJECT_FILES))
        + " and "
        + (names.size() - SUBJECT_FILES)
        + " more files";
  }

  private static String name(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  private static String verb(char kind) {
    return switch (kind) {
      case 'A' -> "Add";
      case 'D' -> "Delete";
      case 'R' -> "Rename";
      case 'C' -> "Copy";
      default -> "Update";
    };
  }
}
