package dev.remoteclaude.gateway.claude;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a byte stream into lines. A line split across chunks (or a multi-byte character split
 * across them) is joined before it is decoded; what remains at the end is a final line.
 */
public final class LineSplitter {

  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  public List<String> feed(byte[] chunk) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < chunk.length; i++) {
      if (chunk[i] == '\n') {
        partial.write(chunk, start, i - start);
        lines.add(take());
        start = i + 1;
      }
    }
    partial.write(chunk, start, chunk.length - start);
    return lines;
  }

  /** The unterminated rest, if any. */
  public List<String> finish() {
    return partial.size() == 0 ? List.of() : List.of(take());
  }

  private String take() {
    String line = partial.toString(StandardCharsets.UTF_8);
    partial.reset();
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
