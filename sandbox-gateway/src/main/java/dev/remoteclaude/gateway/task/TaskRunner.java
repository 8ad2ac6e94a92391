package dev.remoteclaude.gateway.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.db.PgNotifications;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.TaskCancelRequested;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.TaskProgress;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.gateway.claude.ClaudeCommand;
import dev.remoteclaude.gateway.claude.ClaudeEvent;
import dev.remoteclaude.gateway.claude.ClaudeResult;
import dev.remoteclaude.gateway.claude.ClaudeStreamParser;
import dev.remoteclaude.gateway.claude.LineSplitter;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.log.LogEvent;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.log.SessionLog;
import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.sandbox.Recovery;
import dev.remoteclaude.gateway.sandbox.Sandbox;
import dev.remoteclaude.gateway.sandbox.SandboxRepository;
import dev.remoteclaude.gateway.sandbox.SandboxRequests;
import dev.remoteclaude.gateway.sandbox.SandboxState;
import dev.remoteclaude.gateway.work.VertxJobs;
import dev.remoteclaude.gateway.work.Workers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs dispatched tasks: the real Claude Code CLI in headless mode inside the session's sandbox,
 * the prompt on stdin, its stream-json output parsed line by line into the session's log (with a
 * live cost meter), and the outcome announced as TaskCompleted or TaskFailed. The next task of the
 * session resumes the conversation id of this one's result line.
 */
@ApplicationScoped
public class TaskRunner {

  static final String CANCEL_CHANNEL = "rc_task_cancel";
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(3);

  private final TaskRunRepository runs;
  private final SandboxRepository sandboxes;
  private final SandboxRequests requests;
  private final ProviderCalls providers;
  private final Outbox outbox;
  private final SessionLog sessionLog;
  private final LogWriter logWriter;
  private final Workers workers;
  private final VertxJobs jobs;
  private final GatewayConfig config;
  private final PgNotifications notifications;
  private final Map<UUID, Running> running = new ConcurrentHashMap<>();

  /** A run on this instance: its process and why it may have been stopped. */
  private static final class Running {
    final AtomicReference<ExecHandle> handle = new AtomicReference<>();
    final AtomicReference<String> stopCode = new AtomicReference<>();
    final AtomicReference<String> stopReason = new AtomicReference<>();

    void stop(String code, String reason) {
      if (stopCode.compareAndSet(null, code)) {
        stopReason.set(reason);
      }
      ExecHandle h = handle.get();
      if (h != null) {
        h.cancel();
      }
    }
  }

  public TaskRunner(
      TaskRunRepository runs,
      SandboxRepository sandboxes,
      SandboxRequests requests,
      ProviderCalls providers,
      Outbox outbox,
      SessionLog sessionLog,
      LogWriter logWriter,
      Workers workers,
      VertxJobs jobs,
      GatewayConfig config,
      PgNotifications notifications) {
    this.runs = runs;
    this.sandboxes = sandboxes;
    this.requests = requests;
    this.providers = providers;
    this.outbox = outbox;
    this.sessionLog = sessionLog;
    this.logWriter = logWriter;
    this.workers = workers;
    this.jobs = jobs;
    this.config = config;
    this.notifications = notifications;
  }

  void onStart(@Observes StartupEvent event) {
    notifications.subscribe(CANCEL_CHANNEL, this::onStopNotification, () -> {});
  }

  void onStop(@Observes ShutdownEvent event) {
    running.values().forEach(r -> r.stop(TaskFailed.INTERRUPTED, "the gateway is shutting down"));
  }

  // ---------------------------------------------------------------- consuming (inside the inbox
  // tx)

  /** Records a dispatched task; it starts after the commit ({@link #kick()}). */
  public Uni<Void> dispatched(EventEnvelope envelope, TaskDispatched task) {
    UUID sessionId = UUID.fromString(envelope.subject());
    return runs.findById(task.taskId())
        .chain(
            existing -> {
              if (existing != null) {
                return Uni.createFrom().voidItem();
              }
              return sandboxes
                  .findById(sessionId)
                  .chain(
                      sandbox -> {
                        TaskRun run = new TaskRun();
                        run.taskId = task.taskId();
                        run.sessionId = sessionId;
                        run.ownerId = envelope.userId();
                        run.dispatch = json(task);
                        if (sandbox == null || !sandbox.usable()) {
                          run.state = TaskRun.FINISHED;
                          run.finishedAt = Instant.now();
                          String reason =
                              "the session's sandbox is not ready ("
                                  + (sandbox == null
                                      ? "unknown"
                                      : sandbox.state.name().toLowerCase())
                                  + ")";
                          return runs.persist(run)
                              .chain(
                                  () ->
                                      failed(
                                          run,
                                          TaskFailed.SANDBOX_UNAVAILABLE,
                                          reason,
                                          null,
                                          Usage.none()));
                        }
                        run.state = TaskRun.STARTING;
                        run.worker = workers.id();
                        return runs.persist(run).replaceWithVoid();
                      });
            });
  }

  /** Asks whichever instance runs the task to kill it (inside the inbox tx). */
  public Uni<Void> cancelRequested(EventEnvelope envelope, TaskCancelRequested cancel) {
    return runs.lock(cancel.taskId())
        .chain(
            run -> {
              if (run == null || TaskRun.FINISHED.equals(run.state)) {
                return Uni.createFrom().voidItem();
              }
              run.cancelRequested = true;
              return notifyStop(run.taskId, TaskFailed.CANCELLED, "cancelled by the user");
            });
  }

  /** Stops every unfinished run of a session (it is pausing or ending); inside a transaction. */
  public Uni<Void> interruptSession(UUID sessionId, String reason) {
    return runs.activeOf(sessionId)
        .chain(
            active -> {
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (TaskRun run : active) {
                chain = chain.chain(() -> notifyStop(run.taskId, TaskFailed.INTERRUPTED, reason));
              }
              return chain;
            });
  }

  private Uni<Void> notifyStop(UUID taskId, String code, String reason) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("SELECT CAST(pg_notify(?1, ?2) AS text)")
                    .setParameter(1, CANCEL_CHANNEL)
                    .setParameter(2, taskId + "|" + code + "|" + reason)
                    .getSingleResult())
        .replaceWithVoid();
  }

  private void onStopNotification(String payload) {
    String[] parts = payload.split("\\|", 3);
    if (parts.length < 3) {
      return;
    }
    try {
      Running run = running.get(UUID.fromString(parts[0]));
      if (run != null) {
        run.stop(parts[1], parts[2]);
      }
    } catch (IllegalArgumentException e) {
      Log.debugf("ignoring malformed stop notification");
    }
  }

  // ---------------------------------------------------------------- running

  /** Starts every run this instance owns and is not running yet. */
  public void kick() {
    jobs.onContext(
            () ->
                Panache.withSession(
                    () -> runs.list("state = ?1 and worker = ?2", TaskRun.STARTING, workers.id())))
        .subscribe()
        .with(
            list -> list.forEach(run -> start(run.taskId)),
            failure -> Log.warnf("cannot look for tasks to run: %s", failure.getMessage()));
  }

  void start(UUID taskId) {
    Running state = new Running();
    if (running.putIfAbsent(taskId, state) != null) {
      return;
    }
    jobs.onContext(() -> begin(taskId, state))
        .subscribe()
        .with(
            ok -> {},
            failure -> {
              running.remove(taskId);
              Log.errorf(failure, "task %s could not be run", taskId);
            });
  }

  private record Begun(TaskRun run, Sandbox sandbox, TaskDispatched task) {}

  private Uni<Void> begin(UUID taskId, Running state) {
    return Panache.withTransaction(
            () ->
                runs.lock(taskId)
                    .chain(
                        run -> {
                          if (run == null
                              || !TaskRun.STARTING.equals(run.state)
                              || !workers.id().equals(run.worker)) {
                            return Uni.createFrom().<Begun>nullItem();
                          }
                          return sandboxes
                              .findById(run.sessionId)
                              .chain(sandbox -> begin(run, sandbox));
                        }))
        .chain(
            begun -> {
              if (begun == null) {
                running.remove(taskId);
                return Uni.createFrom().voidItem();
              }
              return requests
                  .find(begun.sandbox().sessionId)
                  .chain(request -> execute(begun, request.orElse(null), state));
            });
  }

  private Uni<Begun> begin(TaskRun run, Sandbox sandbox) {
    TaskDispatched task = parse(run.dispatch);
    if (run.cancelRequested) {
      run.state = TaskRun.FINISHED;
      run.finishedAt = Instant.now();
      return failed(run, TaskFailed.CANCELLED, "cancelled by the user", null, Usage.none())
          .replaceWith((Begun) null);
    }
    if (sandbox == null || !sandbox.usable()) {
      run.state = TaskRun.FINISHED;
      run.finishedAt = Instant.now();
      return failed(
              run,
              TaskFailed.SANDBOX_UNAVAILABLE,
              "the session's sandbox is not ready",
              null,
              Usage.none())
          .replaceWith((Begun) null);
    }
    Optional<String> invalid = ClaudeCommand.invalid(task);
    if (invalid.isPresent()) {
      run.state = TaskRun.FINISHED;
      run.finishedAt = Instant.now();
      return failed(run, TaskFailed.ERROR, invalid.get(), null, Usage.none())
          .replaceWith((Begun) null);
    }
    run.state = TaskRun.RUNNING;
    run.startedAt = Instant.now();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("model", task.model());
    data.put("resumes", sandbox.claudeSessionId);
    return outbox
        .emit(new TaskStarted(run.taskId, run.startedAt), run.sessionId.toString(), run.ownerId)
        .chain(() -> sessionLog.append(run.sessionId, LogTypes.TASK_STARTED, run.taskId, data))
        .replaceWith(new Begun(run, sandbox, task));
  }

  private Uni<Void> execute(Begun begun, SessionRequested request, Running state) {
    Sandbox sandbox = begun.sandbox();
    TaskRun run = begun.run();
    Map<String, String> env = new HashMap<>();
    if (request != null) {
      env.putAll(requests.environment(sandbox.sessionId, request));
    }
    env.putAll(ClaudeCommand.environment(config.claude()));
    ExecRequest exec =
        ExecRequest.of(
                ClaudeCommand.argv(
                    providers.provider(sandbox.provider).claudeCommand(),
                    begun.task(),
                    config.claude().defaultPermissionMode(),
                    sandbox.claudeSessionId),
                config.claude().taskTimeout())
            .withEnv(env)
            .withStdin(begun.task().prompt().getBytes(StandardCharsets.UTF_8))
            .withMaxOutputBytes(64L << 20);
    Output output = new Output(run, state);
    return providers
        .exec(sandbox.provider, sandbox.providerId, exec)
        .invoke(
            handle -> {
              state.handle.set(handle);
              if (state.stopCode.get() != null) {
                handle.cancel();
              }
            })
        .chain(handle -> handle.events().onItem().invoke(output::accept).collect().last())
        .onFailure()
        .recoverWithItem(
            failure -> {
              Log.warnf(
                  "task %s: the sandbox could not run Claude: %s",
                  run.taskId, failure.getMessage());
              output.startFailure = failure;
              return null;
            })
        .chain(ignored -> output.drained())
        .chain(() -> jobs.onContext(() -> finish(run, output, state)))
        .onTermination()
        .invoke(() -> running.remove(run.taskId));
  }

  /** Claude's output of one run: parsed, logged, metered. Called on the process's reader thread. */
  private final class Output {
    final TaskRun run;
    final Running state;
    final ClaudeStreamParser parser = new ClaudeStreamParser();
    final LineSplitter stdout = new LineSplitter();
    final LineSplitter stderr = new LineSplitter();
    final List<String> stderrTail = new ArrayList<>();
    volatile Uni<LogEvent> last = Uni.createFrom().nullItem();
    ExecEvent.Exit exit;
    Throwable startFailure;
    long lastTokens = -1;
    Instant lastProgress = Instant.EPOCH;

    Output(TaskRun run, Running state) {
      this.run = run;
      this.state = state;
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
        if (stderrTail.size() > 20) {
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
      BigDecimal cost = estimate(tokens[0], tokens[1]);
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
        TaskProgress progress =
            new TaskProgress(
                run.taskId, parser.turns(), parser.lastTool(), cost, tokens[0], tokens[1], now);
        jobs.onContext(
                () ->
                    Panache.withTransaction(
                        () -> outbox.emit(progress, run.sessionId.toString(), run.ownerId)))
            .subscribe()
            .with(
                ok -> {}, failure -> Log.debugf("progress not recorded: %s", failure.getMessage()));
      }
    }

    private void append(String type, Object data) {
      last = logWriter.append(run.sessionId, type, run.taskId, data).memoize().indefinitely();
      last.subscribe().with(ok -> {}, failure -> {});
    }

    /** Completes when everything appended so far is durable. */
    Uni<Void> drained() {
      return last.onFailure().recoverWithNull().replaceWithVoid();
    }
  }

  private BigDecimal estimate(long inputTokens, long outputTokens) {
    BigDecimal million = BigDecimal.valueOf(1_000_000);
    return config
        .claude()
        .inputPricePerMillion()
        .multiply(BigDecimal.valueOf(inputTokens))
        .add(config.claude().outputPricePerMillion().multiply(BigDecimal.valueOf(outputTokens)))
        .divide(million, MathContext.DECIMAL64);
  }

  private Uni<Void> finish(TaskRun started, Output output, Running state) {
    return Panache.withTransaction(
        () ->
            runs.lock(started.taskId)
                .chain(
                    run -> {
                      if (run == null || TaskRun.FINISHED.equals(run.state)) {
                        return Uni.createFrom().voidItem();
                      }
                      run.state = TaskRun.FINISHED;
                      run.finishedAt = Instant.now();
                      return outcome(run, output, state);
                    }));
  }

  private Uni<Void> outcome(TaskRun run, Output output, Running state) {
    Optional<ClaudeResult> result = output.parser.result();
    Usage usage = result.map(ClaudeResult::usage).orElse(Usage.none());
    Integer exitCode = output.exit == null ? null : output.exit.exitCode();
    String stopCode = state.stopCode.get();
    if (stopCode != null) {
      return failed(run, stopCode, state.stopReason.get(), exitCode, usage);
    }
    if (output.startFailure != null) {
      return failed(
          run,
          TaskFailed.SANDBOX_UNAVAILABLE,
          "the sandbox could not start Claude Code",
          null,
          usage);
    }
    if (output.exit != null && output.exit.timedOut()) {
      return failed(
          run,
          TaskFailed.TIMEOUT,
          "the task ran longer than " + config.claude().taskTimeout().toMinutes() + " minutes",
          exitCode,
          usage);
    }
    if (result.isPresent() && !result.get().isError()) {
      ClaudeResult ok = result.get();
      return sandboxes
          .lock(run.sessionId)
          .invoke(
              sandbox -> {
                if (sandbox != null && ok.claudeSessionId() != null) {
                  sandbox.claudeSessionId = ok.claudeSessionId();
                  sandbox.updatedAt = Instant.now();
                }
              })
          .chain(
              () ->
                  outbox.emit(
                      new TaskCompleted(
                          run.taskId, ok.text(), ok.usage(), ok.claudeSessionId(), Instant.now()),
                      run.sessionId.toString(),
                      run.ownerId))
          .chain(
              () -> {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("result", ok.text());
                data.put("usage", ok.usage());
                data.put("claudeSessionId", ok.claudeSessionId());
                return sessionLog.append(run.sessionId, LogTypes.TASK_COMPLETED, run.taskId, data);
              })
          .replaceWithVoid();
    }
    String reason;
    if (result.isPresent()) {
      reason = result.get().text() == null ? "Claude Code reported an error" : result.get().text();
      // Keep the conversation id even after an error, so a retry continues it.
      String claudeSession = result.get().claudeSessionId();
      return sandboxes
          .lock(run.sessionId)
          .invoke(
              sandbox -> {
                if (sandbox != null && claudeSession != null && result.get().usage().turns() > 0) {
                  sandbox.claudeSessionId = claudeSession;
                }
              })
          .chain(() -> failed(run, TaskFailed.ERROR, reason, exitCode, usage));
    }
    String tail;
    synchronized (output.stderrTail) {
      tail = String.join("\n", output.stderrTail);
    }
    reason =
        "Claude Code exited with code "
            + exitCode
            + (tail.isBlank()
                ? ""
                : ": " + (tail.length() > 500 ? tail.substring(tail.length() - 500) : tail));
    return failed(run, TaskFailed.ERROR, reason, exitCode, usage);
  }

  /** Announces a failed run; inside a transaction. */
  private Uni<Void> failed(TaskRun run, String code, String reason, Integer exitCode, Usage usage) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("code", code);
    data.put("reason", reason);
    data.put("exitCode", exitCode);
    data.put("usage", usage);
    return outbox
        .emit(
            new TaskFailed(run.taskId, code, reason, exitCode, usage, Instant.now()),
            run.sessionId.toString(),
            run.ownerId)
        .chain(() -> sessionLog.append(run.sessionId, LogTypes.TASK_FAILED, run.taskId, data))
        .replaceWithVoid();
  }

  /** Ends a run whose instance died (inside a transaction); see {@link Recovery}. */
  public Uni<Void> abandon(TaskRun run) {
    run.state = TaskRun.FINISHED;
    run.finishedAt = Instant.now();
    return failed(
        run,
        TaskFailed.INTERRUPTED,
        "the gateway running the task stopped; run it again",
        null,
        Usage.none());
  }

  public boolean isRunning(UUID taskId) {
    return running.containsKey(taskId);
  }

  private static String json(TaskDispatched task) {
    try {
      return EventCodec.mapper().writeValueAsString(task);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TaskDispatched parse(String json) {
    try {
      return EventCodec.mapper().readValue(json, TaskDispatched.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored dispatch is unreadable", e);
    }
  }

  /** For tests and the pause path: whether a sandbox state allows running. */
  static boolean runnable(SandboxState state) {
    return state == SandboxState.READY;
  }
}
