package dev.remoteclaude.gateway.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommitMessagesTest {

  @Test
  void readsNameStatusWithRenames() {
    assertThat(CommitMessages.parse("M\0src/a.txt\0R100\0old.md\0docs/new.md\0A\0b c.txt\0"))
        .containsExactly(
            new CommitMessages.Change('M', "src/a.txt", null),
            new CommitMessages.Change('R', "docs/new.md", "old.md"),
            new CommitMessages.Change('A', "b c.txt", null));
    assertThat(CommitMessages.parse("")).isEmpty();
  }

  @Test
  void aMessageSaysWhatHappenedToWhichFiles() {
    String one =
        CommitMessages.write(List.of(new CommitMessages.Change('A', "src/hello.py", null)));
    assertThat(one).startsWith("Add hello.py\n\n").contains("Add src/hello.py\n");

    String mixed =
        CommitMessages.write(
            List.of(
                new CommitMessages.Change('M', "a.txt", null),
                new CommitMessages.Change('D', "b.txt", null),
                new CommitMessages.Change('M', "c.txt", null),
                new CommitMessages.Change('R', "e.txt", "d.txt")));
    assertThat(mixed)
        .startsWith("Update a.txt, b.txt, c.txt and 1 more files\n\n")
        .contains("Delete b.txt\n")
        .contains("Rename d.txt -> e.txt\n");
  }
}
