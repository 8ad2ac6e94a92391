package dev.remoteclaude.gateway.task;

import dev.remoteclaude.common.events.TaskProgress;
import dev.remoteclaude.gateway.claude.ClaudeEvent;
import dev.remoteclaude.gateway.claude.ClaudeResult;
import dev.remoteclaude.gateway.claude.ClaudeStreamParser;
import dev.remoteclaude.gateway.claude.LineSplitter;
import dev.remoteclaude.gateway.log.LogEvent;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.provider.ExecEvent;
import io.smallrye.mutiny.Uni;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Claude's output of one run: every stdout line parsed into typed events on the session's log,
 * stderr kept (its tail explains a crash), and a live cost meter with a {@link TaskProgress} now
 * and then. Fed on the process's reader thread.
 */
final class ClaudeOutput {

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(3);
  private static final int STDERR_TAIL_LINES = 20;

  private final UUID sessionId;
  private final UUID taskId;
  private final LogWriter logWriter;
  private final BiFunction<Long, Long, BigDecimal> price;
  private final Consumer<TaskProgress> progress;
  private final ClaudeStreamParser parser = new ClaudeStreamParser();
  private final LineSplitter stdout;
  private final LineSplitter stderr;
  private final java.util.concurrent.atomic.AtomicLong unlogged =
      new java.util.concurrent.atomic.AtomicLong();
  private final List<String> stderrTail = new ArrayList<>();
  private volatile Uni<LogEvent> last = Uni.createFrom().nullItem();
  private volatile ExecEvent.Exit exit;
  private volatile Throwable startFailure;
  private long lastTokens = -1;
  private Instant lastProgress = Instant.EPOCH;

  ClaudeOutput(
      UUID sessionId,
      UUID taskId,
      LogWriter logWriter,
      BiFunction<Long, Long, BigDecimal> price,
      Consumer<TaskProgress> progress,
      int maxLineBytes) {
    this.stdout = new LineSplitter(maxLineBytes);
    this.stderr = new LineSplitter(maxLineBytes);
    this.sessionId = sessionId;
    this.taskId = taskId;
    this.logWriter = logWriter;
    this.price = price;
    this.progress = progress;
  }

  void accept(ExecEvent event) {
    switch (event) {
      case ExecEvent.Stdout out -> stdout.feed(out.bytes()).forEach(this::line);
      case ExecEvent.Stderr err -> stderr.feed(err.bytes()).forEach(this::errorLine);
      case ExecEvent.Exit e -> {
        stdout.finish().forEach(this::line);
        stderr.finish().forEach(this::errorLine);
        exit = e;
      }
    }
  }

  /** The process could not be started at all. */
  void startFailed(Throwable failure) {
    startFailure = failure;
  }

  Optional<ClaudeResult> result() {
    return parser.result();
  }

  /** How the process ended, or null when it never started. */
  ExecEvent.Exit exit() {
    return exit;
  }

  Throwable startFailure() {
    return startFailure;
  }

  /** The last lines Claude wrote to stderr, at most 500 characters. */
  String stderrTail() {
    String tail;
    synchronized (stderrTail) {
      tail = String.join("\n", stderrTail);
    }
    return tail.length() > 500 ? tail.substring(tail.length() - 500) : tail;
  }

  /** Completes when everything appended so far is durable. */
  Uni<Void> drained() {
    return last.onFailure().recoverWithNull().replaceWithVoid();
  }

  private void line(String line) {
    for (ClaudeEvent event : parser.parse(line)) {
      append(event.type(), event.data());
    }
    meter();
  }

  private void errorLine(String line) {
    if (line.isBlank()) {
      return;
    }
    synchronized (stderrTail) {
      stderrTail.add(line);
      if (stderrTail.size() > STDERR_TAIL_LINES) {
        stderrTail.remove(0);
      }
    }
    append(LogTypes.CLAUDE_STDERR, Map.of("text", line));
  }

  private void meter() {
    long[] tokens = parser.tokens();
    long total = tokens[0] + tokens[1];
    if (total == lastTokens) {
      return;
    }
    lastTokens = total;
    BigDecimal cost = price.apply(tokens[0], tokens[1]);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("turns", parser.turns());
    data.put("lastTool", parser.lastTool());
    data.put("inputTokens", tokens[0]);
    data.put("outputTokens", tokens[1]);
    data.put("costUsd", cost);
    data.put("estimated", true);
    append(LogTypes.TASK_METER, data);
    Instant now = Instant.now();
    if (Duration.between(lastProgress, now).compareTo(PROGRESS_EVERY) >= 0) {
      lastProgress = now;
      progress.accept(
          new TaskProgress(
              taskId, parser.turns(), parser.lastTool(), cost, tokens[0], tokens[1], now));
    }
  }

  private void append(String type, Object data) {
    last = logWriter.append(sessionId, type, taskId, data).memoize().indefinitely();
    last.subscribe()
        .with(
            ok -> {},
            failure -> {
              // never silently: the gateway's log says what the session's log is missing
              long n = unlogged.incrementAndGet();
              if (Long.bitCount(n) == 1) {
                io.quarkus.logging.Log.warnf(
                    "task %s: %d output events not written to session %s's log: %s",
                    taskId, n, sessionId, failure.getMessage());
              }
            });
  }
}
