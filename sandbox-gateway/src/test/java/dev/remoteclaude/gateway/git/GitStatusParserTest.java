package dev.remoteclaude.gateway.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.api.GitStatusView;
import dev.remoteclaude.api.GitStatusView.GitChange;
import org.junit.jupiter.api.Test;

class GitStatusParserTest {

  private static final String OID = "7f3c1e2d4b5a69788796a5b4c3d2e1f0a9b8c7d6";
  private static final String H = "1234567890123456789012345678901234567890";

  @Test
  void readsTheBranchHeadersAndEveryKindOfChange() {
    String out =
        "# branch.oid "
            + OID
            + "\0# branch.head feature/x\0# branch.upstream origin/feature/x\0"
            + "# branch.ab +3 -1\0"
            + "1 .M N... 100644 100644 100644 "
            + H
            + " "
            + H
            + " src/a file with spaces.txt\0"
            + "1 A. N... 000000 100644 100644 "
            + H
            + " "
            + H
            + " new.txt\0"
            + "1 D. N... 100644 000000 000000 "
            + H
            + " "
            + H
            + " gone.txt\0"
            + "2 R. N... 100644 100644 100644 "
            + H
            + " "
            + H
            + " R100 docs/new name.md\0docs/old name.md\0"
            + "u UU N... 100644 100644 100644 100644 "
            + H
            + " "
            + H
            + " "
            + H
            + " both.txt\0"
            + "? notes/todo.txt\0";

    GitStatusView status = GitStatusParser.parse(out);

    assertThat(status.branch()).isEqualTo("feature/x");
    assertThat(status.upstream()).isEqualTo("origin/feature/x");
    assertThat(status.ahead()).isEqualTo(3);
    assertThat(status.behind()).isEqualTo(1);
    assertThat(status.headCommit()).isEqualTo(OID);
    assertThat(status.clean()).isFalse();
    assertThat(status.changes())
        .containsExactly(
            new GitChange("src/a file with spaces.txt", "modified", null, false),
            new GitChange("new.txt", "added", null, true),
            new GitChange("gone.txt", "deleted", null, true),
            new GitChange("docs/new name.md", "renamed", "docs/old name.md", true),
            new GitChange("both.txt", "conflicted", null, false),
            new GitChange("notes/todo.txt", "untracked", null, false));
  }

  @Test
  void aFreshRepositoryWithoutUpstreamIsClean() {
    GitStatusView status = GitStatusParser.parse("# branch.oid (initial)\0# branch.head main\0");
    assertThat(status.branch()).isEqualTo("main");
    assertThat(status.headCommit()).isNull();
    assertThat(status.upstream()).isNull();
    assertThat(status.ahead()).isZero();
    assertThat(status.behind()).isZero();
    assertThat(status.changes()).isEmpty();
    assertThat(status.clean()).isTrue();
  }

  @Test
  void aDetachedHeadHasNoBranch() {
    GitStatusView status =
        GitStatusParser.parse("# branch.oid " + OID + "\0# branch.head (detached)\0");
    assertThat(status.branch()).isNull();
    assertThat(status.headCommit()).isEqualTo(OID);
  }

  @Test
  void aCopyIsReportedAsSuchAndUnknownHeadersAreSkipped() {
    GitStatusView status =
        GitStatusParser.parse(
            "# branch.oid "
                + OID
                + "\0# branch.head main\0# stash 2\0"
                + "2 C. N... 100644 100644 100644 "
                + H
                + " "
                + H
                + " C75 b.txt\0a.txt\0");
    assertThat(status.changes()).containsExactly(new GitChange("b.txt", "copied", "a.txt", true));
  }

  @Test
  void outputThatIsNotPorcelainV2IsRefused() {
    assertThatThrownBy(() -> GitStatusParser.parse(" M README.md\0"))
        .isInstanceOf(GitStatusParser.Malformed.class);
    assertThatThrownBy(() -> GitStatusParser.parse("1 .M N... 100644\0"))
        .isInstanceOf(GitStatusParser.Malformed.class);
    assertThatThrownBy(() -> GitStatusParser.parse("# branch.ab 3 1\0"))
        .isInstanceOf(GitStatusParser.Malformed.class);
    assertThatThrownBy(
            () ->
                GitStatusParser.parse(
                    "2 R. N... 100644 100644 100644 " + H + " " + H + " R100 new.md"))
        .isInstanceOf(GitStatusParser.Malformed.class);
  }
}
