package dev.remoteclaude.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real git repositories on disk for tests to clone (file:// URLs). */
public final class GitRepos {
  private GitRepos() {}

  /** A repository with README.md on branch {@code main}; returns its file:// URL. */
  public static String withReadme(String content) {
    try {
      Path dir = Files.createTempDirectory("rc-repo-");
      git(dir, "init", "--quiet", "--initial-branch=main");
      Files.writeString(dir.resolve("README.md"), content);
      git(dir, "add", "README.md");
      git(
          dir,
          "-c",
          "user.name=Test",
          "-c",
          "user.email=test@example.com",
          "commit",
          "--quiet",
          "-m",
          "first");
      return dir.toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void git(Path dir, String... args) {
    try {
      List<String> command = new java.util.ArrayList<>(List.of("git"));
      command.addAll(List.of(args));
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
