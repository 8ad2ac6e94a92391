package dev.remoteclaude.cli.command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Key-value lines with aligned values, for {@code show} commands; empty values are left out. */
final class Details {

  private final List<String[]> lines = new ArrayList<>();

  void add(String key, String value) {
    if (value == null || value.isBlank()) {
      return;
    }
    lines.add(new String[] {key, value});
  }

  void print(PrintStream out) {
    int width = 0;
    for (String[] line : lines) {
      width = Math.max(width, line[0].length());
    }
    for (String[] line : lines) {
      String[] values = line[1].split("\\R", -1);
      for (int i = 0; i < values.length; i++) {
        String key = i == 0 ? line[0] : "";
        out.println((key + " ".repeat(width - key.length() + 2) + values[i]).stripTrailing());
      }
    }
  }
}
