package dev.remoteclaude.cli.render;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain text table: a header row, aligned columns separated by two spaces. */
public final class Table {

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... headers) {
    this.headers = List.of(headers);
  }

  public Table row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          "a row of " + cells.length + " cells for " + headers.size() + " columns");
    }
    List<String> row = new ArrayList<>(cells.length);
    for (String cell : cells) {
      row.add(cell == null ? "" : cell);
    }
    rows.add(row);
    return this;
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  public void print(PrintStream out) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    out.println(line(headers, widths));
    for (List<String> row : rows) {
      out.println(line(row, widths));
    }
  }

  private static String line(List<String> cells, int[] widths) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      out.append(cell);
      if (i < cells.size() - 1) {
        out.append(" ".repeat(widths[i] - cell.length() + 2));
      }
    }
    return out.toString().stripTrailing();
  }
}
