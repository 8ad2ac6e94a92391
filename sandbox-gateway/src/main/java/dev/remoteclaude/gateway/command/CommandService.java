package dev.remoteclaude.gateway.command;

import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.gateway.activity.ActivityService;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.sandbox.Sandbox;
import dev.remoteclaude.gateway.sandbox.SandboxAccess;
import dev.remoteclaude.gateway.sandbox.SandboxRequests;
import dev.remoteclaude.gateway.sandbox.SandboxState;
import dev.remoteclaude.gateway.work.SafeContext;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs a user's command in their sandbox: buffered with a timeout, or streamed to the log. */
@ApplicationScoped
public class CommandService {

  /** What a user asked to run. {@code argv} runs as is; {@code script} runs with bash -lc. */
  public record Command(
      List<String> argv, String script, String workingDir, Duration timeout, boolean stream) {}

  private final ProviderCalls providers;
  private final SandboxRequests requests;
  private final ActivityService activity;
  private final LogWriter logWriter;
  private final GatewayConfig config;
  private final io.vertx.core.Vertx vertx;

  public CommandService(
      ProviderCalls providers,
      SandboxRequests requests,
      ActivityService activity,
      LogWriter logWriter,
      GatewayConfig config,
      io.vertx.core.Vertx vertx) {
    this.vertx = vertx;
    this.providers = providers;
    this.requests = requests;
    this.activity = activity;
    this.logWriter = logWriter;
    this.config = config;
  }

  /**
   * Runs a command and returns its buffered result. Activity is recorded off the response path: a
   * command still running after {@link #HOLD_AFTER} holds the session busy until it ends; every
   * command, short or long, counts as activity when it ends.
   */
  public Uni<ExecResult> run(SandboxAccess.Owned owned, UUID commandId, Command command) {
    Sandbox sandbox = owned.sandbox();
    Timer.Sample started = Timer.start();
    return prepare(owned, command)
        .chain(request -> providers.exec(sandbox.provider, sandbox.providerId, request))
        .chain(
            handle -> {
              Activity activity = new Activity(sandbox, commandId);
              return providers.collect(handle).onTermination().invoke(activity::ended);
            })
        .onItemOrFailure()
        .invoke(
            (result, failure) ->
                started.stop(
                    Timer.builder("rc.commands")
                        .description("Latency of commands run in sandboxes, until their result")
                        .tag("provider", sandbox.provider)
                        .tag("outcome", failure == null ? "completed" : "failed")
                        .publishPercentileHistogram()
                        .register(Metrics.globalRegistry)));
  }

  static final Duration HOLD_AFTER = Duration.ofSeconds(2);

  /** The activity of one command, recorded in the background. */
  private final class Activity {
    private final Sandbox sandbox;
    private final UUID commandId;
    private final long timer;
    private boolean ended;
    private Uni<Void> held;

    Activity(Sandbox sandbox, UUID commandId) {
      this.sandbox = sandbox;
      this.commandId = commandId;
      this.timer = vertx.setTimer(HOLD_AFTER.toMillis(), id -> hold());
    }

    private synchronized void hold() {
      if (ended) {
        return;
      }
      held =
          SafeContext.run(
                  () -> activity.commandStarted(sandbox.sessionId, sandbox.ownerId, commandId))
              .memoize()
              .indefinitely();
      background(held);
    }

    synchronized void ended() {
      ended = true;
      vertx.cancelTimer(timer);
      if (held == null) {
        shortCommandRan(sandbox);
        return;
      }
      background(
          held.onFailure()
              .recoverWithNull()
              .chain(
                  () ->
                      SafeContext.run(
                          () -> activity.commandFinished(sandbox.sessionId, commandId))));
    }
  }

  /**
   * Sessions whose short commands are being coalesced, each with whether another one ran since the
   * last announcement. Only touched inside {@link ConcurrentHashMap#compute}.
   */
  private final Map<UUID, AtomicBoolean> coalescing = new ConcurrentHashMap<>();

  /**
   * A short command ended. The first of a session's burst is announced at once; those that follow
   * within {@code gateway.exec.activity-window} are announced together when the window ends, and so
   * on while they keep coming. A client running commands back to back costs session-service one
   * event per window instead of one per command, and the idle clock there is never more than a
   * window behind.
   */
  private void shortCommandRan(Sandbox sandbox) {
    boolean[] opened = {false};
    coalescing.compute(
        sandbox.sessionId,
        (id, more) -> {
          if (more == null) {
            opened[0] = true;
            return new AtomicBoolean();
          }
          more.set(true);
          return more;
        });
    if (opened[0]) {
      announceThenWait(sandbox);
    }
  }

  private void announceThenWait(Sandbox sandbox) {
    background(SafeContext.run(() -> activity.commandRan(sandbox.sessionId, sandbox.ownerId)));
    vertx.setTimer(
        config.exec().activityWindow().toMillis(),
        id -> {
          boolean[] again = {false};
          coalescing.compute(
              sandbox.sessionId,
              (key, more) -> {
                if (more != null && more.getAndSet(false)) {
                  again[0] = true;
                  return more;
                }
                return null;
              });
          if (again[0]) {
            announceThenWait(sandbox);
          }
        });
  }

  private static void background(Uni<Void> work) {
    work.subscribe()
        .with(
            ok -> {},
            failure -> Log.debugf("command activity not recorded: %s", failure.getMessage()));
  }

  /** Starts the command and streams its output to the session's log; returns once it started. */
  public Uni<Void> start(SandboxAccess.Owned owned, UUID commandId, Command command) {
    Sandbox sandbox = owned.sandbox();
    return prepare(owned, command)
        .chain(
            request ->
                activity
                    .commandStarted(sandbox.sessionId, sandbox.ownerId, commandId)
                    .chain(() -> providers.exec(sandbox.provider, sandbox.providerId, request))
                    .invoke(
                        handle -> {
                          Map<String, Object> started = new LinkedHashMap<>();
                          started.put("commandId", commandId.toString());
                          started.put(
                              "command",
                              command.argv() != null ? command.argv() : command.script());
                          logWriter
                              .append(sandbox.sessionId, LogTypes.COMMAND_STARTED, null, started)
                              .subscribe()
                              .with(ok -> {}, failure -> {});
                          handle
                              .events()
                              .onItem()
                              .invoke(event -> stream(sandbox.sessionId, commandId, event))
                              .collect()
                              .last()
                              .eventually(
                                  () ->
                                      SafeContext.run(
                                          () ->
                                              activity.commandFinished(
                                                  sandbox.sessionId, commandId)))
                              .subscribe()
                              .with(
                                  ok -> {},
                                  failure ->
                                      Log.debugf(
                                          "command %s: %s", commandId, failure.getMessage()));
                        })
                    .onFailure()
                    .call(() -> activity.commandFinished(sandbox.sessionId, commandId))
                    .replaceWithVoid());
  }

  private void stream(UUID sessionId, UUID commandId, ExecEvent event) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("commandId", commandId.toString());
    String type;
    switch (event) {
      case ExecEvent.Stdout out -> {
        type = LogTypes.COMMAND_OUTPUT;
        data.put("stream", "stdout");
        data.put("text", new String(out.bytes(), StandardCharsets.UTF_8));
      }
      case ExecEvent.Stderr err -> {
        type = LogTypes.COMMAND_OUTPUT;
        data.put("stream", "stderr");
        data.put("text", new String(err.bytes(), StandardCharsets.UTF_8));
      }
      case ExecEvent.Exit exit -> {
        type = LogTypes.COMMAND_EXITED;
        data.put("exitCode", exit.exitCode());
        data.put("timedOut", exit.timedOut());
        data.put("truncated", exit.truncated());
      }
    }
    logWriter
        .append(sessionId, type, null, data)
        .subscribe()
        .with(
            ok -> {},
            failure ->
                Log.warnf(
                    "command %s: output not written to session %s's log: %s",
                    commandId, sessionId, failure.getMessage()));
  }

  private Uni<ExecRequest> prepare(SandboxAccess.Owned owned, Command command) {
    Sandbox sandbox = owned.sandbox();
    if (sandbox.state != SandboxState.READY || sandbox.providerId == null) {
      return Uni.createFrom()
          .failure(
              ProblemException.conflict(
                  "the session is "
                      + sandbox.state.name().toLowerCase()
                      + "; commands run only in a ready session"));
    }
    Duration timeout =
        command.timeout() == null ? config.exec().defaultTimeout() : command.timeout();
    if (timeout.compareTo(config.exec().maxTimeout()) > 0) {
      return Uni.createFrom()
          .failure(
              ProblemException.badRequest(
                  "timeoutSeconds", "must be at most " + config.exec().maxTimeout().toSeconds()));
    }
    List<String> argv =
        command.argv() != null && !command.argv().isEmpty()
            ? command.argv()
            : List.of("bash", "-lc", command.script());
    Map<String, String> env = new HashMap<>();
    owned.request().ifPresent(r -> env.putAll(requests.environment(sandbox.sessionId, r)));
    return Uni.createFrom()
        .item(
            ExecRequest.of(argv, timeout)
                .withEnv(env)
                .withWorkingDir(
                    Optional.ofNullable(command.workingDir())
                        .filter(s -> !s.isBlank())
                        .orElse(null))
                .withMaxOutputBytes(config.exec().maxOutputBytes()));
  }
}
