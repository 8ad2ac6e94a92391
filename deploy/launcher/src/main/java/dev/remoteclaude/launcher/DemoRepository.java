package dev.remoteclaude.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A small git repository under the platform's home to try sessions on (file:// URL). */
final class DemoRepository {
  private DemoRepository() {}

  static Path ensure(Path home) {
    Path repo = home.resolve("demo-repo");
    if (Files.isDirectory(repo.resolve(".git"))) {
      return repo;
    }
    try {
      Files.createDirectories(repo);
      Files.writeString(
          repo.resolve("README.md"),
          "# Demo project\n\nA tiny repository to try Remote Claude sessions on.\n");
      Files.writeString(
          repo.resolve("hello.sh"), "#!/bin/sh\necho \"hello from the demo project\"\n");
      git(repo, "init", "--quiet", "--initial-branch=main");
      git(repo, "add", ".");
      git(
          repo,
          "-c",
          "user.name=Remote Claude",
          "-c",
          "user.email=demo@localhost",
          "commit",
          "--quiet",
          "-m",
          "Demo project");
      return repo;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void git(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("git " + String.join(" ", args) + " failed in " + dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
