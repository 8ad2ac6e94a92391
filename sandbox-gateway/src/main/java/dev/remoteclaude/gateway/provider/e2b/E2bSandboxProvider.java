package dev.remoteclaude.gateway.provider.e2b;

import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProvidedSandbox;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.RemotePaths;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.provider.Snapshot;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Sandboxes from E2B (docs/providers.md): created, paused, resumed and killed through E2B's REST
 * API, processes and files through envd inside each sandbox. A sandbox is labelled with the
 * platform's ids in E2B's metadata, so {@link #list()} finds the platform's own. Pause keeps only
 * the file system (processes stop, as the SPI says); snapshots are E2B's persistent snapshots
 * (templates a sandbox is created from). E2B's own timeout is always kept {@code ttl-margin} longer
 * than the sandbox's TTL, so E2B never reclaims a sandbox the platform still counts as alive.
 *
 * <p>Active only with {@code gateway.e2b.enabled=true}. The API key never leaves the requests'
 * {@code X-API-Key} header: it is not logged nor put in any message.
 */
@ApplicationScoped
@LookupIfProperty(name = "gateway.e2b.enabled", stringValue = "true")
public class E2bSandboxProvider implements SandboxProvider {

  static final String MANAGED_BY = "rc-managed-by";
  static final String MANAGER = "remote-claude";
  static final String SESSION = "rc-session";
  static final String CREATED_AT = "rc-created-at";
  private static final Pattern SANDBOX_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");
  private static final Pattern SNAPSHOT_ID =
      Pattern.compile(
          "[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?(:[A-Za-z0-9][A-Za-z0-9_.-]*)?");
  private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(1);

  private final E2bConfig config;
  private final Vertx vertx;
  private final HttpClient http;
  private final E2bApi api;
  private final Envd envd;

  /** The TTL each sandbox was last given here, so a resume keeps E2B's timeout ahead of it. */
  private final Map<String, Duration> ttls = new ConcurrentHashMap<>();

  @Inject
  public E2bSandboxProvider(E2bConfig config, Vertx vertx) {
    this.config = config;
    this.vertx = vertx;
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) config.requestTimeout().toMillis())
                .setKeepAlive(true));
    WebClient web = WebClient.wrap(http);
    this.api = new E2bApi(web, config);
    this.envd = new Envd(http, web, config);
    Log.infof(
        "e2b sandboxes from %s, template %s, envd under %s",
        config.apiUrl(), config.template(), config.domain());
  }

  @PreDestroy
  void close() {
    http.close();
  }

  @Override
  public String name() {
    return "e2b";
  }

  @Override
  public String claudeCommand() {
    return config.claudeCommand();
  }

  /** E2B's timeout for a sandbox the platform gives {@code ttl}: always longer. */
  long e2bTimeoutSeconds(Duration ttl) {
    long seconds = ttl.plus(config.ttlMargin()).toSeconds();
    return Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
  }

  // --- lifecycle ------------------------------------------------------------------------------

  @Override
  public Uni<String> create(SandboxSpec spec) {
    Optional<String> snapshot = spec.restoreSnapshotId();
    if (snapshot.isPresent() && !isSnapshotId(snapshot.get())) {
      return Uni.createFrom()
          .failure(new ProviderException(ProviderException.Kind.INVALID, "not a snapshot id"));
    }
    String template = snapshot.or(spec::template).orElse(config.template());
    JsonObject metadata =
        new JsonObject()
            .put(MANAGED_BY, MANAGER)
            .put(SESSION, spec.sessionId())
            .put(CREATED_AT, Instant.now().toString());
    JsonObject envVars = new JsonObject();
    spec.env().forEach(envVars::put);
    JsonObject body =
        new JsonObject()
            .put("templateID", template)
            .put("timeout", e2bTimeoutSeconds(spec.ttl()))
            .put("autoPause", config.autoPause())
            .put("metadata", metadata)
            .put("envVars", envVars);
    return api.create(body)
        .onFailure(f -> isKind(f, ProviderException.Kind.NOT_FOUND))
        .transform(
            f ->
                new ProviderException(
                    ProviderException.Kind.NOT_FOUND,
                    snapshot.isPresent()
                        ? "snapshot " + snapshot.get() + " does not exist"
                        : "E2B has no template " + template,
                    f))
        .flatMap(
            created -> {
              String id = created.getString("sandboxID");
              ttls.put(id, spec.ttl());
              Envd.Target target = new Envd.Target(id, created.getString("envdAccessToken"));
              return makeWorkspace(target)
                  .onFailure()
                  .call(failure -> api.kill(id).onFailure().recoverWithNull())
                  .replaceWith(id);
            });
  }

  /** The workspace directory (a template or snapshot may have it already). */
  private Uni<Void> makeWorkspace(Envd.Target target) {
    String workspace = config.workspace();
    int slash = workspace.lastIndexOf('/');
    String parent = slash <= 0 ? "/" : workspace.substring(0, slash);
    ExecRequest mkdir =
        ExecRequest.of(List.of("mkdir", "-p", "--", workspace.substring(slash + 1)), SETUP_TIMEOUT);
    return E2bExec.start(vertx, envd, target, mkdir, parent)
        .flatMap(ExecResult::collect)
        .flatMap(
            result ->
                result.succeeded()
                    ? Uni.createFrom().voidItem()
                    : Uni.createFrom()
                        .failure(
                            // The command ran and failed: what the sandbox holds (its
                            // environment, its template) is at fault, not E2B, so the breaker
                            // every tenant shares does not count it; a timeout still does.
                            new ProviderException(
                                result.timedOut()
                                    ? ProviderException.Kind.UNAVAILABLE
                                    : ProviderException.Kind.INVALID,
                                "the new E2B sandbox could not make its workspace: "
                                    + result.stderr().strip())));
  }

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
    if (!isSandboxId(sandboxId)) {
      return Uni.createFrom().item(SandboxStatus.MISSING);
    }
    return api.find(sandboxId)
        .map(
            found ->
                found
                    .map(detail -> statusOf(detail.getString("state", "")))
                    .orElse(SandboxStatus.MISSING));
  }

  /** E2B's states: running, paused, and the passing ones on the way there. */
  static SandboxStatus statusOf(String state) {
    return switch (state) {
      case "running" -> SandboxStatus.RUNNING;
      case "paused", "pausing", "snapshotting" -> SandboxStatus.PAUSED;
      default -> SandboxStatus.MISSING; // killing, killed
    };
  }

  @Override
  public Uni<Void> pause(String sandboxId) {
    return known(sandboxId).flatMap(id -> api.pause(id)).onFailure().transform(this::sandboxGone);
  }

  @Override
  public Uni<Void> resume(String sandboxId) {
    return known(sandboxId)
        .flatMap(
            id -> {
              Duration ttl = ttls.get(id);
              long timeout =
                  ttl == null ? config.resumeTimeout().toSeconds() : e2bTimeoutSeconds(ttl);
              return api.connect(id, timeout);
            })
        .onFailure()
        .transform(this::sandboxGone)
        .replaceWithVoid();
  }

  @Override
  public Uni<Void> terminate(String sandboxId) {
    if (!isSandboxId(sandboxId)) {
      return Uni.createFrom().voidItem();
    }
    ttls.remove(sandboxId);
    return api.kill(sandboxId);
  }

  @Override
  public Uni<Void> extendTtl(String sandboxId, Duration ttl) {
    return known(sandboxId)
        .flatMap(id -> api.setTimeout(id, e2bTimeoutSeconds(ttl)))
        .invoke(() -> ttls.put(sandboxId, ttl))
        .onFailure()
        .transform(this::sandboxGone);
  }

  // --- processes and files --------------------------------------------------------------------

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    String cwd;
    try {
      String dir = RemotePaths.workingDir(request.workingDir().orElse(""));
      cwd = dir.equals(".") ? config.workspace() : config.workspace() + "/" + dir;
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    return running(sandboxId).flatMap(target -> E2bExec.start(vertx, envd, target, request, cwd));
  }

  @Override
  public Uni<byte[]> readFile(String sandboxId, String path, int maxBytes) {
    return inWorkspace(path)
        .flatMap(file -> running(sandboxId).flatMap(t -> envd.download(t, file, maxBytes)));
  }

  @Override
  public Uni<Void> writeFile(String sandboxId, String path, byte[] content) {
    return inWorkspace(path)
        .flatMap(file -> running(sandboxId).flatMap(t -> envd.upload(t, file, content)));
  }

  private Uni<String> inWorkspace(String path) {
    return Uni.createFrom().item(() -> config.workspace() + "/" + RemotePaths.relative(path));
  }

  /** The envd of a running sandbox; NOT_FOUND when E2B does not have it, INVALID when paused. */
  private Uni<Envd.Target> running(String sandboxId) {
    return known(sandboxId)
        .flatMap(api::find)
        .map(
            found -> {
              JsonObject detail = found.orElseThrow(() -> gone(sandboxId));
              SandboxStatus status = statusOf(detail.getString("state", ""));
              if (status == SandboxStatus.MISSING) {
                throw gone(sandboxId);
              }
              if (status == SandboxStatus.PAUSED) {
                throw new ProviderException(
                    ProviderException.Kind.INVALID, "the sandbox is paused; resume it first");
              }
              return new Envd.Target(sandboxId, detail.getString("envdAccessToken"));
            });
  }

  // --- snapshots ------------------------------------------------------------------------------

  @Override
  public Uni<Snapshot> snapshot(String sandboxId) {
    return known(sandboxId)
        .flatMap(api::snapshot)
        .onFailure()
        .transform(this::sandboxGone)
        .map(info -> Snapshot.ofUnknownSize(info.getString("snapshotID")));
  }

  @Override
  public Uni<Void> deleteSnapshot(String snapshotId) {
    if (!isSnapshotId(snapshotId)) {
      return Uni.createFrom()
          .failure(new ProviderException(ProviderException.Kind.INVALID, "not a snapshot id"));
    }
    return api.deleteTemplate(snapshotId);
  }

  // --- listing --------------------------------------------------------------------------------

  @Override
  public Uni<List<ProvidedSandbox>> list() {
    return api.list(MANAGED_BY + "=" + MANAGER)
        .map(
            sandboxes ->
                sandboxes.stream()
                    .filter(
                        s ->
                            MANAGER.equals(
                                s.getJsonObject("metadata", new JsonObject())
                                    .getString(MANAGED_BY)))
                    .map(s -> new ProvidedSandbox(s.getString("sandboxID"), createdAt(s)))
                    .toList());
  }

  /** When the platform created it (its metadata); E2B's start time changes with each resume. */
  private static Instant createdAt(JsonObject sandbox) {
    String created = sandbox.getJsonObject("metadata", new JsonObject()).getString(CREATED_AT);
    for (String value : new String[] {created, sandbox.getString("startedAt")}) {
      if (value != null) {
        try {
          return Instant.parse(value);
        } catch (DateTimeParseException e) {
          // the next one
        }
      }
    }
    return Instant.EPOCH;
  }

  // --- helpers --------------------------------------------------------------------------------

  private static boolean isSandboxId(String id) {
    return id != null && SANDBOX_ID.matcher(id).matches();
  }

  private static boolean isSnapshotId(String id) {
    return id != null && id.length() <= 256 && SNAPSHOT_ID.matcher(id).matches();
  }

  private static Uni<String> known(String sandboxId) {
    return isSandboxId(sandboxId)
        ? Uni.createFrom().item(sandboxId)
        : Uni.createFrom().failure(gone(sandboxId));
  }

  private static ProviderException gone(String sandboxId) {
    return new ProviderException(ProviderException.Kind.NOT_FOUND, "sandbox does not exist");
  }

  private Throwable sandboxGone(Throwable failure) {
    return isKind(failure, ProviderException.Kind.NOT_FOUND)
        ? new ProviderException(
            ProviderException.Kind.NOT_FOUND,
            "sandbox does not exist (E2B has no such sandbox)",
            failure)
        : failure;
  }

  private static boolean isKind(Throwable failure, ProviderException.Kind kind) {
    return failure instanceof ProviderException p && p.kind() == kind;
  }
}
