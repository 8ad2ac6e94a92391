package dev.remoteclaude.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived helper process (initdb, pg_ctl, the Kafka storage tool) to completion. */
final class ProcessRunner {

  private ProcessRunner() {}

  record Result(int exitCode, String output) {}

  static Result run(List<String> command, Map<String, String> env, Path workDir, Duration timeout) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      byte[] out;
      try (var in = process.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new InfraException(
            "timed out after " + timeout.toSeconds() + "s: " + String.join(" ", command));
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InfraException("interrupted while running " + command.get(0));
    }
  }

  static String runOrFail(
      String what, List<String> command, Map<String, String> env, Duration timeout) {
    Result result = run(command, env, null, timeout);
    if (result.exitCode() != 0) {
      throw new InfraException(
          what + " failed (exit " + result.exitCode() + "): " + result.output().strip());
    }
    return result.output();
  }
}
