package dev.remoteclaude.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.common.events.SandboxFailed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The reason a failed clone is given; the repository's address never decides it. */
class GitCloneTest {

  @Test
  void aMissingRepositoryWhosePathContainsAStatusCodeIsABadUrlNotARefusedCredential()
      throws Exception {
    String url = "file:///nonexistent/repo-c403e-not-found-401";
    String stderr = clone(url);

    ProvisioningFailure failure = GitClone.classify(128, stderr, url, "main");

    assertThat(failure.code()).isEqualTo(SandboxFailed.BAD_REPOSITORY_URL);
  }

  /** git's messages over HTTP: the status decides, never a number or word in the address. */
  @ParameterizedTest
  @CsvSource({
    "https://git.example.com/team/repo.git, The requested URL returned error: 403, AUTH_FAILED",
    "https://git403.example.com/team/repo.git, Could not resolve host: git403.example.com,"
        + " BAD_REPOSITORY_URL",
    "https://git.example.com/team/not-found-403.git, Failed to connect to git.example.com port 443,"
        + " BAD_REPOSITORY_URL"
  })
  void anHttpFailureIsClassifiedByWhatGitSaysNotByTheAddress(
      String url, String complaint, String code) {
    String stderr = "fatal: unable to access '" + url + "/': " + complaint + "\n";

    assertThat(GitClone.classify(128, stderr, url, "main").code()).isEqualTo(code);
  }

  @Test
  void aRedirectIsToldWithItsStatus() {
    String url = "https://git.example.com/moved.git";
    String stderr =
        "fatal: unable to access '" + url + "/': The requested URL returned error: 301\n";

    ProvisioningFailure failure = GitClone.classify(128, stderr, url, "main");

    assertThat(failure.code()).isEqualTo(SandboxFailed.BAD_REPOSITORY_URL);
    assertThat(failure.getMessage()).contains("HTTP 301");
  }

  /** Real git's complaint about the URL. */
  private static String clone(String url) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("rc-clone-");
    Process git =
        new ProcessBuilder(GitClone.command(url, "main", List.of()))
            .directory(dir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String stderr = new String(git.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor()).isNotZero();
    return stderr;
  }
}
