package dev.remoteclaude.gateway.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.common.problem.ProblemException;
import java.util.List;
import org.junit.jupiter.api.Test;

class GitNamesTest {

  @Test
  void acceptsWhatGitAcceptsAsABranchName() {
    for (String name :
        List.of("main", "claude/fix-42", "feature/a.b", "release-1.2", "user@home", "ünïcode")) {
      assertThat(GitNames.branchProblem(name)).as(name).isNull();
    }
  }

  @Test
  void refusesWhatGitCheckRefFormatRefuses() {
    for (String name :
        List.of(
            "-f",
            "--force",
            "a..b",
            "a b",
            "a~1",
            "a^",
            "a:b",
            "a?",
            "a*",
            "a[b",
            "a\\b",
            "a@{1}",
            "@",
            "HEAD",
            "/a",
            "a/",
            "a//b",
            "a.",
            ".hidden",
            "a/.b",
            "x.lock",
            "a/b.lock/c",
            "tab\there",
            "nl\nhere",
            "del\u007f",
            "a".repeat(256))) {
      assertThat(GitNames.branchProblem(name)).as(name).isNotNull();
    }
  }

  @Test
  void aBadNameIsABadRequestOnItsField() {
    assertThatThrownBy(() -> GitNames.branch("name", "--delete"))
        .isInstanceOfSatisfying(
            ProblemException.class,
            p -> {
              assertThat(p.status()).isEqualTo(400);
              assertThat(p.getMessage()).startsWith("name: ");
            });
  }

  @Test
  void startPointsMayBeRevisionsButNeverOptions() {
    assertThat(GitNames.startPoint("from", "origin/main~2")).isEqualTo("origin/main~2");
    assertThat(GitNames.startPoint("from", "HEAD^")).isEqualTo("HEAD^");
    for (String bad : List.of("-b", "--orphan", "a b", "a:b", "x\n", "")) {
      assertThatThrownBy(() -> GitNames.startPoint("from", bad))
          .as(bad)
          .isInstanceOf(ProblemException.class);
    }
  }

  @Test
  void messagesKeepLineBreaksButNoOtherControlCharactersAndAreBounded() {
    assertThat(GitNames.message("message", "Fix it\n\n\tdetails")).isEqualTo("Fix it\n\n\tdetails");
    for (String bad : List.of("", "   ", "bell\u0007", "esc\u001b[31m", "x".repeat(16385))) {
      assertThatThrownBy(() -> GitNames.message("message", bad))
          .as(bad)
          .isInstanceOf(ProblemException.class);
    }
  }
}
