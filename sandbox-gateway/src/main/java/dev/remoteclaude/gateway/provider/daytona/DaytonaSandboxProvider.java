package dev.remoteclaude.gateway.provider.daytona;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.BoundedSink;
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
import dev.remoteclaude.gateway.provider.SnapshotArchives;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.multipart.MultipartForm;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sandboxes as Daytona sandboxes, on Daytona's published API (see docs/providers.md): create is
 * {@code POST /sandbox} labelled with the platform's ids, pause is stop, resume is start, terminate
 * is delete. Processes run through the toolbox's session API ({@link DaytonaExec}); files through
 * its upload and download. Snapshots are tar.gz archives of the sandbox user's home (workspace
 * included) kept in {@code archive-dir}. Daytona's auto-stop is kept ahead of the platform's idle
 * TTL by {@code auto-stop-margin}, so Daytona never stops a sandbox the platform thinks is alive;
 * one it stopped or archived anyway is paused and can be resumed.
 *
 * <p>Active only with {@code gateway.daytona.enabled=true}.
 */
@ApplicationScoped
@LookupIfProperty(name = "gateway.daytona.enabled", stringValue = "true")
public class DaytonaSandboxProvider implements SandboxProvider {

  static final String MANAGED_BY = "remote-claude.dev/managed-by";
  static final String US = "remote-claude";
  static final String SESSION_LABEL = "remote-claude.dev/session";
  static final String ARCHIVE_PREFIX = "dar-";
  private static final String ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9_-]{0,127}";
  private static final Duration FILE_TIMEOUT = Duration.ofMinutes(1);
  private static final Duration ARCHIVE_TIMEOUT = Duration.ofMinutes(30);

  /** Daytona's states (SandboxState) as ours; anything else on its way is RUNNING. */
  private static final Set<String> PAUSED_STATES =
      Set.of("stopped", "stopping", "archived", "archiving", "paused", "pausing");

  private static final Set<String> GONE_STATES =
      Set.of("destroyed", "destroying", "error", "build_failed");

  private final DaytonaConfig config;
  private final long maxSnapshotBytes;
  private final Vertx vertx;
  private final SnapshotArchives archives;
  private final boolean ownsClient;
  private final DaytonaApi api;

  @Inject
  public DaytonaSandboxProvider(DaytonaConfig config, GatewayConfig gateway, Vertx vertx) {
    this(config, gateway.snapshots().maxBytes(), vertx, true);
    Log.infof(
        "daytona sandboxes at %s, snapshot %s",
        config.apiUrl(), config.snapshot().orElse("(default)"));
  }

  /** With the caller's Vert.x (tests, tools); the caller closes it. */
  public DaytonaSandboxProvider(DaytonaConfig config, long maxSnapshotBytes, Vertx vertx) {
    this(config, maxSnapshotBytes, vertx, false);
  }

  private DaytonaSandboxProvider(
      DaytonaConfig config, long maxSnapshotBytes, Vertx vertx, boolean ownsClient) {
    this.config = config;
    this.maxSnapshotBytes = maxSnapshotBytes;
    this.vertx = vertx;
    this.archives = new SnapshotArchives(config.archiveDir(), ARCHIVE_PREFIX, vertx);
    this.ownsClient = ownsClient;
    this.api =
        new DaytonaApi(
            WebClient.create(
                vertx,
                new WebClientOptions()
                    .setUserAgent("remote-claude-gateway")
                    .setFollowRedirects(false)
                    .setConnectTimeout((int) config.requestTimeout().toMillis())),
            vertx.getDelegate().createWebSocketClient(),
            config);
  }

  @PreDestroy
  void close() {
    api.client().close();
    api.webSockets().close();
  }

  @Override
  public String name() {
    return "daytona";
  }

  @Override
  public String claudeCommand() {
    return config.claudeCommand();
  }

  private String workspace() {
    return config.home() + "/workspace";
  }

  // --- lifecycle ------------------------------------------------------------------------------

  @Override
  public Uni<String> create(SandboxSpec spec) {
    Optional<Path> archive;
    try {
      checkEnvironment(spec.env());
      archive = spec.restoreSnapshotId().map(archives::existing);
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    JsonObject body =
        new JsonObject()
            .put("env", new JsonObject(new java.util.HashMap<>(spec.env())))
            .put(
                "labels", new JsonObject().put(MANAGED_BY, US).put(SESSION_LABEL, spec.sessionId()))
            .put("cpu", spec.cpus() > 0 ? spec.cpus() : config.cpus())
            .put(
                "memory",
                spec.memoryMb() > 0
                    ? Math.max(1, (spec.memoryMb() + 1023) / 1024)
                    : config.memoryGb())
            .put("disk", config.diskGb())
            .put("autoStopInterval", autoStopMinutes(spec.ttl()))
            // Daytona deletes nothing by itself: the platform terminates (and collects orphans).
            .put("autoDeleteInterval", -1)
            .put("networkBlockAll", config.networkBlockAll());
    config.snapshot().ifPresent(s -> body.put("snapshot", s));
    spec.template().filter(t -> !t.isBlank()).ifPresent(t -> body.put("snapshot", t));
    config.target().ifPresent(t -> body.put("target", t));
    config.networkAllowList().ifPresent(l -> body.put("networkAllowList", l));
    return api.send(
            "cannot create the sandbox",
            () -> api.request(HttpMethod.POST, config.apiUrl() + "/sandbox").sendJsonObject(body))
        .map(response -> response.bodyAsJsonObject().getString("id"))
        .chain(
            id ->
                waitFor(id, "started", "the sandbox did not start")
                    .chain(() -> exec(id, ".", List.of("mkdir", "-p", workspace()), new byte[0]))
                    .chain(
                        () ->
                            archive.isPresent()
                                ? restore(id, archive.get())
                                : Uni.createFrom().voidItem())
                    .replaceWith(id)
                    .onFailure()
                    .call(() -> terminate(id).onFailure().recoverWithNull()));
  }

  /** Daytona's auto-stop, in minutes: the platform's TTL plus the margin, rounded up. */
  long autoStopMinutes(Duration ttl) {
    Duration stop = ttl.plus(config.autoStopMargin());
    return Math.max(1, (stop.toSeconds() + 59) / 60);
  }

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
    if (!validId(sandboxId)) {
      return Uni.createFrom().item(SandboxStatus.MISSING);
    }
    return sandbox(sandboxId)
        .map(DaytonaSandboxProvider::statusOf)
        .onFailure(DaytonaSandboxProvider::notFound)
        .recoverWithItem(SandboxStatus.MISSING);
  }

  static SandboxStatus statusOf(JsonObject sandbox) {
    String state = sandbox.getString("state", "unknown");
    if (GONE_STATES.contains(state)) {
      return SandboxStatus.MISSING;
    }
    return PAUSED_STATES.contains(state) ? SandboxStatus.PAUSED : SandboxStatus.RUNNING;
  }

  @Override
  public Uni<Void> pause(String sandboxId) {
    return existing(sandboxId)
        .chain(
            sandbox -> {
              String state = sandbox.getString("state");
              if (PAUSED_STATES.contains(state) && !state.endsWith("ing")) {
                return Uni.createFrom().voidItem();
              }
              return action(sandboxId, "stop", "cannot pause the sandbox")
                  .chain(() -> waitFor(sandboxId, "stopped", "the sandbox did not stop"));
            })
        .invoke(() -> stopped(sandboxId));
  }

  @Override
  public Uni<Void> resume(String sandboxId) {
    return existing(sandboxId)
        .chain(
            sandbox -> {
              if ("started".equals(sandbox.getString("state"))) {
                return Uni.createFrom().voidItem();
              }
              return action(sandboxId, "start", "cannot resume the sandbox")
                  .chain(() -> waitFor(sandboxId, "started", "the sandbox did not start"));
            });
  }

  @Override
  public Uni<Void> terminate(String sandboxId) {
    if (!validId(sandboxId)) {
      return Uni.createFrom().voidItem();
    }
    return api.send(
            "cannot delete the sandbox",
            () -> api.request(HttpMethod.DELETE, config.apiUrl() + "/sandbox/" + sandboxId).send())
        .replaceWithVoid()
        .onFailure(DaytonaSandboxProvider::notFound)
        .recoverWithNull()
        .invoke(() -> stopped(sandboxId));
  }

  /** Every sandbox labelled as ours, page by page. */
  @Override
  public Uni<List<ProvidedSandbox>> list() {
    return page(null, new ArrayList<>());
  }

  private Uni<List<ProvidedSandbox>> page(String cursor, List<ProvidedSandbox> found) {
    return api.send(
            "cannot list sandboxes",
            () -> {
              var request =
                  api.request(HttpMethod.GET, config.apiUrl() + "/sandbox")
                      .addQueryParam("labels", new JsonObject().put(MANAGED_BY, US).encode())
                      .addQueryParam("limit", "200");
              if (cursor != null) {
                request.addQueryParam("cursor", cursor);
              }
              return request.send();
            })
        .chain(
            response -> {
              JsonObject body = response.bodyAsJsonObject();
              JsonArray items = body.getJsonArray("items", new JsonArray());
              for (int i = 0; i < items.size(); i++) {
                JsonObject item = items.getJsonObject(i);
                if (!ours(item) || GONE_STATES.contains(item.getString("state", ""))) {
                  continue;
                }
                String created = item.getString("createdAt");
                found.add(
                    new ProvidedSandbox(
                        item.getString("id"),
                        created == null ? Instant.now() : Instant.parse(created)));
              }
              String next = body.getString("nextCursor");
              return next == null || next.isBlank() || items.isEmpty()
                  ? Uni.createFrom().item(found)
                  : page(next, found);
            });
  }

  /** Moves Daytona's auto-stop to the new TTL plus the margin. */
  @Override
  public Uni<Void> extendTtl(String sandboxId, Duration ttl) {
    return existing(sandboxId)
        .chain(
            ignored ->
                api.send(
                    "cannot extend the sandbox's life",
                    () ->
                        api.request(
                                HttpMethod.POST,
                                config.apiUrl()
                                    + "/sandbox/"
                                    + sandboxId
                                    + "/autostop/"
                                    + autoStopMinutes(ttl))
                            .send()))
        .replaceWithVoid();
  }

  // --- processes and files ----------------------------------------------------------------------

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    String dir;
    try {
      checkEnvironment(request.env());
      dir = RemotePaths.workingDir(request.workingDir().orElse("."));
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    // request.readOnlyPaths() name files of the gateway's host: a Daytona sandbox cannot see them.
    return running(sandboxId)
        .chain(
            toolbox ->
                DaytonaExec.start(
                        api,
                        vertx,
                        toolbox,
                        request.command(),
                        dir.equals(".") ? workspace() : workspace() + "/" + dir,
                        request.env(),
                        request.stdin(),
                        request.timeout(),
                        request.maxOutputBytes())
                    .invoke(handle -> track(sandboxId, (DaytonaExec) handle)));
  }

  /** The commands running in each sandbox, ended as killed when it stops or is deleted. */
  private final Map<String, Set<DaytonaExec>> running = new ConcurrentHashMap<>();

  private void track(String sandboxId, DaytonaExec exec) {
    Set<DaytonaExec> commands =
        running.computeIfAbsent(sandboxId, id -> ConcurrentHashMap.newKeySet());
    commands.add(exec);
    exec.whenFinished(() -> commands.remove(exec));
  }

  private void stopped(String sandboxId) {
    Set<DaytonaExec> commands = running.remove(sandboxId);
    if (commands != null) {
      List.copyOf(commands).forEach(DaytonaExec::sandboxStopped);
    }
  }

  @Override
  public Uni<byte[]> readFile(String sandboxId, String path, int maxBytes) {
    String file;
    try {
      file = workspace() + "/" + RemotePaths.relative(path);
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    return running(sandboxId)
        .chain(
            toolbox ->
                api.send(
                        "cannot read " + path,
                        () ->
                            api.request(HttpMethod.GET, toolbox + "/files/info")
                                .addQueryParam("path", file)
                                .send())
                    .onFailure(DaytonaSandboxProvider::notFound)
                    .transform(
                        f ->
                            new ProviderException(
                                ProviderException.Kind.NOT_FOUND, "no such file: " + path))
                    .chain(
                        info -> {
                          JsonObject fileInfo = info.bodyAsJsonObject();
                          if (fileInfo.getBoolean("isDir", false)) {
                            throw new ProviderException(
                                ProviderException.Kind.INVALID, path + " is a directory");
                          }
                          if (fileInfo.getLong("size", 0L) > maxBytes) {
                            throw new ProviderException(
                                ProviderException.Kind.INVALID,
                                "file is larger than " + maxBytes + " bytes");
                          }
                          // The file may grow after its size was asked: never take more.
                          BoundedSink content =
                              BoundedSink.inMemory(
                                  maxBytes, "file is larger than " + maxBytes + " bytes");
                          return api.send(
                                  "cannot read " + path,
                                  () ->
                                      api.request(HttpMethod.GET, toolbox + "/files/download")
                                          .addQueryParam("path", file)
                                          .as(
                                              io.vertx.mutiny.ext.web.codec.BodyCodec.pipe(
                                                  io.vertx.mutiny.core.streams.WriteStream
                                                      .newInstance(content)))
                                          .send())
                              .map(response -> content.bytes());
                        }));
  }

  @Override
  public Uni<Void> writeFile(String sandboxId, String path, byte[] content) {
    String file;
    try {
      file = workspace() + "/" + RemotePaths.relative(path);
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    return running(sandboxId)
        .chain(
            toolbox ->
                api.send(
                    "cannot write " + path,
                    () ->
                        api.request(HttpMethod.POST, toolbox + "/files/upload")
                            .addQueryParam("path", file)
                            .sendMultipartForm(
                                MultipartForm.create()
                                    .binaryFileUpload(
                                        "file",
                                        "file",
                                        io.vertx.mutiny.core.buffer.Buffer.buffer(content),
                                        "application/octet-stream"))))
        .replaceWithVoid();
  }

  // --- snapshots --------------------------------------------------------------------------------

  /**
   * tar.gz of the sandbox user's home (the workspace and Claude's transcripts), made in the
   * sandbox's /tmp and downloaded into the archive directory, at most {@code maxSnapshotBytes}.
   */
  @Override
  public Uni<Snapshot> snapshot(String sandboxId) {
    String name = archives.newId();
    String remote = "/tmp/" + name + ".tar.gz";
    Path file = archives.fileOf(name);
    Path partial = archives.partialOf(name);
    return existing(sandboxId)
        .chain(
            sandbox -> {
              boolean wasPaused = !"started".equals(sandbox.getString("state"));
              Uni<Void> up = wasPaused ? resume(sandboxId) : Uni.createFrom().voidItem();
              return up.chain(
                      () ->
                          exec(
                              sandboxId,
                              ".",
                              // Every entry of the home but the home itself (whose owner and
                              // mode are the sandbox's, not the archive's).
                              List.of(
                                  "sh",
                                  "-c",
                                  "cd -- \"$2\" && find . -mindepth 1 -maxdepth 1 -print0"
                                      + " | tar -czf \"$1\" --null -T -",
                                  "rc-snapshot",
                                  remote,
                                  config.home()),
                              new byte[0]))
                  .chain(() -> toolboxOf(sandboxId))
                  .chain(toolbox -> download(toolbox, remote, partial))
                  .invoke(
                      size -> {
                        try {
                          Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
                        } catch (java.io.IOException e) {
                          throw new ProviderException(
                              ProviderException.Kind.UNAVAILABLE, "cannot keep the snapshot", e);
                        }
                      })
                  .map(size -> Snapshot.of(name, size))
                  .eventually(
                      () -> {
                        SnapshotArchives.deleteQuietly(partial);
                        return exec(sandboxId, ".", List.of("rm", "-f", remote), new byte[0])
                            .onFailure()
                            .recoverWithNull()
                            .chain(
                                () ->
                                    wasPaused
                                        ? pause(sandboxId).onFailure().recoverWithNull()
                                        : Uni.createFrom().voidItem());
                      });
            });
  }

  private Uni<Long> download(String toolbox, String remote, Path partial) {
    return api.send(
            "cannot read the snapshot",
            () ->
                api.request(HttpMethod.GET, toolbox + "/files/info")
                    .addQueryParam("path", remote)
                    .send())
        .chain(
            info -> {
              long size = info.bodyAsJsonObject().getLong("size", 0L);
              if (size > maxSnapshotBytes) {
                throw new ProviderException(
                    ProviderException.Kind.INVALID,
                    "the snapshot is larger than the limit of "
                        + maxSnapshotBytes
                        + " bytes; it was not kept");
              }
              try {
                Files.createDirectories(partial.getParent());
              } catch (java.io.IOException e) {
                throw new ProviderException(
                    ProviderException.Kind.UNAVAILABLE, "cannot write the snapshot archive", e);
              }
              return vertx
                  .fileSystem()
                  .open(
                      partial.toString(),
                      new io.vertx.core.file.OpenOptions()
                          .setWrite(true)
                          .setCreate(true)
                          .setTruncateExisting(true))
                  .chain(
                      out ->
                          api.send(
                                  "cannot download the snapshot",
                                  () ->
                                      api.request(HttpMethod.GET, toolbox + "/files/download")
                                          .addQueryParam("path", remote)
                                          .timeout(ARCHIVE_TIMEOUT.toMillis())
                                          .as(
                                              io.vertx.mutiny.ext.web.codec.BodyCodec.pipe(
                                                  io.vertx.mutiny.core.streams.WriteStream
                                                      .newInstance(
                                                          BoundedSink.into(
                                                              out.getDelegate(),
                                                              maxSnapshotBytes,
                                                              "the snapshot is larger than the limit of "
                                                                  + maxSnapshotBytes
                                                                  + " bytes; it was not kept"))))
                                          .send())
                              .chain(() -> vertx.fileSystem().props(partial.toString()))
                              .map(props -> props.size()));
            });
  }

  private Uni<Void> restore(String sandboxId, Path archive) {
    String remote = "/tmp/" + archive.getFileName();
    return toolboxOf(sandboxId)
        .chain(
            toolbox ->
                api.send(
                    "cannot restore the snapshot",
                    () ->
                        api.request(HttpMethod.POST, toolbox + "/files/upload")
                            .addQueryParam("path", remote)
                            .timeout(ARCHIVE_TIMEOUT.toMillis())
                            .sendMultipartForm(
                                MultipartForm.create()
                                    .binaryFileUpload(
                                        "file",
                                        "snapshot.tar.gz",
                                        archive.toString(),
                                        "application/gzip"))))
        .chain(
            () ->
                exec(
                    sandboxId,
                    ".",
                    List.of(
                        "sh",
                        "-c",
                        "tar -xzf \"$1\" -C \"$2\"; s=$?; rm -f \"$1\"; exit $s",
                        "rc-restore",
                        remote,
                        config.home()),
                    new byte[0]));
  }

  @Override
  public Uni<Void> deleteSnapshot(String snapshotId) {
    return archives.delete(snapshotId);
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** Runs one of our own commands to its end; a failure is the provider's. */
  private Uni<Void> exec(String sandboxId, String dir, List<String> command, byte[] stdin) {
    return toolboxOf(sandboxId)
        .chain(
            toolbox ->
                DaytonaExec.start(
                    api,
                    vertx,
                    toolbox,
                    command,
                    dir.equals(".") ? config.home() : dir,
                    Map.of(),
                    stdin,
                    command.getFirst().equals("tar") || command.getFirst().equals("sh")
                        ? ARCHIVE_TIMEOUT
                        : FILE_TIMEOUT,
                    64 * 1024))
        .chain(ExecResult::collect)
        .invoke(
            result -> {
              if (!result.succeeded()) {
                // The command ran and failed on what the sandbox holds (a file its code made
                // unreadable, a full disk): not Daytona's failure, so the breaker every tenant
                // shares does not count it; a timeout still does.
                throw new ProviderException(
                    result.timedOut()
                        ? ProviderException.Kind.UNAVAILABLE
                        : ProviderException.Kind.INVALID,
                    command.getFirst()
                        + " failed in the sandbox (exit "
                        + result.exitCode()
                        + (result.timedOut() ? ", timed out" : "")
                        + "): "
                        + result.stderr().strip());
              }
            })
        .replaceWithVoid();
  }

  /** The sandbox as Daytona describes it; 404 (or not ours) as NOT_FOUND. */
  private Uni<JsonObject> sandbox(String sandboxId) {
    if (!validId(sandboxId)) {
      return Uni.createFrom()
          .failure(
              new ProviderException(ProviderException.Kind.NOT_FOUND, "not a daytona sandbox id"));
    }
    return api.send(
            "cannot reach the sandbox",
            () -> api.request(HttpMethod.GET, config.apiUrl() + "/sandbox/" + sandboxId).send())
        .map(
            response -> {
              JsonObject sandbox = response.bodyAsJsonObject();
              if (!ours(sandbox)) {
                throw new ProviderException(ProviderException.Kind.NOT_FOUND, "sandbox is gone");
              }
              return sandbox;
            });
  }

  /** The sandbox, failing as NOT_FOUND when Daytona no longer has it (destroyed, in error). */
  private Uni<JsonObject> existing(String sandboxId) {
    return sandbox(sandboxId)
        .invoke(
            sandbox -> {
              if (statusOf(sandbox) == SandboxStatus.MISSING) {
                throw new ProviderException(
                    ProviderException.Kind.NOT_FOUND,
                    "sandbox is gone"
                        + Optional.ofNullable(sandbox.getString("errorReason"))
                            .map(r -> " (Daytona: " + r + ")")
                            .orElse(""));
              }
            });
  }

  /** The toolbox of a started sandbox; a stopped one is INVALID (resume it first). */
  private Uni<String> running(String sandboxId) {
    return existing(sandboxId)
        .map(
            sandbox -> {
              if (!"started".equals(sandbox.getString("state"))) {
                throw new ProviderException(
                    ProviderException.Kind.INVALID,
                    "sandbox is paused (Daytona: "
                        + sandbox.getString("state")
                        + "); resume it first");
              }
              return toolboxUrl(sandbox);
            });
  }

  private Uni<String> toolboxOf(String sandboxId) {
    return sandbox(sandboxId).map(this::toolboxUrl);
  }

  private String toolboxUrl(JsonObject sandbox) {
    String base =
        config
            .toolboxUrl()
            .or(() -> Optional.ofNullable(sandbox.getString("toolboxProxyUrl")))
            .orElseThrow(
                () ->
                    new ProviderException(
                        ProviderException.Kind.UNAVAILABLE,
                        "Daytona named no toolbox for the sandbox; set gateway.daytona.toolbox-url"));
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
        + "/"
        + sandbox.getString("id");
  }

  private Uni<Void> action(String sandboxId, String action, String what) {
    return api.send(
            what,
            () ->
                api.request(
                        HttpMethod.POST, config.apiUrl() + "/sandbox/" + sandboxId + "/" + action)
                    .send())
        .replaceWithVoid();
  }

  /**
   * Polls the sandbox until it is in {@code state}; Daytona's error states fail at once with its
   * reason, a sandbox still elsewhere after {@code start-timeout} as UNAVAILABLE.
   */
  private Uni<Void> waitFor(String sandboxId, String state, String what) {
    return existing(sandboxId)
        .map(sandbox -> sandbox.getString("state"))
        .repeat()
        .withDelay(Duration.ofMillis(250))
        .until(current -> current.equals(state))
        .collect()
        .last()
        // Gone or in error on the way: the sandbox did not come up (Daytona's reason kept).
        .onFailure(DaytonaSandboxProvider::notFound)
        .transform(
            f ->
                new ProviderException(
                    ProviderException.Kind.UNAVAILABLE, what + ": " + f.getMessage(), f))
        .ifNoItem()
        .after(config.startTimeout())
        .failWith(
            () ->
                new ProviderException(
                    ProviderException.Kind.UNAVAILABLE,
                    what + " within " + config.startTimeout() + "; try again later"))
        .replaceWithVoid();
  }

  private static boolean ours(JsonObject sandbox) {
    JsonObject labels = sandbox.getJsonObject("labels");
    return labels != null && US.equals(labels.getString(MANAGED_BY));
  }

  private static boolean validId(String sandboxId) {
    return sandboxId != null && sandboxId.matches(ID_PATTERN);
  }

  private static boolean notFound(Throwable failure) {
    return failure instanceof ProviderException p && p.kind() == ProviderException.Kind.NOT_FOUND;
  }

  private static final java.util.regex.Pattern ENV_NAME =
      java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Variable names become words of the command line. */
  static void checkEnvironment(Map<String, String> env) {
    env.forEach(
        (name, value) -> {
          if (!ENV_NAME.matcher(name).matches()) {
            throw new ProviderException(
                ProviderException.Kind.INVALID, "not a valid variable name: " + name);
          }
          if (value.indexOf('\0') >= 0) {
            throw new ProviderException(
                ProviderException.Kind.INVALID, "variable " + name + " contains a NUL character");
          }
        });
  }
}
