package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.log.SessionLog;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.work.VertxJobs;
import dev.remoteclaude.gateway.work.Workers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Turns a session request into a ready sandbox: create it at the provider, clone the repository,
 * run the setup commands, check Claude Code is there, then announce {@code SandboxProvisioned} — or
 * {@code SandboxFailed} with a reason a user can act on.
 *
 * <p>The request is recorded (sandbox row PROVISIONING, owned by this instance) in the same
 * transaction that consumes the event; the work itself runs after the commit. If this instance
 * dies, {@link Recovery} hands the sandbox to a live one, which starts over.
 */
@ApplicationScoped
public class ProvisioningService {

  private final SandboxRepository sandboxes;
  private final SandboxRequests requests;
  private final ProviderCalls providers;
  private final Outbox outbox;
  private final SessionLog sessionLog;
  private final LogWriter logWriter;
  private final Workers workers;
  private final GatewayConfig config;
  private final VertxJobs jobs;
  private final Set<UUID> inProgress = ConcurrentHashMap.newKeySet();

  public ProvisioningService(
      SandboxRepository sandboxes,
      SandboxRequests requests,
      ProviderCalls providers,
      Outbox outbox,
      SessionLog sessionLog,
      LogWriter logWriter,
      Workers workers,
      GatewayConfig config,
      VertxJobs jobs) {
    this.jobs = jobs;
    this.sandboxes = sandboxes;
    this.requests = requests;
    this.providers = providers;
    this.outbox = outbox;
    this.sessionLog = sessionLog;
    this.logWriter = logWriter;
    this.workers = workers;
    this.config = config;
  }

  /**
   * Records a session request (inside the consuming transaction). A repeated request for a sandbox
   * that is being provisioned changes nothing; one for a ready sandbox is answered again.
   */
  public Uni<Void> request(EventEnvelope envelope, SessionRequested request) {
    UUID sessionId = UUID.fromString(envelope.subject());
    return sandboxes
        .lock(sessionId)
        .chain(
            existing -> {
              if (existing != null && existing.state == SandboxState.READY) {
                return outbox
                    .emit(
                        new SandboxProvisioned(
                            existing.provider, existing.providerId, Instant.now()),
                        envelope.subject(),
                        existing.ownerId)
                    .replaceWithVoid();
              }
              if (existing != null
                  && (existing.state == SandboxState.PROVISIONING
                      || existing.state == SandboxState.PAUSED
                      || existing.state == SandboxState.TERMINATED)) {
                Log.debugf("session %s: request ignored in state %s", sessionId, existing.state);
                return Uni.createFrom().voidItem();
              }
              Sandbox sandbox = existing == null ? new Sandbox() : existing;
              Instant now = Instant.now();
              sandbox.sessionId = sessionId;
              sandbox.ownerId = envelope.userId();
              sandbox.provider =
                  request.provider() == null || request.provider().isBlank()
                      ? config.defaultProvider()
                      : request.provider();
              sandbox.state = SandboxState.PROVISIONING;
              sandbox.repositoryUrl = request.repositoryUrl();
              sandbox.branch = request.branch();
              sandbox.requestEventId = envelope.id();
              sandbox.failureCode = null;
              sandbox.failureReason = null;
              sandbox.worker = workers.id();
              if (existing == null) {
                sandbox.createdAt = now;
              }
              sandbox.updatedAt = now;
              return sandboxes
                  .persistAndFlush(sandbox)
                  .chain(() -> requests.save(sessionId, request))
                  .chain(
                      () ->
                          sessionLog.append(
                              sessionId,
                              LogTypes.SANDBOX_PROGRESS,
                              null,
                              Map.of(
                                  "step",
                                  existing == null ? "requested" : "reprovisioning",
                                  "provider",
                                  sandbox.provider)))
                  .replaceWithVoid();
            });
  }

  /** Starts provisioning every sandbox this instance owns and is not already working on. */
  public void kick() {
    jobs.onContext(
            () ->
                Panache.withSession(
                    () ->
                        sandboxes.list(
                            "state = ?1 and worker = ?2", SandboxState.PROVISIONING, workers.id())))
        .subscribe()
        .with(
            list -> list.forEach(s -> start(s.sessionId)),
            failure ->
                Log.warnf("cannot look for sandboxes to provision: %s", failure.getMessage()));
  }

  void start(UUID sessionId) {
    if (!inProgress.add(sessionId)) {
      return;
    }
    jobs.onContext(() -> provision(sessionId))
        .onTermination()
        .invoke(() -> inProgress.remove(sessionId))
        .subscribe()
        .with(ok -> {}, failure -> Log.errorf(failure, "provisioning %s crashed", sessionId));
  }

  private record Work(Sandbox sandbox, SessionRequested request) {}

  Uni<Void> provision(UUID sessionId) {
    return Panache.withSession(() -> sandboxes.findById(sessionId))
        .chain(
            sandbox ->
                requests.find(sessionId).map(request -> new Work(sandbox, request.orElse(null))))
        .chain(
            work -> {
              if (work.sandbox() == null
                  || work.sandbox().state != SandboxState.PROVISIONING
                  || work.request() == null
                  || !workers.id().equals(work.sandbox().worker)) {
                return Uni.createFrom().voidItem();
              }
              return run(work).onFailure().recoverWithUni(failure -> fail(work.sandbox(), failure));
            });
  }

  private Uni<Void> run(Work work) {
    Sandbox sandbox = work.sandbox();
    SessionRequested request = work.request();
    UUID sessionId = sandbox.sessionId;
    if (!providers.knows(sandbox.provider)) {
      return Uni.createFrom()
          .failure(
              new ProvisioningFailure(
                  SandboxFailed.PROVIDER_UNAVAILABLE,
                  "sandbox provider '" + sandbox.provider + "' is not available on this platform"));
    }
    Map<String, String> env = requests.environment(sessionId, request);
    Uni<Void> clearOld =
        sandbox.providerId == null
            ? Uni.createFrom().voidItem()
            : providers
                .terminate(sandbox.provider, sandbox.providerId)
                .onFailure()
                .recoverWithNull();
    SandboxSpec spec =
        new SandboxSpec(
            sessionId.toString(),
            Optional.empty(),
            env,
            0,
            0,
            request.expiresAt() == null
                ? Duration.ofHours(24)
                : Duration.between(Instant.now(), request.expiresAt()).abs(),
            Optional.ofNullable(request.restoreSnapshotId()));
    Progress progress = new Progress(sessionId);
    return clearOld
        .invoke(() -> progress.step("creating", Map.of()))
        .chain(() -> providers.create(sandbox.provider, spec))
        .call(providerId -> sandboxes.recordProviderId(sessionId, providerId))
        .chain(
            providerId -> {
              Uni<Void> workspace =
                  (request.restoreSnapshotId() != null
                          ? Uni.createFrom()
                              .voidItem()
                              .invoke(() -> progress.step("restored", Map.of()))
                          : clone(progress, sandbox, providerId, request, env))
                      .chain(() -> setup(progress, sandbox, providerId, request, env));
              boolean hasSetup =
                  request.setupCommands() != null && !request.setupCommands().isEmpty();
              // Setup commands may install Claude Code, so with them it is looked for after;
              // without them, while the repository clones.
              Uni<Void> prepared =
                  hasSetup
                      ? workspace.chain(() -> checkClaude(sandbox, providerId))
                      : Uni.join()
                          .all(workspace, checkClaude(sandbox, providerId))
                          .andFailFast()
                          .replaceWithVoid();
              return prepared.chain(progress::written).chain(() -> ready(sessionId, providerId));
            })
        .onFailure()
        .call(progress::written);
  }

  /**
   * A provisioning run's progress on the session's stream. Steps are appended without waiting for
   * their commit (they are information, not state); the final event of the run waits until they are
   * written, so it comes after them on the stream.
   */
  private final class Progress {
    private final UUID sessionId;
    private volatile Uni<Void> last = Uni.createFrom().voidItem();

    Progress(UUID sessionId) {
      this.sessionId = sessionId;
    }

    void step(String step, Map<String, Object> details) {
      Map<String, Object> data = new HashMap<>(details);
      data.put("step", step);
      last =
          logWriter
              .append(sessionId, LogTypes.SANDBOX_PROGRESS, null, data)
              .replaceWithVoid()
              .onFailure()
              .invoke(
                  failure ->
                      Log.warnf(
                          "session %s: progress '%s' not logged: %s",
                          sessionId, step, failure.getMessage()))
              .onFailure()
              .recoverWithNull()
              .memoize()
              .indefinitely();
      last.subscribe().with(ok -> {});
    }

    /** Completes once every step so far is written (or failed to be). */
    Uni<Void> written() {
      return last;
    }
  }

  private Uni<Void> clone(
      Progress progress,
      Sandbox sandbox,
      String providerId,
      SessionRequested request,
      Map<String, String> env) {
    Optional<String> token = requests.gitToken(sandbox.sessionId, request);
    Map<String, String> cloneEnv = new HashMap<>(env);
    cloneEnv.put("GIT_TERMINAL_PROMPT", "0");
    token.ifPresent(t -> cloneEnv.put(GitClone.TOKEN_VARIABLE, t));
    ExecRequest clone =
        ExecRequest.of(
                GitClone.command(request.repositoryUrl(), request.branch(), token.isPresent()),
                config.provisioning().cloneTimeout())
            .withEnv(cloneEnv)
            .withReadOnlyPaths(GitClone.localPath(request.repositoryUrl()).stream().toList());
    return Uni.createFrom()
        .voidItem()
        .invoke(() -> progress.step("cloning", Map.of()))
        .chain(() -> providers.exec(sandbox.provider, providerId, clone))
        .chain(providers::collect)
        .invoke(
            result -> {
              if (result.timedOut()) {
                throw new ProvisioningFailure(
                    SandboxFailed.TIMEOUT,
                    "cloning took longer than "
                        + config.provisioning().cloneTimeout().toSeconds()
                        + " s");
              }
              if (!result.succeeded()) {
                throw GitClone.classify(
                    result.exitCode(), result.stderr(), request.repositoryUrl(), request.branch());
              }
            })
        .replaceWithVoid();
  }

  private Uni<Void> setup(
      Progress progress,
      Sandbox sandbox,
      String providerId,
      SessionRequested request,
      Map<String, String> env) {
    List<String> commands = request.setupCommands() == null ? List.of() : request.setupCommands();
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (int i = 0; i < commands.size(); i++) {
      String command = commands.get(i);
      int index = i + 1;
      chain =
          chain
              .invoke(
                  () ->
                      progress.step(
                          "setup",
                          Map.of("command", command, "index", index, "of", commands.size())))
              .chain(
                  () ->
                      providers.exec(
                          sandbox.provider,
                          providerId,
                          ExecRequest.of(
                                  List.of("bash", "-lc", command),
                                  config.provisioning().setupTimeout())
                              .withEnv(env)))
              .chain(providers::collect)
              .invoke(
                  result -> {
                    if (result.timedOut()) {
                      throw new ProvisioningFailure(
                          SandboxFailed.TIMEOUT,
                          "setup command "
                              + index
                              + " ran longer than "
                              + config.provisioning().setupTimeout().toSeconds()
                              + " s");
                    }
                    if (!result.succeeded()) {
                      throw new ProvisioningFailure(
                          SandboxFailed.SETUP_FAILED,
                          "setup command "
                              + index
                              + " ("
                              + command
                              + ") exited with "
                              + result.exitCode()
                              + ": "
                              + GitClone.lastLine(result.stderr() + result.stdout()));
                    }
                  })
              .replaceWithVoid();
    }
    return chain;
  }

  private Uni<Void> checkClaude(Sandbox sandbox, String providerId) {
    String claude = providers.provider(sandbox.provider).claudeCommand();
    return providers
        .exec(
            sandbox.provider,
            providerId,
            ExecRequest.of(List.of("test", "-x", claude), Duration.ofSeconds(30)))
        .chain(providers::collect)
        .invoke(
            result -> {
              if (!result.succeeded()) {
                throw new ProvisioningFailure(
                    SandboxFailed.PROVIDER_ERROR, "Claude Code is not installed in the sandbox");
              }
            })
        .replaceWithVoid();
  }

  private Uni<Void> ready(UUID sessionId, String providerId) {
    return Panache.withTransaction(
        () ->
            sandboxes
                .lock(sessionId)
                .chain(
                    s -> {
                      if (s.state != SandboxState.PROVISIONING) {
                        return Uni.createFrom().voidItem();
                      }
                      s.state = SandboxState.READY;
                      s.worker = null;
                      s.updatedAt = Instant.now();
                      return outbox
                          .emit(
                              new SandboxProvisioned(s.provider, providerId, Instant.now()),
                              sessionId.toString(),
                              s.ownerId)
                          .chain(
                              () ->
                                  sessionLog.append(
                                      sessionId,
                                      LogTypes.SANDBOX_READY,
                                      null,
                                      Map.of("provider", s.provider)))
                          .replaceWithVoid();
                    }));
  }

  private Uni<Void> fail(Sandbox sandbox, Throwable failure) {
    String code;
    String reason;
    if (failure instanceof ProvisioningFailure p) {
      code = p.code();
      reason = p.getMessage();
    } else if (failure instanceof CircuitBreakerOpenException) {
      code = SandboxFailed.PROVIDER_UNAVAILABLE;
      reason = "sandbox provider '" + sandbox.provider + "' is failing; try again later";
    } else if (failure instanceof TimeoutException
        || failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException) {
      code = SandboxFailed.TIMEOUT;
      reason = "sandbox provider '" + sandbox.provider + "' did not answer in time";
    } else if (failure instanceof ProviderException p
        && p.kind() == ProviderException.Kind.UNAVAILABLE) {
      code = SandboxFailed.PROVIDER_UNAVAILABLE;
      reason = "sandbox provider '" + sandbox.provider + "' is unavailable";
    } else {
      Log.errorf(failure, "provisioning session %s failed unexpectedly", sandbox.sessionId);
      code = SandboxFailed.PROVIDER_ERROR;
      reason = "the sandbox could not be prepared";
    }
    UUID sessionId = sandbox.sessionId;
    Log.infof("session %s: provisioning failed (%s): %s", sessionId, code, reason);
    return Panache.withTransaction(
            () ->
                sandboxes
                    .lock(sessionId)
                    .chain(
                        s -> {
                          if (s == null || s.state != SandboxState.PROVISIONING) {
                            return Uni.createFrom().<Sandbox>nullItem();
                          }
                          s.state = SandboxState.FAILED;
                          s.failureCode = code;
                          s.failureReason = reason;
                          s.worker = null;
                          s.updatedAt = Instant.now();
                          return outbox
                              .emit(
                                  new SandboxFailed(code, reason, Instant.now()),
                                  sessionId.toString(),
                                  s.ownerId)
                              .chain(
                                  () ->
                                      sessionLog.append(
                                          sessionId,
                                          LogTypes.SANDBOX_FAILED,
                                          null,
                                          Map.of("code", code, "reason", reason)))
                              .replaceWith(s);
                        }))
        .chain(
            s ->
                s == null || s.providerId == null
                    ? Uni.createFrom().voidItem()
                    : providers.terminate(s.provider, s.providerId).onFailure().recoverWithNull());
  }
}
