package dev.remoteclaude.gateway.provider;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A process to run in a sandbox. The command is an argument vector, never a shell string: a caller
 * that wants a shell passes {@code ["bash", "-lc", script]} explicitly.
 *
 * @param workingDir relative to the workspace; empty = the workspace itself
 * @param env variables for this process only (on top of the sandbox's clean environment)
 * @param stdin bytes written to the process's standard input, then closed
 * @param timeout the process tree is killed when it runs longer
 * @param maxOutputBytes output beyond this (per stream) is dropped and the result flagged truncated
 * @param readOnlyPaths host paths the process may read (the local provider binds them; for file://
 *     repositories in the local profile)
 */
public record ExecRequest(
    List<String> command,
    Optional<String> workingDir,
    Map<String, String> env,
    byte[] stdin,
    Duration timeout,
    long maxOutputBytes,
    List<Path> readOnlyPaths) {

  public static ExecRequest of(List<String> command, Duration timeout) {
    return new ExecRequest(
        command, Optional.empty(), Map.of(), new byte[0], timeout, 1 << 20, List.of());
  }

  public ExecRequest withEnv(Map<String, String> variables) {
    return new ExecRequest(
        command, workingDir, variables, stdin, timeout, maxOutputBytes, readOnlyPaths);
  }

  public ExecRequest withStdin(byte[] input) {
    return new ExecRequest(command, workingDir, env, input, timeout, maxOutputBytes, readOnlyPaths);
  }

  public ExecRequest withMaxOutputBytes(long max) {
    return new ExecRequest(command, workingDir, env, stdin, timeout, max, readOnlyPaths);
  }

  public ExecRequest withWorkingDir(String dir) {
    return new ExecRequest(
        command, Optional.ofNullable(dir), env, stdin, timeout, maxOutputBytes, readOnlyPaths);
  }

  public ExecRequest withReadOnlyPaths(List<Path> paths) {
    return new ExecRequest(command, workingDir, env, stdin, timeout, maxOutputBytes, paths);
  }
}
