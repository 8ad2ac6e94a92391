package dev.remoteclaude.gateway.provider;

/** What a running process produces, in order: output chunks, then exactly one {@link Exit}. */
public sealed interface ExecEvent {

  /** A chunk of standard output. */
  record Stdout(byte[] bytes) implements ExecEvent {}

  /** A chunk of standard error. */
  record Stderr(byte[] bytes) implements ExecEvent {}

  /**
   * The process tree ended.
   *
   * @param exitCode the process's real exit code (128 + signal when killed)
   * @param timedOut it was killed for running past its timeout
   * @param cancelled it was killed on request
   * @param truncated some output was dropped to respect the output limit
   */
  record Exit(int exitCode, boolean timedOut, boolean cancelled, boolean truncated)
      implements ExecEvent {}
}
