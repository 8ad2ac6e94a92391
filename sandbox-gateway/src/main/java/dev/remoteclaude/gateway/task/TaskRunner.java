package dev.remoteclaude.gateway.task;

import dev.remoteclaude.common.events.BudgetExceeded;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.TaskCancelRequested;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.announce.Announcer.Entry;
import dev.remoteclaude.gateway.claude.ClaudeCommand;
import dev.remoteclaude.gateway.claude.ClaudeResult;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.model.BudgetScopes;
import dev.remoteclaude.gateway.sandbox.Sandbox;
import dev.remoteclaude.gateway.sandbox.Sandboxes;
import dev.remoteclaude.gateway.sandbox.SessionInterrupts;
import dev.remoteclaude.gateway.work.Lease;
import dev.remoteclaude.gateway.work.LeasedJob;
import dev.remoteclaude.gateway.work.LeasedWork;
import dev.remoteclaude.gateway.work.SafeContext;
import dev.remoteclaude.gateway.work.WorkKind;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs dispatched tasks: Claude Code in the session's sandbox ({@link ClaudeProcess}), then the
 * outcome announced as TaskCompleted or TaskFailed. A run is leased work: the dispatch is recorded
 * in the consuming transaction, one live instance claims and runs it, and a run whose instance died
 * is claimed by another and ends INTERRUPTED. The next task of the session resumes the conversation
 * id of this one's result.
 */
@ApplicationScoped
public class TaskRunner implements LeasedJob, SessionInterrupts {

  public static final WorkKind KIND =
      new WorkKind("task-runs", "task_run", "task_id", "state <> 'FINISHED'");

  private final TaskRunRepository runs;
  private final Sandboxes sandboxes;
  private final ClaudeProcess claude;
  private final Announcer announcer;
  private final LeasedWork work;
  private final TaskPush push;

  public TaskRunner(
      TaskRunRepository runs,
      Sandboxes sandboxes,
      ClaudeProcess claude,
      Announcer announcer,
      LeasedWork work,
      TaskPush push) {
    this.push = push;
    this.runs = runs;
    this.sandboxes = sandboxes;
    this.claude = claude;
    this.announcer = announcer;
    this.work = work;
  }

  @Override
  public WorkKind kind() {
    return KIND;
  }

  void onStop(@Observes ShutdownEvent event) {
    work.stopHere(KIND, TaskFailed.INTERRUPTED, "the gateway is shutting down");
  }

  /**
   * Records a dispatched task (inside the inbox transaction); an instance claims it after commit.
   */
  public Uni<Void> dispatched(EventEnvelope envelope, TaskDispatched task) {
    UUID sessionId = envelope.sessionId();
    return runs.findById(task.taskId())
        .chain(
            existing -> {
              if (existing != null) {
                return Uni.createFrom().voidItem();
              }
              return sandboxes
                  .find(sessionId)
                  .chain(
                      sandbox -> {
                        if (sandbox != null && !sandbox.ownerId.equals(envelope.userId())) {
                          // Only the sandbox's owner runs tasks in it, whoever can reach the
                          // broker.
                          Log.warnf(
                              "session %s: refused task %s dispatched by a user who does not own"
                                  + " the sandbox",
                              sessionId, task.taskId());
                          return Uni.createFrom().voidItem();
                        }
                        TaskRun run = new TaskRun();
                        run.taskId = task.taskId();
                        run.sessionId = sessionId;
                        run.ownerId = envelope.userId();
                        run.dispatch = TaskRun.encode(task);
                        run.maxCostUsd = task.maxCostUsd();
                        if (sandbox == null || !sandbox.usable()) {
                          String reason =
                              "the session's sandbox is not ready ("
                                  + (sandbox == null
                                      ? "unknown"
                                      : sandbox.state.name().toLowerCase())
                                  + ")";
                          return runs.persist(finished(run))
                              .chain(
                                  () -> failed(run, TaskFailed.SANDBOX_UNAVAILABLE, reason, null));
                        }
                        run.state = TaskRunState.STARTING;
                        return runs.persist(run).chain(() -> work.offer(KIND));
                      });
            });
  }

  /** Asks whichever instance runs the task to kill it (inside the inbox transaction). */
  public Uni<Void> cancelRequested(EventEnvelope envelope, TaskCancelRequested cancel) {
    return runs.lock(cancel.taskId())
        .chain(
            run -> {
              if (run == null
                  || run.state == TaskRunState.FINISHED
                  || !run.ownerId.equals(envelope.userId())) {
                return Uni.createFrom().voidItem();
              }
              run.cancelRequested = true;
              return work.stop(KIND, run.taskId, TaskFailed.CANCELLED, "cancelled by the user");
            });
  }

  /** Stops every unfinished run of a session (it is pausing or ending); inside a transaction. */
  @Override
  public Uni<Void> interrupt(UUID sessionId, String reason) {
    return runs.activeOf(sessionId)
        .chain(
            active -> {
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (TaskRun run : active) {
                chain =
                    chain.chain(() -> work.stop(KIND, run.taskId, TaskFailed.INTERRUPTED, reason));
              }
              return chain;
            });
  }

  private record Begun(TaskRun run, Sandbox sandbox, TaskDispatched task) {}

  /** Runs a claimed task: start it, run Claude, announce the outcome. */
  @Override
  public Uni<Void> run(Lease lease) {
    return Panache.withTransaction(() -> runs.lock(lease.key()).chain(this::begin))
        .chain(
            begun ->
                begun == null
                    ? Uni.createFrom().voidItem()
                    : sandboxes
                        .environment(begun.sandbox().sessionId)
                        .chain(
                            env ->
                                claude
                                    .run(begun.run(), begun.task(), begun.sandbox(), env, lease)
                                    .call(output -> publish(begun, env, output, lease)))
                        .chain(
                            output -> SafeContext.run(() -> finish(begun.run(), output, lease))));
  }

  /**
   * A successful task that asked for a pull request: its changes are committed and pushed before it
   * is announced complete (so {@code GitPushed} comes before {@code TaskCompleted}).
   */
  private Uni<Void> publish(
      Begun begun, Map<String, String> env, ClaudeOutput output, Lease lease) {
    if (begun.task().pullRequest() == null
        || !(RunOutcome.of(
                output, lease.stopSignal(), claude.timeoutMinutes(), budgetSpent(begun.run()))
            instanceof RunOutcome.Completed)) {
      return Uni.createFrom().voidItem();
    }
    return push.publish(begun.run().taskId, begun.task(), begun.sandbox(), env);
  }

  private Uni<Begun> begin(TaskRun run) {
    if (run == null || run.state == TaskRunState.FINISHED) {
      return Uni.createFrom().nullItem();
    }
    if (run.state == TaskRunState.RUNNING) {
      // Claimed while running: the instance that ran it is gone (or its job ended unfinished).
      Log.infof("task %s: its gateway instance is gone; interrupting", run.taskId);
      return refuse(
          run, TaskFailed.INTERRUPTED, "the gateway running the task stopped; run it again");
    }
    return sandboxes.find(run.sessionId).chain(sandbox -> begin(run, sandbox));
  }

  private Uni<Begun> begin(TaskRun run, Sandbox sandbox) {
    TaskDispatched task = run.dispatched();
    Optional<String> invalid = ClaudeCommand.invalid(task);
    if (run.cancelRequested) {
      return refuse(run, TaskFailed.CANCELLED, "cancelled by the user");
    }
    if (sandbox == null || !sandbox.usable()) {
      return refuse(run, TaskFailed.SANDBOX_UNAVAILABLE, "the session's sandbox is not ready");
    }
    if (invalid.isPresent()) {
      return refuse(run, TaskFailed.ERROR, invalid.get());
    }
    run.state = TaskRunState.RUNNING;
    run.startedAt = Instant.now();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("model", task.model());
    data.put("resumes", sandbox.claudeSessionId);
    return announcer
        .announce(
            run.sessionId,
            run.ownerId,
            new TaskStarted(run.taskId, run.startedAt),
            Entry.ofTask(LogTypes.TASK_STARTED, run.taskId, data))
        .replaceWith(new Begun(run, sandbox, task));
  }

  private Uni<Void> finish(TaskRun started, ClaudeOutput output, Lease lease) {
    return Panache.withTransaction(
        () ->
            runs.lock(started.taskId)
                .chain(
                    run ->
                        run == null || run.state == TaskRunState.FINISHED
                            ? Uni.createFrom().voidItem()
                            : outcome(finished(run), output, lease)));
  }

  private Uni<Void> outcome(TaskRun run, ClaudeOutput output, Lease lease) {
    return switch (RunOutcome.of(
        output, lease.stopSignal(), claude.timeoutMinutes(), budgetSpent(run))) {
      case RunOutcome.Completed(ClaudeResult ok) -> {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("result", ok.text());
        data.put("usage", ok.usage());
        data.put("claudeSessionId", ok.claudeSessionId());
        yield sandboxes
            .rememberConversation(run.sessionId, ok.claudeSessionId())
            .chain(
                () ->
                    announcer.announce(
                        run.sessionId,
                        run.ownerId,
                        new TaskCompleted(
                            run.taskId, ok.text(), ok.usage(), ok.claudeSessionId(), Instant.now()),
                        Entry.ofTask(LogTypes.TASK_COMPLETED, run.taskId, data)));
      }
      case RunOutcome.Failed f ->
          sandboxes
              .rememberConversation(run.sessionId, f.conversation())
              .chain(
                  () ->
                      failed(
                          run,
                          f.code(),
                          keyRefused(run, f).orElse(f.reason()),
                          f.exitCode(),
                          f.usage()))
              .chain(() -> budgetStopped(run, f));
    };
  }

  /**
   * Why the run failed when Anthropic refused the user's own key for one of its requests (and it
   * failed for no reason of the platform's: not stopped, not by a budget).
   */
  private static Optional<String> keyRefused(TaskRun run, RunOutcome.Failed failed) {
    if (run.refusedKeyLast4 == null || !TaskFailed.ERROR.equals(failed.code())) {
      return Optional.empty();
    }
    return Optional.of(
        "Anthropic refused your own API key (ending "
            + run.refusedKeyLast4
            + "), not the platform's: set a valid one with `rclaude billing key set`, or remove it"
            + " with `rclaude billing key rm` to use the platform's key");
  }

  /** Why the run's cost cap stopped it, when the model proxy refused a request for it. */
  private static Optional<String> budgetSpent(TaskRun run) {
    if (!run.budgetExceeded) {
      return Optional.empty();
    }
    if (run.budgetScope == null || run.budgetScope.equals(BudgetScopes.TASK)) {
      return Optional.of(
          "the task spent its budget of "
              + BudgetScopes.usd(run.maxCostUsd)
              + " USD; the next task continues its conversation");
    }
    return Optional.of(
        BudgetScopes.name(run.budgetScope)
            + " of "
            + BudgetScopes.usd(run.budgetCapUsd)
            + " USD is spent; the session is paused: "
            + BudgetScopes.howToRaise(run.budgetScope, run.sessionId)
            + " and resume it, and the next task continues this conversation");
  }

  /**
   * A run the session's or the user's monthly budget stopped: session-service is told (it pauses
   * the session) and the stream asks the user to raise the cap; inside the transaction.
   */
  private Uni<Void> budgetStopped(TaskRun run, RunOutcome.Failed failed) {
    if (!TaskFailed.BUDGET_EXCEEDED.equals(failed.code())
        || run.budgetScope == null
        || run.budgetScope.equals(BudgetScopes.TASK)) {
      return Uni.createFrom().voidItem();
    }
    Instant now = Instant.now();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("kind", BudgetScopes.EXCEEDED);
    data.put(
        "message",
        "The task stopped: "
            + BudgetScopes.name(run.budgetScope)
            + " of "
            + BudgetScopes.usd(run.budgetCapUsd)
            + " USD is spent and the session is paused. To go on, "
            + BudgetScopes.howToRaise(run.budgetScope, run.sessionId)
            + " and resume the session; its next task continues this conversation.");
    data.put("at", now);
    data.put("scope", run.budgetScope);
    data.put("capUsd", run.budgetCapUsd.stripTrailingZeros());
    return announcer.announce(
        run.sessionId,
        run.ownerId,
        new BudgetExceeded(run.taskId, run.budgetScope, run.budgetCapUsd, now),
        Entry.ofTask(LogTypes.SESSION_NOTICE, run.taskId, data));
  }

  private Uni<Void> failed(TaskRun run, String code, String reason, Integer exitCode) {
    return failed(run, code, reason, exitCode, Usage.none());
  }

  /** Announces a failed run; inside a transaction. */
  private Uni<Void> failed(TaskRun run, String code, String reason, Integer exitCode, Usage usage) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("code", code);
    data.put("reason", reason);
    data.put("exitCode", exitCode);
    data.put("usage", usage);
    return announcer.announce(
        run.sessionId,
        run.ownerId,
        new TaskFailed(run.taskId, code, reason, exitCode, usage, Instant.now()),
        Entry.ofTask(LogTypes.TASK_FAILED, run.taskId, data));
  }

  private Uni<Begun> refuse(TaskRun run, String code, String reason) {
    return failed(finished(run), code, reason, null).replaceWith((Begun) null);
  }

  private static TaskRun finished(TaskRun run) {
    run.state = TaskRunState.FINISHED;
    run.finishedAt = Instant.now();
    return run;
  }
}
