package dev.remoteclaude.gateway.claude;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

  @Test
  void linesAcrossChunksAreJoined() {
    LineSplitter splitter = new LineSplitter(64);
    List<String> lines = new ArrayList<>(splitter.feed("ab".getBytes(StandardCharsets.UTF_8)));
    lines.addAll(splitter.feed("c\r\nd\n€".getBytes(StandardCharsets.UTF_8)));
    lines.addAll(splitter.finish());
    assertThat(lines).containsExactly("abc", "d", "€");
  }

  @Test
  void anEndlessLineIsCutAtTheLimitWithAMarkerAndNeverBufferedBeyondIt() {
    int limit = 1024;
    LineSplitter splitter = new LineSplitter(limit);
    byte[] chunk = new byte[4096];
    Arrays.fill(chunk, (byte) 'a');
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 256; i++) { // 1 MiB, no newline
      lines.addAll(splitter.feed(chunk));
      assertThat(splitter.buffered()).isLessThanOrEqualTo(limit);
    }
    lines.addAll(splitter.feed("tail\nnext\n".getBytes(StandardCharsets.UTF_8)));
    long written = 256L * 4096 + 4;
    assertThat(lines)
        .containsExactly(
            "a".repeat(limit) + LineSplitter.truncationMarker(written - limit), "next");
  }

  @Test
  void aCutThroughAMultiByteCharacterLeavesNoBrokenCharacter() {
    LineSplitter splitter = new LineSplitter(4);
    List<String> lines = splitter.feed("abc€€\n".getBytes(StandardCharsets.UTF_8));
    assertThat(lines).containsExactly("abc" + LineSplitter.truncationMarker(6));
  }

  @Test
  void anUnterminatedTruncatedLineStillEndsWithItsMarker() {
    LineSplitter splitter = new LineSplitter(2);
    assertThat(splitter.feed("abcd".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(splitter.finish()).containsExactly("ab" + LineSplitter.truncationMarker(2));
  }
}
