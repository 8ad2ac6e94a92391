package dev.remoteclaude.gateway.task;

import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskProgress;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.gateway.claude.ClaudeCommand;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.model.ModelAccess;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.sandbox.Sandbox;
import dev.remoteclaude.gateway.work.Lease;
import dev.remoteclaude.gateway.work.SafeContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the real Claude Code CLI in headless mode inside a sandbox: arguments, never shell text; the
 * prompt on stdin; the session's environment; the output parsed onto the session's log as it comes.
 * Stopping the run's {@link Lease} kills the process.
 */
@ApplicationScoped
public class ClaudeProcess {

  private static final long MAX_OUTPUT_BYTES = 64L << 20;

  private final ProviderCalls providers;
  private final LogWriter logWriter;
  private final Outbox outbox;
  private final GatewayConfig config;
  private final ModelAccess model;

  public ClaudeProcess(
      ProviderCalls providers,
      LogWriter logWriter,
      Outbox outbox,
      GatewayConfig config,
      ModelAccess model) {
    this.providers = providers;
    this.logWriter = logWriter;
    this.outbox = outbox;
    this.config = config;
    this.model = model;
  }

  /**
   * Runs the task to its end; completes once its output is durable on the log. Claude reaches the
   * model through the proxy with a token of this run, which ends with it.
   */
  Uni<ClaudeOutput> run(
      TaskRun run,
      TaskDispatched task,
      Sandbox sandbox,
      Map<String, String> sessionEnv,
      Lease lease) {
    return model
        .open(run.sessionId, run.ownerId, run.taskId, config.claude().taskTimeout().plusMinutes(5))
        .onItemOrFailure()
        .transformToUni(
            (token, failure) -> {
              if (failure == null) {
                return run(run, task, sandbox, sessionEnv, lease, token);
              }
              Log.warnf("task %s: no model token: %s", run.taskId, failure.getMessage());
              ClaudeOutput output = output(run);
              output.startFailed(failure);
              return output.drained().replaceWith(output);
            })
        .onTermination()
        .call(
            () ->
                model
                    .close(run.taskId)
                    .onFailure()
                    .invoke(
                        failure ->
                            Log.warnf(
                                "task %s: its model token could not be revoked (it expires): %s",
                                run.taskId, failure.getMessage()))
                    .onFailure()
                    .recoverWithNull());
  }

  private Uni<ClaudeOutput> run(
      TaskRun run,
      TaskDispatched task,
      Sandbox sandbox,
      Map<String, String> sessionEnv,
      Lease lease,
      String token) {
    Map<String, String> env = new HashMap<>(sessionEnv);
    env.putAll(ClaudeCommand.environment(config.claude(), model.sandboxUrl(), token));
    ExecRequest exec =
        ExecRequest.of(
                ClaudeCommand.argv(
                    providers.provider(sandbox.provider).claudeCommand(),
                    task,
                    config.claude().defaultPermissionMode(),
                    sandbox.claudeSessionId),
                config.claude().taskTimeout())
            .withEnv(env)
            .withStdin(task.prompt().getBytes(StandardCharsets.UTF_8))
            .withMaxOutputBytes(MAX_OUTPUT_BYTES);
    ClaudeOutput output = output(run);
    return providers
        .exec(sandbox.provider, sandbox.providerId, exec)
        .invoke(handle -> lease.onStop(handle::cancel))
        .chain(handle -> handle.events().onItem().invoke(output::accept).collect().last())
        .onFailure()
        .recoverWithItem(
            failure -> {
              Log.warnf(
                  "task %s: the sandbox could not run Claude: %s",
                  run.taskId, failure.getMessage());
              output.startFailed(failure);
              return null;
            })
        .chain(ignored -> output.drained())
        .replaceWith(output);
  }

  private ClaudeOutput output(TaskRun run) {
    return new ClaudeOutput(
        run.sessionId,
        run.taskId,
        logWriter,
        this::estimate,
        progress -> progressed(run, progress),
        (int) Math.min(Integer.MAX_VALUE, config.log().maxLineBytes().asLongValue()));
  }

  /** A progress report for the other services; best effort, in a transaction of its own. */
  private void progressed(TaskRun run, TaskProgress progress) {
    SafeContext.run(
            () ->
                Panache.withTransaction(
                    () -> outbox.emit(progress, run.sessionId.toString(), run.ownerId)))
        .subscribe()
        .with(ok -> {}, failure -> Log.debugf("progress not recorded: %s", failure.getMessage()));
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

  /** The task timeout in minutes, for the reason a timed-out run gives. */
  long timeoutMinutes() {
    return config.claude().taskTimeout().toMinutes();
  }
}
