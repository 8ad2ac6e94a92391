package dev.remoteclaude.gateway.provider;

import io.smallrye.mutiny.Uni;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The buffered outcome of a process: all its output (up to the limit) and how it ended. */
public record ExecResult(
    int exitCode,
    String stdout,
    String stderr,
    boolean timedOut,
    boolean cancelled,
    boolean truncated,
    long durationMs) {

  public boolean succeeded() {
    return exitCode == 0 && !timedOut && !cancelled;
  }

  /** Buffers a process's output until it exits. */
  public static Uni<ExecResult> collect(ExecHandle handle) {
    long start = System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExecEvent.Exit[] exit = new ExecEvent.Exit[1];
    return handle
        .events()
        .onItem()
        .invoke(
            event -> {
              switch (event) {
                case ExecEvent.Stdout s -> out.writeBytes(s.bytes());
                case ExecEvent.Stderr s -> err.writeBytes(s.bytes());
                case ExecEvent.Exit e -> exit[0] = e;
              }
            })
        .collect()
        .last()
        .map(
            ignored ->
                new ExecResult(
                    exit[0] == null ? -1 : exit[0].exitCode(),
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8),
                    exit[0] != null && exit[0].timedOut(),
                    exit[0] != null && exit[0].cancelled(),
                    exit[0] != null && exit[0].truncated(),
                    (System.nanoTime() - start) / 1_000_000));
  }
}
