package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.gateway.cache.CacheRun;
import dev.remoteclaude.gateway.cache.DependencyCaches;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.gitproxy.GitAccess;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The provider-side steps of provisioning: create the sandbox, clone the repository (or restore a
 * snapshot), run the setup commands and check that Claude Code is there, with each step on the
 * session's stream. A step that fails throws a {@link ProvisioningFailure} a user can act on.
 */
@ApplicationScoped
public class SandboxPreparation {

  private final ProviderCalls providers;
  private final SandboxRequests requests;
  private final LogWriter logWriter;
  private final GatewayConfig config;
  private final SandboxRepository sandboxes;
  private final CloneTarget cloneTarget;
  private final GitAccess git;
  private final ProviderSelection selection;
  private final DependencyCaches caches;

  public SandboxPreparation(
      ProviderCalls providers,
      SandboxRequests requests,
      LogWriter logWriter,
      GatewayConfig config,
      SandboxRepository sandboxes,
      CloneTarget cloneTarget,
      GitAccess git,
      ProviderSelection selection,
      DependencyCaches caches) {
    this.selection = selection;
    this.git = git;
    this.caches = caches;
    this.sandboxes = sandboxes;
    this.cloneTarget = cloneTarget;
    this.providers = providers;
    this.requests = requests;
    this.logWriter = logWriter;
    this.config = config;
  }

  /**
   * The provider a request asks for, or the platform's default; for {@code auto}, the platform's
   * first choice right now (provisioning may still fail over: {@link #create}).
   */
  String providerFor(SessionRequested request) {
    return selection.initial(request);
  }

  /** Prepares the session's sandbox; completes with the provider's id once it is ready. */
  Uni<String> prepare(Sandbox sandbox, SessionRequested request) {
    UUID sessionId = sandbox.sessionId;
    boolean failover = ProviderSelection.auto(request) && request.restoreSnapshotId() == null;
    List<String> candidates = failover ? selection.candidates(request) : List.of();
    if (failover && candidates.isEmpty()) {
      return Uni.createFrom()
          .failure(
              new ProvisioningFailure(
                  SandboxFailed.PROVIDER_UNAVAILABLE,
                  "no sandbox provider of this platform offers what the session needs "
                      + selection.needs(request)
                      + (ProviderSelection.region(request) == null
                          ? ""
                          : " in region " + ProviderSelection.region(request))));
    }
    if (!failover && !providers.knows(sandbox.provider)) {
      return Uni.createFrom()
          .failure(
              new ProvisioningFailure(
                  SandboxFailed.PROVIDER_UNAVAILABLE,
                  "sandbox provider '" + sandbox.provider + "' is not available on this platform"));
    }
    Map<String, String> env = requests.environment(sessionId, request);
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
    return release(sandbox)
        .invoke(() -> progress.step("creating", Map.of()))
        .chain(
            () ->
                failover
                    ? create(sandbox, spec, progress, candidates, 0)
                    : providers.create(sandbox.provider, spec))
        .call(providerId -> sandboxes.recordProviderId(sessionId, providerId))
        .call(
            providerId -> {
              // A restored snapshot brings its home, caches included, along; a fresh clone gets
              // the repository's dependency cache around its setup.
              Uni<Void> workspace =
                  request.restoreSnapshotId() != null
                      ? Uni.createFrom()
                          .voidItem()
                          .invoke(() -> progress.step("restored", Map.of()))
                          .chain(() -> setup(progress, sandbox, providerId, request, env))
                      : clone(progress, sandbox, providerId, request, env)
                          .chain(() -> cachedSetup(progress, sandbox, providerId, request, env));
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
              return prepared.chain(progress::written);
            })
        .onFailure()
        .call(progress::written);
  }

  /**
   * Creates the sandbox at the first of {@code candidates} (from {@code index}) that takes it: one
   * whose circuit breaker is open is passed over, and one whose create fails as an outage (down,
   * out of capacity, its bulkhead full) is left for the next. Nothing exists anywhere yet, so
   * nothing is moved. Each change of provider is a notice on the session's stream and is recorded
   * on the sandbox's row (the SandboxProvisioned event then names the provider in use). The last
   * candidate is always tried, so that its failure is the one reported.
   */
  private Uni<String> create(
      Sandbox sandbox, SandboxSpec spec, Progress progress, List<String> candidates, int index) {
    String provider = candidates.get(index);
    boolean last = index == candidates.size() - 1;
    if (!last && !providers.healthy(provider)) {
      return failOver(
          sandbox,
          spec,
          progress,
          candidates,
          index,
          "its circuit breaker is open (it is failing)");
    }
    return use(sandbox, provider)
        .chain(() -> providers.create(provider, spec))
        .onFailure(failure -> !last && outage(failure))
        .recoverWithUni(
            failure ->
                failOver(
                    sandbox,
                    spec,
                    progress,
                    candidates,
                    index,
                    ProvisioningFailure.of(provider, failure).getMessage()));
  }

  private Uni<String> failOver(
      Sandbox sandbox,
      SandboxSpec spec,
      Progress progress,
      List<String> candidates,
      int index,
      String reason) {
    String failed = candidates.get(index);
    String next = candidates.get(index + 1);
    Log.infof(
        "session %s: provider %s passed over (%s); trying %s",
        sandbox.sessionId, failed, reason, next);
    Map<String, Object> notice = new HashMap<>();
    notice.put("kind", PROVIDER_FAILOVER);
    notice.put(
        "message",
        "sandbox provider '"
            + failed
            + "' is not available ("
            + reason
            + "); the session's sandbox is created at '"
            + next
            + "' instead");
    notice.put("failedProvider", failed);
    notice.put("provider", next);
    notice.put("at", Instant.now().toString());
    progress.notice(notice);
    return create(sandbox, spec, progress, candidates, index + 1);
  }

  /** The kind of the stream notice that says provisioning moved on to another provider. */
  public static final String PROVIDER_FAILOVER = "PROVIDER_FAILOVER";

  /** Records the provider on the sandbox's row (and in memory) when it changes. */
  private Uni<Void> use(Sandbox sandbox, String provider) {
    if (provider.equals(sandbox.provider)) {
      return Uni.createFrom().voidItem();
    }
    sandbox.provider = provider;
    return sandboxes.recordProvider(sandbox.sessionId, provider);
  }

  /** A provider's own failure to create: another provider may well succeed. */
  private static boolean outage(Throwable failure) {
    return failure instanceof CircuitBreakerOpenException
        || failure instanceof BulkheadException
        || (failure instanceof ProviderException p
            && p.kind() == ProviderException.Kind.UNAVAILABLE);
  }

  /** Ends the sandbox's provider side, if it has one; failures are ignored. */
  Uni<Void> release(Sandbox sandbox) {
    return sandbox.providerId == null
        ? Uni.createFrom().voidItem()
        : providers.terminate(sandbox.provider, sandbox.providerId).onFailure().recoverWithNull();
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
      append(LogTypes.SANDBOX_PROGRESS, step, data);
    }

    /** A notice for the user ({@code session.notice}), in order with the steps. */
    void notice(Map<String, Object> notice) {
      append(LogTypes.SESSION_NOTICE, String.valueOf(notice.get("kind")), notice);
    }

    private void append(String type, String step, Map<String, Object> data) {
      last =
          logWriter
              .append(sessionId, type, null, data)
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

    /** A notice ({@code session.notice}) on the stream, in order with the steps. */
    void notice(CacheRun.Notice notice) {
      Map<String, Object> data = new HashMap<>();
      data.put("kind", notice.kind());
      data.put("message", notice.message());
      data.put("bytes", notice.bytes());
      append(LogTypes.SESSION_NOTICE, notice.kind(), data);
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
    Map<String, String> cloneEnv = new HashMap<>(env);
    cloneEnv.put("GIT_TERMINAL_PROMPT", "0");
    boolean proxied = GitAccess.proxied(request.repositoryUrl());
    // http(s) repositories are cloned through the git proxy, with the session's own token: the
    // real credential never enters the sandbox, and origin keeps pointing at the proxy.
    Uni<Optional<String>> source =
        proxied
            ? Panache.withTransaction(
                    () ->
                        git.open(
                            sandbox.sessionId,
                            sandbox.ownerId,
                            request.repositoryUrl(),
                            request.gitCredential(),
                            request.branch()))
                .map(Optional::of)
            : Uni.createFrom().item(Optional.empty());
    return Uni.createFrom()
        .voidItem()
        .invoke(() -> progress.step("cloning", Map.of()))
        // The host is resolved again right before the clone (the proxy checks it on every fetch).
        .chain(() -> cloneTarget.check(request.repositoryUrl()))
        .chain(pins -> source.map(proxy -> new CloneSource(pins, proxy)))
        .map(
            from ->
                ExecRequest.of(
                        from.proxyUrl().isPresent()
                            ? GitClone.command(from.proxyUrl().get(), request.branch(), List.of())
                            : GitClone.command(
                                request.repositoryUrl(), request.branch(), from.pins()),
                        config.provisioning().cloneTimeout())
                    .withEnv(cloneEnv)
                    .withReadOnlyPaths(
                        GitClone.localPath(request.repositoryUrl()).stream().toList()))
        .chain(clone -> providers.exec(sandbox.provider, providerId, clone))
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

  private record CloneSource(List<String> pins, Optional<String> proxyUrl) {}

  /**
   * The setup commands with the repository's dependency cache around them: restored before, with
   * each package manager pointed at it, and saved after they all succeeded (on a miss).
   */
  private Uni<Void> cachedSetup(
      Progress progress,
      Sandbox sandbox,
      String providerId,
      SessionRequested request,
      Map<String, String> env) {
    if (request.setupCommands() == null || request.setupCommands().isEmpty() || !caches.enabled()) {
      return setup(progress, sandbox, providerId, request, env);
    }
    return caches
        .restore(sandbox.provider, providerId, sandbox.ownerId, request.repositoryUrl())
        .invoke(run -> run.notice().ifPresent(progress::notice))
        .chain(
            run ->
                setup(progress, sandbox, providerId, request, run.environment(env))
                    .chain(() -> caches.save(sandbox.provider, providerId, run))
                    .invoke(saved -> saved.ifPresent(progress::notice)))
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
                          // By index only: a setup command may carry a secret.
                          Map.of("index", index, "of", commands.size())))
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
                              + " of "
                              + commands.size()
                              + " ran longer than "
                              + config.provisioning().setupTimeout().toSeconds()
                              + " s");
                    }
                    if (!result.succeeded()) {
                      throw new ProvisioningFailure(
                          SandboxFailed.SETUP_FAILED,
                          "setup command "
                              + index
                              + " of "
                              + commands.size()
                              + " failed with exit code "
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
}
