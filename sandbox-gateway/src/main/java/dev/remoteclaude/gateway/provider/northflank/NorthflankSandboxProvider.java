package dev.remoteclaude.gateway.provider.northflank;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
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
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sandboxes as Northflank deployment services, on Northflank's published API (see
 * docs/providers.md): create is {@code POST /v1/projects/<project>/services/deployment} (the
 * configured image kept alive by {@code keep-alive-command}, the configured plan, no ports, the
 * session's variables, tagged as ours) plus a volume for the sandbox user's home ({@code POST
 * /v1/projects/<project>/volumes} attached to the service); pause is Northflank's pause (scaled to
 * zero: processes end, the volume stays), resume its resume, terminate deleting the service with
 * its volume. Processes run through Northflank's command-exec WebSocket ({@link NorthflankExec});
 * files and snapshots (tar.gz archives of the home, kept in {@code archive-dir}) go through it too,
 * as Northflank has no file API.
 *
 * <p>Active only with {@code gateway.northflank.enabled=true}.
 */
@ApplicationScoped
@LookupIfProperty(name = "gateway.northflank.enabled", stringValue = "true")
public class NorthflankSandboxProvider implements SandboxProvider {

  /** Every service and volume the platform creates carries this tag. */
  static final String TAG = "remote-claude";

  static final String SESSION_TAG = "rc-session-";
  static final String CREATED_TAG = "rc-created-";
  static final String ARCHIVE_PREFIX = "nfa-";
  private static final String ID_PATTERN = "[a-z][a-z0-9-]{2,53}";
  private static final String TAG_PATTERN = "[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*";
  private static final Duration FILE_TIMEOUT = Duration.ofMinutes(1);
  private static final Duration ARCHIVE_TIMEOUT = Duration.ofMinutes(30);

  private static final String READ =
      """
      [ -e "$1" ] || exit 3
      [ -d "$1" ] && exit 5
      s=$(wc -c < "$1") || exit 6
      [ "$s" -le "$2" ] || exit 4
      exec cat -- "$1"
      """;
  private static final String WRITE = "mkdir -p -- \"$(dirname -- \"$1\")\" && cat > \"$1\"";
  // Every entry of the home but the home itself (whose owner and mode are the volume's).
  private static final String ARCHIVE =
      "cd -- \"$1\" && find . -mindepth 1 -maxdepth 1 -print0 | tar -czf - --null -T -";
  private static final String UNPACK = "tar -xzf - -C \"$1\"";

  private final NorthflankConfig config;
  private final long maxSnapshotBytes;
  private final Vertx vertx;
  private final SnapshotArchives archives;
  private final NorthflankApi api;

  @Inject
  public NorthflankSandboxProvider(NorthflankConfig config, GatewayConfig gateway, Vertx vertx) {
    this(config, gateway.snapshots().maxBytes(), vertx);
    Log.infof(
        "northflank sandboxes at %s, project %s, image %s",
        config.apiUrl(), config.projectId().orElse("(none)"), config.image());
  }

  /** With the caller's Vert.x (tests, tools); the caller closes it. */
  public NorthflankSandboxProvider(NorthflankConfig config, long maxSnapshotBytes, Vertx vertx) {
    this.config = config;
    this.maxSnapshotBytes = maxSnapshotBytes;
    this.vertx = vertx;
    this.archives = new SnapshotArchives(config.archiveDir(), ARCHIVE_PREFIX, vertx);
    this.api =
        new NorthflankApi(
            WebClient.create(
                vertx,
                new WebClientOptions()
                    .setUserAgent("remote-claude-gateway")
                    .setFollowRedirects(false)
                    .setConnectTimeout((int) config.requestTimeout().toMillis())),
            vertx
                .getDelegate()
                .createWebSocketClient(
                    new WebSocketClientOptions()
                        .setConnectTimeout((int) config.requestTimeout().toMillis())
                        .setMaxMessageSize(4 * 1024 * 1024)),
            config);
  }

  @PreDestroy
  void close() {
    api.client().close();
    api.webSockets().close();
  }

  @Override
  public String name() {
    return "northflank";
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
      NorthflankExec.checkEnvironment(spec.env());
      archive = spec.restoreSnapshotId().map(archives::existing);
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    String name = "rc-" + HexFormat.of().formatHex(randomBytes(8));
    JsonArray tags = new JsonArray().add(TAG);
    tags.add(CREATED_TAG + Instant.now().getEpochSecond());
    String sessionTag = SESSION_TAG + spec.sessionId();
    if (sessionTag.matches(TAG_PATTERN) && sessionTag.length() <= 100) {
      tags.add(sessionTag);
    }
    JsonObject external =
        new JsonObject()
            .put("imagePath", spec.template().filter(t -> !t.isBlank()).orElse(config.image()));
    config.imageCredentials().ifPresent(c -> external.put("credentials", c));
    JsonObject body =
        new JsonObject()
            .put("name", name)
            .put("description", "Remote Claude sandbox")
            .put("tags", tags)
            .put("billing", new JsonObject().put("deploymentPlan", config.plan()))
            .put(
                "deployment",
                new JsonObject()
                    .put("instances", 1)
                    .put("external", external)
                    .put(
                        "docker",
                        new JsonObject()
                            .put("configType", "customCommand")
                            .put("customCommand", config.keepAliveCommand())))
            // No ports: nothing reaches a sandbox from outside.
            .put("ports", new JsonArray())
            .put("runtimeEnvironment", new JsonObject(new java.util.HashMap<>(spec.env())));
    return api.send(
            "cannot create the sandbox",
            () ->
                api.request(HttpMethod.POST, api.projectUrl("/services/deployment"))
                    .sendJsonObject(body))
        .map(response -> response.bodyAsJsonObject().getJsonObject("data").getString("id"))
        .chain(
            id ->
                volume(id)
                    .chain(() -> waitReady(id, "the sandbox did not start"))
                    .chain(() -> run(id, List.of("mkdir", "-p", workspace()), new byte[0]))
                    .chain(
                        () ->
                            archive.isPresent()
                                ? restore(id, archive.get())
                                : Uni.createFrom().voidItem())
                    .replaceWith(id)
                    .onFailure()
                    .call(() -> terminate(id).onFailure().recoverWithNull()));
  }

  /** The sandbox's home: a volume of its own, attached to the service (kept while paused). */
  private Uni<Void> volume(String serviceId) {
    JsonObject body =
        new JsonObject()
            .put("name", serviceId + "-home")
            .put("tags", new JsonArray().add(TAG))
            .put(
                "mounts",
                new JsonArray().add(new JsonObject().put("containerMountPath", config.home())))
            .put(
                "spec",
                new JsonObject()
                    .put("accessMode", "ReadWriteOnce")
                    .put("storageClassName", config.storageClass())
                    .put("storageSize", config.volumeSizeMb()))
            .put(
                "attachedObjects",
                new JsonArray().add(new JsonObject().put("id", serviceId).put("type", "service")));
    return api.send(
            "cannot create the sandbox's volume",
            () -> api.request(HttpMethod.POST, api.projectUrl("/volumes")).sendJsonObject(body))
        .replaceWithVoid();
  }

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
    if (!validId(sandboxId)) {
      return Uni.createFrom().item(SandboxStatus.MISSING);
    }
    return service(sandboxId)
        .map(NorthflankSandboxProvider::statusOf)
        .onFailure(NorthflankSandboxProvider::notFound)
        .recoverWithItem(SandboxStatus.MISSING);
  }

  /**
   * Northflank's service as ours: paused is PAUSED; a deployment that FAILED (the image cannot run)
   * or a service past Northflank's own expiry is MISSING; anything else (PENDING, IN_PROGRESS,
   * COMPLETED) RUNNING.
   */
  static SandboxStatus statusOf(JsonObject service) {
    if (service.getValue("expiredAt") != null) {
      return SandboxStatus.MISSING;
    }
    if (service.getBoolean("servicePaused", false)) {
      return SandboxStatus.PAUSED;
    }
    return "FAILED".equals(deploymentStatus(service))
        ? SandboxStatus.MISSING
        : SandboxStatus.RUNNING;
  }

  private static String deploymentStatus(JsonObject service) {
    JsonObject status = service.getJsonObject("status", new JsonObject());
    return status.getJsonObject("deployment", new JsonObject()).getString("status", "PENDING");
  }

  @Override
  public Uni<Void> pause(String sandboxId) {
    return existing(sandboxId)
        .chain(
            service -> {
              if (service.getBoolean("servicePaused", false)) {
                return Uni.createFrom().voidItem();
              }
              return action(sandboxId, "pause", null, "cannot pause the sandbox");
            })
        .invoke(() -> stopped(sandboxId));
  }

  @Override
  public Uni<Void> resume(String sandboxId) {
    return existing(sandboxId)
        .chain(
            service -> {
              if (!service.getBoolean("servicePaused", false)) {
                return Uni.createFrom().voidItem();
              }
              return action(
                      sandboxId,
                      "resume",
                      new JsonObject().put("instances", 1),
                      "cannot resume the sandbox")
                  .chain(() -> waitReady(sandboxId, "the sandbox did not start again"));
            });
  }

  /** Deletes the service and its volume; one that is gone or not ours is left alone. */
  @Override
  public Uni<Void> terminate(String sandboxId) {
    if (!validId(sandboxId)) {
      return Uni.createFrom().voidItem();
    }
    return service(sandboxId)
        .chain(
            ours ->
                api.send(
                    "cannot delete the sandbox",
                    () ->
                        api.request(HttpMethod.DELETE, api.projectUrl("/services/" + sandboxId))
                            .addQueryParam("delete_child_objects", "true")
                            .send()))
        .replaceWithVoid()
        .onFailure(NorthflankSandboxProvider::notFound)
        .recoverWithNull()
        .invoke(() -> stopped(sandboxId));
  }

  /** Every service tagged as ours, page by page; creation time from its tag. */
  @Override
  public Uni<List<ProvidedSandbox>> list() {
    return page(null, new ArrayList<>());
  }

  private Uni<List<ProvidedSandbox>> page(String cursor, List<ProvidedSandbox> found) {
    return api.send(
            "cannot list sandboxes",
            () -> {
              var request =
                  api.request(HttpMethod.GET, api.projectUrl("/services"))
                      .addQueryParam("per_page", "100");
              if (cursor != null) {
                request.addQueryParam("cursor", cursor);
              }
              return request.send();
            })
        .chain(
            response -> {
              JsonObject body = response.bodyAsJsonObject();
              JsonArray services =
                  body.getJsonObject("data", new JsonObject())
                      .getJsonArray("services", new JsonArray());
              for (int i = 0; i < services.size(); i++) {
                JsonObject service = services.getJsonObject(i);
                if (ours(service)) {
                  found.add(new ProvidedSandbox(service.getString("id"), createdAt(service)));
                }
              }
              JsonObject pagination = body.getJsonObject("pagination", new JsonObject());
              String next = pagination.getString("cursor");
              return pagination.getBoolean("hasNextPage", false)
                      && next != null
                      && !next.isBlank()
                      && !services.isEmpty()
                  ? page(next, found)
                  : Uni.createFrom().item(found);
            });
  }

  private static Instant createdAt(JsonObject service) {
    JsonArray tags = service.getJsonArray("tags", new JsonArray());
    for (int i = 0; i < tags.size(); i++) {
      String tag = String.valueOf(tags.getValue(i));
      if (tag.startsWith(CREATED_TAG)) {
        try {
          return Instant.ofEpochSecond(Long.parseLong(tag.substring(CREATED_TAG.length())));
        } catch (NumberFormatException e) {
          break;
        }
      }
    }
    String created = service.getString("createdAt");
    return created == null ? Instant.now() : Instant.parse(created);
  }

  /**
   * Northflank keeps a service until it is deleted (the platform sets no expiry on it), so there is
   * no provider timer to move: the sandbox must still exist.
   */
  @Override
  public Uni<Void> extendTtl(String sandboxId, Duration ttl) {
    return existing(sandboxId).replaceWithVoid();
  }

  // --- processes and files ----------------------------------------------------------------------

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    String dir;
    try {
      NorthflankExec.checkEnvironment(request.env());
      dir = RemotePaths.workingDir(request.workingDir().orElse("."));
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    // request.readOnlyPaths() name files of the gateway's host: a Northflank sandbox cannot see
    // them.
    return running(sandboxId)
        .chain(
            ignored ->
                NorthflankExec.start(
                    api,
                    vertx,
                    sandboxId,
                    request.command(),
                    dir.equals(".") ? workspace() : workspace() + "/" + dir,
                    request.env(),
                    new ByteArrayInputStream(request.stdin()),
                    request.timeout(),
                    request.maxOutputBytes()))
        .invoke(handle -> track(sandboxId, handle))
        .map(handle -> (ExecHandle) handle);
  }

  /** The commands running in each sandbox, ended as killed when it is paused or deleted. */
  private final Map<String, Set<NorthflankExec>> running = new ConcurrentHashMap<>();

  private void track(String sandboxId, NorthflankExec exec) {
    Set<NorthflankExec> commands =
        running.computeIfAbsent(sandboxId, id -> ConcurrentHashMap.newKeySet());
    commands.add(exec);
    exec.whenFinished(() -> commands.remove(exec));
  }

  private void stopped(String sandboxId) {
    Set<NorthflankExec> commands = running.remove(sandboxId);
    if (commands != null) {
      List.copyOf(commands).forEach(NorthflankExec::sandboxStopped);
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
            ignored ->
                NorthflankExec.start(
                    api,
                    vertx,
                    sandboxId,
                    List.of("sh", "-c", READ, "rc-read", file, Integer.toString(maxBytes)),
                    "/",
                    Map.of(),
                    InputStream.nullInputStream(),
                    FILE_TIMEOUT,
                    (long) maxBytes + 1))
        .chain(NorthflankSandboxProvider::bytes)
        .map(
            result -> {
              switch (result.exit().exitCode()) {
                case 0 -> {
                  if (result.exit().truncated() || result.out().length > maxBytes) {
                    throw tooLarge(maxBytes);
                  }
                  return result.out();
                }
                case 3 ->
                    throw new ProviderException(
                        ProviderException.Kind.NOT_FOUND, "no such file: " + path);
                case 4 -> throw tooLarge(maxBytes);
                case 5 ->
                    throw new ProviderException(
                        ProviderException.Kind.INVALID, path + " is a directory");
                default -> throw failed("cannot read " + path, result);
              }
            });
  }

  private static ProviderException tooLarge(int maxBytes) {
    return new ProviderException(
        ProviderException.Kind.INVALID, "file is larger than " + maxBytes + " bytes");
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
        .chain(() -> run(sandboxId, List.of("sh", "-c", WRITE, "rc-write", file), content));
  }

  // --- snapshots --------------------------------------------------------------------------------

  /**
   * tar.gz of the sandbox user's home (the workspace and Claude's transcripts), streamed out of the
   * container into the archive directory, at most {@code maxSnapshotBytes}.
   */
  @Override
  public Uni<Snapshot> snapshot(String sandboxId) {
    String name = archives.newId();
    Path file = archives.fileOf(name);
    Path partial = archives.partialOf(name);
    return existing(sandboxId)
        .chain(
            service -> {
              boolean wasPaused = service.getBoolean("servicePaused", false);
              Uni<Void> up = wasPaused ? resume(sandboxId) : Uni.createFrom().voidItem();
              return up.chain(
                      () ->
                          NorthflankExec.start(
                              api,
                              vertx,
                              sandboxId,
                              List.of("sh", "-c", ARCHIVE, "rc-snapshot", config.home()),
                              "/",
                              Map.of(),
                              InputStream.nullInputStream(),
                              ARCHIVE_TIMEOUT,
                              // one byte more than allowed tells a snapshot that is too large
                              maxSnapshotBytes == Long.MAX_VALUE
                                  ? Long.MAX_VALUE
                                  : maxSnapshotBytes + 1))
                  .chain(handle -> store(handle, partial))
                  .map(
                      size -> {
                        try {
                          Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
                        } catch (IOException e) {
                          throw new ProviderException(
                              ProviderException.Kind.UNAVAILABLE, "cannot keep the snapshot", e);
                        }
                        return Snapshot.of(name, size);
                      })
                  .eventually(
                      () -> {
                        SnapshotArchives.deleteQuietly(partial);
                        return wasPaused
                            ? pause(sandboxId).onFailure().recoverWithNull()
                            : Uni.createFrom().voidItem();
                      });
            });
  }

  /** Writes the archive's stream into {@code partial} (on a worker thread); returns its size. */
  private Uni<Long> store(NorthflankExec handle, Path partial) {
    return Uni.createFrom()
        .item(
            () -> {
              ExecEvent.Exit exit = null;
              ByteArrayOutputStream err = new ByteArrayOutputStream();
              try {
                Files.createDirectories(partial.getParent());
                try (OutputStream out = Files.newOutputStream(partial)) {
                  for (ExecEvent event : handle.events().subscribe().asIterable()) {
                    switch (event) {
                      case ExecEvent.Stdout s -> out.write(s.bytes());
                      case ExecEvent.Stderr s ->
                          err.write(s.bytes(), 0, Math.min(s.bytes().length, 4096));
                      case ExecEvent.Exit e -> exit = e;
                    }
                  }
                }
              } catch (IOException e) {
                handle.cancel();
                throw new ProviderException(
                    ProviderException.Kind.UNAVAILABLE, "cannot write the snapshot archive", e);
              }
              if (exit != null && exit.truncated()) {
                throw new ProviderException(
                    ProviderException.Kind.INVALID,
                    "the snapshot is larger than the limit of "
                        + maxSnapshotBytes
                        + " bytes; it was not kept");
              }
              if (exit == null || exit.exitCode() != 0 || exit.timedOut()) {
                throw failed(
                    "cannot make the snapshot",
                    new Output(
                        exit == null ? new ExecEvent.Exit(-1, false, false, false) : exit,
                        new byte[0],
                        err.toString(StandardCharsets.UTF_8)));
              }
              try {
                return Files.size(partial);
              } catch (IOException e) {
                throw new ProviderException(
                    ProviderException.Kind.UNAVAILABLE, "cannot read the snapshot archive", e);
              }
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }

  /** Streams the archive into the new sandbox's home. */
  private Uni<Void> restore(String sandboxId, Path archive) {
    InputStream in;
    try {
      in = Files.newInputStream(archive);
    } catch (IOException e) {
      return Uni.createFrom()
          .failure(
              new ProviderException(
                  ProviderException.Kind.UNAVAILABLE, "cannot read the snapshot archive", e));
    }
    return NorthflankExec.start(
            api,
            vertx,
            sandboxId,
            List.of("sh", "-c", UNPACK, "rc-restore", config.home()),
            "/",
            Map.of(),
            in,
            ARCHIVE_TIMEOUT,
            64 * 1024)
        .chain(NorthflankSandboxProvider::bytes)
        .invoke(
            result -> {
              if (result.exit().exitCode() != 0 || result.exit().timedOut()) {
                throw failed("cannot restore the snapshot", result);
              }
            })
        .replaceWithVoid();
  }

  @Override
  public Uni<Void> deleteSnapshot(String snapshotId) {
    return archives.delete(snapshotId);
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** A process's exit, its stdout as bytes and the start of its stderr. */
  record Output(ExecEvent.Exit exit, byte[] out, String err) {}

  private static Uni<Output> bytes(ExecHandle handle) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExecEvent.Exit[] exit = {new ExecEvent.Exit(-1, false, false, false)};
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
                new Output(exit[0], out.toByteArray(), err.toString(StandardCharsets.UTF_8)));
  }

  /**
   * A command of ours that ran and failed on what the sandbox holds (a file its code made
   * unreadable, a full disk) is the sandbox's failure, not Northflank's: INVALID, so the breaker
   * every tenant shares does not count it. A timeout or a cut stream still does.
   */
  private static ProviderException failed(String what, Output result) {
    ExecEvent.Exit exit = result.exit();
    boolean outage = exit.timedOut() || exit.exitCode() < 0;
    String err = result.err().strip();
    return new ProviderException(
        outage ? ProviderException.Kind.UNAVAILABLE : ProviderException.Kind.INVALID,
        what
            + " (exit "
            + exit.exitCode()
            + (exit.timedOut() ? ", timed out" : "")
            + ")"
            + (err.isEmpty() ? "" : ": " + (err.length() > 300 ? err.substring(0, 300) : err)));
  }

  /** Runs one of our own commands to its end. */
  private Uni<Void> run(String sandboxId, List<String> command, byte[] stdin) {
    return NorthflankExec.start(
            api,
            vertx,
            sandboxId,
            command,
            "/",
            Map.of(),
            new ByteArrayInputStream(stdin),
            FILE_TIMEOUT,
            64 * 1024)
        .chain(NorthflankSandboxProvider::bytes)
        .invoke(
            result -> {
              if (result.exit().exitCode() != 0 || result.exit().timedOut()) {
                throw failed(command.getFirst() + " failed in the sandbox", result);
              }
            })
        .replaceWithVoid();
  }

  /** The service as Northflank describes it ({@code data}); 404 or not ours as NOT_FOUND. */
  private Uni<JsonObject> service(String sandboxId) {
    if (!validId(sandboxId)) {
      return Uni.createFrom()
          .failure(
              new ProviderException(
                  ProviderException.Kind.NOT_FOUND, "not a northflank sandbox id"));
    }
    return api.send(
            "cannot reach the sandbox",
            () -> api.request(HttpMethod.GET, api.projectUrl("/services/" + sandboxId)).send())
        .map(
            response -> {
              JsonObject service =
                  response.bodyAsJsonObject().getJsonObject("data", new JsonObject());
              if (!ours(service)) {
                throw new ProviderException(ProviderException.Kind.NOT_FOUND, "sandbox is gone");
              }
              return service;
            });
  }

  /** The service, failing as NOT_FOUND when it can no longer be a sandbox (expired, failed). */
  private Uni<JsonObject> existing(String sandboxId) {
    return service(sandboxId)
        .invoke(
            service -> {
              if (statusOf(service) == SandboxStatus.MISSING) {
                throw new ProviderException(
                    ProviderException.Kind.NOT_FOUND,
                    service.getValue("expiredAt") != null
                        ? "sandbox is gone (Northflank expired it)"
                        : "sandbox is gone (Northflank could not deploy it)");
              }
            });
  }

  /** The service of a running sandbox; a paused one is INVALID (resume it first). */
  private Uni<JsonObject> running(String sandboxId) {
    return existing(sandboxId)
        .invoke(
            service -> {
              if (service.getBoolean("servicePaused", false)) {
                throw new ProviderException(
                    ProviderException.Kind.INVALID, "sandbox is paused; resume it first");
              }
            });
  }

  private Uni<Void> action(String sandboxId, String action, JsonObject body, String what) {
    return api.send(
            what,
            () -> {
              var request =
                  api.request(
                      HttpMethod.POST, api.projectUrl("/services/" + sandboxId + "/" + action));
              return body == null ? request.send() : request.sendJsonObject(body);
            })
        .replaceWithVoid();
  }

  /**
   * Polls until Northflank has deployed the service (not paused, its deployment COMPLETED) and a
   * command runs in its container; a deployment that FAILED fails at once, one still not ready
   * after {@code start-timeout} as UNAVAILABLE.
   */
  private Uni<Void> waitReady(String sandboxId, String what) {
    Uni<Boolean> probe =
        service(sandboxId)
            .chain(
                service -> {
                  if (service.getBoolean("servicePaused", false)
                      || !"COMPLETED".equals(deploymentStatus(service))) {
                    if ("FAILED".equals(deploymentStatus(service))) {
                      throw new ProviderException(
                          ProviderException.Kind.UNAVAILABLE,
                          what
                              + ": Northflank could not deploy it (check gateway.northflank.image"
                              + " and plan)");
                    }
                    return Uni.createFrom().item(false);
                  }
                  return NorthflankExec.start(
                          api,
                          vertx,
                          sandboxId,
                          List.of("true"),
                          "/",
                          Map.of(),
                          InputStream.nullInputStream(),
                          Duration.ofSeconds(30),
                          1024)
                      .chain(NorthflankSandboxProvider::bytes)
                      .map(result -> result.exit().exitCode() == 0)
                      .onFailure(f -> !notFound(f))
                      .recoverWithItem(false);
                });
    return probe
        .repeat()
        .withDelay(Duration.ofMillis(500))
        .until(ready -> ready)
        .collect()
        .last()
        .ifNoItem()
        .after(config.startTimeout())
        .failWith(
            () ->
                new ProviderException(
                    ProviderException.Kind.UNAVAILABLE,
                    what + " within " + config.startTimeout() + "; try again later"))
        .replaceWithVoid();
  }

  private static boolean ours(JsonObject service) {
    JsonArray tags = service.getJsonArray("tags");
    return tags != null && tags.contains(TAG);
  }

  private static boolean validId(String sandboxId) {
    return sandboxId != null && sandboxId.matches(ID_PATTERN);
  }

  private static boolean notFound(Throwable failure) {
    return failure instanceof ProviderException p && p.kind() == ProviderException.Kind.NOT_FOUND;
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
