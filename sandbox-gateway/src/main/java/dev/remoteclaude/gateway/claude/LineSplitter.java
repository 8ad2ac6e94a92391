package dev.remoteclaude.gateway.claude;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a byte stream into lines. A line split across chunks (or a multi-byte character split
 * across them) is joined before it is decoded; what remains at the end is a final line.
 *
 * <p>A line keeps at most {@code maxLineBytes} bytes: the rest of a longer line is dropped (never
 * buffered) and the line ends with a marker that says how many bytes were dropped, so a process
 * that writes one endless line costs at most that much memory.
 */
public final class LineSplitter {

  /** The line limit when none is given (1 MiB). */
  public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

  private final int maxLineBytes;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private long dropped;

  public LineSplitter() {
    this(DEFAULT_MAX_LINE_BYTES);
  }

  public LineSplitter(int maxLineBytes) {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be positive");
    }
    this.maxLineBytes = maxLineBytes;
  }

  /** The marker a truncated line ends with. */
  public static String truncationMarker(long droppedBytes) {
    return " [line truncated: " + droppedBytes + " more bytes dropped]";
  }

  public List<String> feed(byte[] chunk) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < chunk.length; i++) {
      if (chunk[i] == '\n') {
        keep(chunk, start, i - start);
        lines.add(take());
        start = i + 1;
      }
    }
    keep(chunk, start, chunk.length - start);
    return lines;
  }

  /** The unterminated rest, if any. */
  public List<String> finish() {
    return partial.size() == 0 && dropped == 0 ? List.of() : List.of(take());
  }

  /** Bytes held for the line being read (at most the limit). */
  public int buffered() {
    return partial.size();
  }

  private void keep(byte[] chunk, int from, int length) {
    int room = maxLineBytes - partial.size();
    int kept = Math.min(room, length);
    partial.write(chunk, from, kept);
    dropped += length - kept;
  }

  private String take() {
    String line = partial.toString(StandardCharsets.UTF_8);
    int size = partial.size();
    partial.reset();
    if (dropped > 0) {
      // the cut may have split a character: its first bytes are dropped with the rest
      if (line.endsWith("\uFFFD")) {
        line = line.substring(0, line.length() - 1);
        dropped += size - line.getBytes(StandardCharsets.UTF_8).length;
      }
      line = line + truncationMarker(dropped);
      dropped = 0;
      return line;
    }
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
