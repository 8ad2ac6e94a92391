package dev.remoteclaude.gateway.provider.northflank;

import dev.remoteclaude.gateway.provider.ProcessTrees;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;

/**
 * Northflank as its published API describes it (northflank.com/docs/v1/api: services, volumes;
 * command execution as the JavaScript client {@code @northflank/js-client} speaks it), on a local
 * Vert.x server:
 *
 * <ul>
 *   <li>{@code POST /v1/projects/{project}/services/deployment} (the service's id derived from its
 *       name; its deployment IN_PROGRESS, then COMPLETED), {@code GET …/services} (paginated:
 *       {@code per_page}, {@code cursor}, {@code pagination.hasNextPage}), {@code GET|DELETE
 *       …/services/{id}} ({@code delete_child_objects} deleting its volumes), {@code POST
 *       …/services/{id}/pause|resume} (resume of a service that is not paused: 409, as documented);
 *   <li>{@code POST /v1/projects/{project}/volumes} attached to a service: mounted into its
 *       container at the given path (a restart of the service, as Northflank does);
 *   <li>the command-exec WebSocket {@code /v1/command-exec/projects/{project}/services/{id}}: the
 *       {@code init} handshake with the API token, {@code stdOut}/{@code stdErr} in base64, stdin
 *       as {@code payload}/{@code stdInEnd}, then {@code completion} with the exit code.
 * </ul>
 *
 * Errors are Northflank's body ({@code {"error":{"status","message","id"}}}); every API request
 * must carry {@code Authorization: Bearer <token>}. A service's container is emulated: commands run
 * for real in bubblewrap as uid 1000, with the container's own {@code /tmp} and its home, which
 * only a volume keeps: pausing (scaled to zero) kills every process and empties what is not on a
 * volume.
 */
public final class NorthflankStub implements AutoCloseable {

  static final String PROJECT = "rc-sandboxes";
  private static final String NAME = "^[a-zA-Z]((-|\\s)?[a-zA-Z0-9]+((-|\\s)[a-zA-Z0-9]+)*)?$";
  private static final String TAG = "^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$";

  private final Vertx vertx;
  private final Path root;
  private final String token;
  private final HttpServer server;
  private final Map<String, Service> services = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> volumes = new ConcurrentHashMap<>();
  private final List<JsonObject> creates = new CopyOnWriteArrayList<>();
  private final List<JsonObject> volumeCreates = new CopyOnWriteArrayList<>();
  private final List<JsonObject> execContexts = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();

  private record Fault(int status, String retryAfter, String message) {}

  static final class Service {
    final String id;
    final String name;
    final Path dir;
    final JsonArray tags;
    final Map<String, String> env;
    final Instant createdAt = Instant.now();
    final Set<Process> processes = ConcurrentHashMap.newKeySet();
    volatile boolean paused;
    volatile String deployment = "IN_PROGRESS";
    volatile String volumePath;
    volatile String volumeId;

    Service(String id, String name, Path dir, JsonArray tags, Map<String, String> env) {
      this.id = id;
      this.name = name;
      this.dir = dir;
      this.tags = tags;
      this.env = env;
    }
  }

  public NorthflankStub(Vertx vertx, Path root) {
    if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
      throw new IllegalStateException(
          "the Northflank stub runs commands in bubblewrap: apt-get install bubblewrap");
    }
    this.vertx = vertx;
    this.root = root;
    this.token = "nf-" + UUID.randomUUID().toString().replace("-", "");
    Router router = Router.router(vertx);
    router.route("/v1/*").handler(this::authenticate);
    router.route("/v1/*").handler(this::faults);
    router.post().handler(BodyHandler.create(false));
    String project = "/v1/projects/" + PROJECT;
    router.post(project + "/services/deployment").handler(this::create);
    router.get(project + "/services").handler(this::list);
    router.get(project + "/services/:id").handler(ctx -> ctx.json(data(json(service(ctx)))));
    router.delete(project + "/services/:id").handler(this::delete);
    router.post(project + "/services/:id/pause").handler(this::pause);
    router.post(project + "/services/:id/resume").handler(this::resume);
    router.post(project + "/volumes").handler(this::createVolume);
    router.route().failureHandler(this::failure);
    router.route().handler(ctx -> error(ctx, 404, "Not found"));
    this.server =
        vertx
            .createHttpServer()
            .webSocketHandler(this::exec)
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .join();
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public String token() {
    return token;
  }

  /** Every service create request body, in order. */
  public List<JsonObject> creates() {
    return creates;
  }

  /** Every volume create request body, in order. */
  public List<JsonObject> volumeCreates() {
    return volumeCreates;
  }

  /** The {@code context} of every command-exec handshake, in order. */
  public List<JsonObject> execContexts() {
    return execContexts;
  }

  /** Every API request, as {@code METHOD path}. */
  public List<String> requests() {
    return requests;
  }

  /** The volumes that exist, by id. */
  public Set<String> volumeIds() {
    return Set.copyOf(volumes.keySet());
  }

  /** The next {@code times} API requests answer {@code status} (with a Retry-After when given). */
  public void failNext(int status, String retryAfter, int times) {
    failNext(
        status,
        retryAfter,
        status == 429 ? "Rate limit exceeded" : "An internal error has occurred",
        times);
  }

  public void failNext(int status, String retryAfter, String message, int times) {
    for (int i = 0; i < times; i++) {
      faults.add(new Fault(status, retryAfter, message));
    }
  }

  /** The service's deployment fails (its image cannot run). */
  public void failDeployment(String id) {
    services.get(id).deployment = "FAILED";
  }

  /** Someone deletes the service at Northflank. */
  public void destroy(String id) {
    Service service = services.remove(id);
    if (service != null) {
      killAll(service);
    }
  }

  // --- the API ----------------------------------------------------------------------------------

  private void authenticate(RoutingContext ctx) {
    requests.add(ctx.request().method() + " " + ctx.request().path());
    if (!("Bearer " + token).equals(ctx.request().getHeader("Authorization"))) {
      error(ctx, 401, "Unauthorized");
      return;
    }
    ctx.next();
  }

  private void faults(RoutingContext ctx) {
    Fault fault = faults.poll();
    if (fault == null) {
      ctx.next();
      return;
    }
    if (fault.retryAfter() != null) {
      ctx.response().putHeader("Retry-After", fault.retryAfter());
    }
    error(ctx, fault.status(), fault.message());
  }

  private void create(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    creates.add(body.copy());
    String name = body.getString("name", "");
    if (!name.matches(NAME) || name.length() < 3 || name.length() > 54) {
      throw new Status(400, "Validation failed: name");
    }
    JsonArray tags = body.getJsonArray("tags", new JsonArray());
    for (Object tag : tags) {
      String t = String.valueOf(tag);
      if (!t.matches(TAG) || t.length() < 3 || t.length() > 100) {
        throw new Status(400, "Validation failed: tags");
      }
    }
    JsonObject billing = body.getJsonObject("billing");
    JsonObject deployment = body.getJsonObject("deployment");
    if (billing == null || billing.getString("deploymentPlan") == null) {
      throw new Status(400, "Validation failed: billing.deploymentPlan is required");
    }
    if (deployment == null
        || deployment.getInteger("instances") == null
        || deployment.getJsonObject("external") == null
        || deployment.getJsonObject("external").getString("imagePath") == null) {
      throw new Status(400, "Validation failed: deployment");
    }
    String id = name.toLowerCase().replace(' ', '-');
    if (services.containsKey(id)) {
      throw new Status(409, "There is already a service with the same derived identifier");
    }
    Map<String, String> env = new TreeMap<>();
    body.getJsonObject("runtimeEnvironment", new JsonObject())
        .forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    Path dir = root.resolve(id);
    try {
      writable(dir.resolve("tmp"));
      writable(dir.resolve("layer"));
    } catch (IOException e) {
      throw new Status(500, "An internal error has occurred");
    }
    Service service = new Service(id, name, dir, tags.copy(), env);
    services.put(id, service);
    deploy(service);
    ctx.json(data(json(service)));
  }

  private void list(RoutingContext ctx) {
    int perPage = Integer.parseInt(ctx.request().getParam("per_page", "50"));
    if (perPage < 1 || perPage > 100) {
      throw new Status(400, "per_page must be between 1 and 100");
    }
    int from = Integer.parseInt(ctx.request().getParam("cursor", "0"));
    List<Service> all =
        services.values().stream().sorted(Comparator.comparing(s -> s.createdAt)).toList();
    // two at a time, so that paging is exercised
    int size = Math.min(perPage, 2);
    JsonArray page = new JsonArray();
    for (int i = from; i < Math.min(all.size(), from + size); i++) {
      Service s = all.get(i);
      page.add(
          new JsonObject()
              .put("id", s.id)
              .put("appId", "/team/" + PROJECT + "/" + s.id)
              .put("projectId", PROJECT)
              .put("name", s.name)
              .put("tags", s.tags.copy())
              .put("serviceType", "deployment")
              .put("disabledCI", false)
              .put("disabledCD", false)
              .put("status", status(s)));
    }
    boolean more = from + size < all.size();
    JsonObject pagination = new JsonObject().put("hasNextPage", more).put("count", page.size());
    if (more) {
      pagination.put("cursor", Integer.toString(from + size));
    }
    ctx.json(
        new JsonObject()
            .put("data", new JsonObject().put("services", page))
            .put("pagination", pagination));
  }

  private void delete(RoutingContext ctx) {
    Service service = service(ctx);
    services.remove(service.id);
    killAll(service);
    if ("true".equals(ctx.request().getParam("delete_child_objects")) && service.volumeId != null) {
      volumes.remove(service.volumeId);
    }
    deleteTree(service.dir);
    ctx.json(data(new JsonObject()));
  }

  private void pause(RoutingContext ctx) {
    Service service = service(ctx);
    if (service.paused) {
      throw new Status(409, "The service is already paused.");
    }
    service.paused = true;
    scaledToZero(service);
    ctx.json(data(new JsonObject()));
  }

  private void resume(RoutingContext ctx) {
    Service service = service(ctx);
    if (!service.paused) {
      throw new Status(409, "The service could not be resumed as it is not paused.");
    }
    JsonObject body = ctx.body() == null ? null : ctx.body().asJsonObject();
    if (body != null && body.getInteger("instances", 1) != 1) {
      throw new Status(400, "Validation failed: instances");
    }
    service.paused = false;
    deploy(service);
    ctx.json(data(new JsonObject()));
  }

  private void createVolume(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    volumeCreates.add(body.copy());
    String name = body.getString("name", "");
    JsonObject spec = body.getJsonObject("spec");
    JsonArray mounts = body.getJsonArray("mounts", new JsonArray());
    JsonArray attached = body.getJsonArray("attachedObjects", new JsonArray());
    if (!name.matches(NAME) || name.length() < 3 || name.length() > 39) {
      throw new Status(400, "Validation failed: name");
    }
    if (spec == null
        || spec.getInteger("storageSize") == null
        || !"ReadWriteOnce".equals(spec.getString("accessMode"))) {
      throw new Status(400, "Validation failed: spec");
    }
    if (mounts.size() != 1 || mounts.getJsonObject(0).getString("containerMountPath") == null) {
      throw new Status(400, "Validation failed: mounts");
    }
    if (attached.size() != 1 || !"service".equals(attached.getJsonObject(0).getString("type"))) {
      throw new Status(400, "Validation failed: attachedObjects");
    }
    Service service = services.get(attached.getJsonObject(0).getString("id"));
    if (service == null) {
      throw new Status(404, "Service not found");
    }
    String id = name.toLowerCase().replace(' ', '-');
    if (volumes.containsKey(id)) {
      throw new Status(409, "There is already a volume with the same derived identifier");
    }
    try {
      writable(service.dir.resolve("volume"));
    } catch (IOException e) {
      throw new Status(500, "An internal error has occurred");
    }
    JsonObject volume =
        new JsonObject()
            .put("id", id)
            .put("name", name)
            .put("spec", spec.copy())
            .put("attachedObjects", attached.copy())
            .put("status", "BOUND")
            .put("createdAt", Instant.now().toString())
            .put("updatedAt", Instant.now().toString());
    volumes.put(id, volume);
    service.volumeId = id;
    service.volumePath = mounts.getJsonObject(0).getString("containerMountPath");
    // Attaching a volume restarts the service's container.
    if (!service.paused) {
      scaledToZero(service);
      deploy(service);
    }
    ctx.json(data(volume));
  }

  private static JsonObject data(JsonObject data) {
    return new JsonObject().put("data", data);
  }

  private JsonObject json(Service s) {
    JsonObject json =
        new JsonObject()
            .put("id", s.id)
            .put("appId", "/team/" + PROJECT + "/" + s.id)
            .put("name", s.name)
            .put("tags", s.tags.copy())
            .put("serviceType", "deployment")
            .put("servicePaused", s.paused)
            .put("createdAt", s.createdAt.toString())
            .put("status", status(s))
            .put("deployment", new JsonObject().put("instances", s.paused ? 0 : 1));
    return json;
  }

  private static JsonObject status(Service s) {
    return new JsonObject()
        .put(
            "deployment",
            new JsonObject()
                .put("status", s.deployment)
                .put("reason", "DEPLOYING")
                .put("lastTransitionTime", Instant.now().toString()));
  }

  private Service service(RoutingContext ctx) {
    Service service = services.get(ctx.pathParam("id"));
    if (service == null) {
      throw new Status(404, "Service not found");
    }
    return service;
  }

  /** The deployment rolls out: IN_PROGRESS, then COMPLETED a moment later. */
  private void deploy(Service service) {
    service.deployment = "IN_PROGRESS";
    vertx.setTimer(
        150,
        t -> {
          if (!service.paused && !"FAILED".equals(service.deployment)) {
            service.deployment = "COMPLETED";
          }
        });
  }

  /** No container any more: its processes are killed, what is not on a volume is lost. */
  private void scaledToZero(Service service) {
    killAll(service);
    for (String ephemeral : List.of("tmp", "layer")) {
      deleteTree(service.dir.resolve(ephemeral));
      try {
        writable(service.dir.resolve(ephemeral));
      } catch (IOException e) {
        // best effort
      }
    }
  }

  // --- command exec -----------------------------------------------------------------------------

  private void exec(ServerWebSocket ws) {
    String prefix = "/v1/command-exec/projects/" + PROJECT + "/services/";
    if (!ws.path().startsWith(prefix)) {
      ws.close((short) 1008, "not found");
      return;
    }
    String id = ws.path().substring(prefix.length());
    Exec exec = new Exec(ws, id);
    ws.textMessageHandler(exec::message);
    ws.closeHandler(v -> exec.kill());
  }

  private final class Exec {
    final ServerWebSocket ws;
    final String serviceId;
    final LinkedBlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
    volatile Process process;
    volatile boolean started;

    Exec(ServerWebSocket ws, String serviceId) {
      this.ws = ws;
      this.serviceId = serviceId;
    }

    void message(String text) {
      JsonObject message = new JsonObject(text);
      String type = message.getString("type");
      if (!started) {
        start(message);
        return;
      }
      switch (type) {
        case "payload" -> stdin.add(Base64.getDecoder().decode(message.getString("data")));
        case "stdInEnd" -> stdin.add(new byte[0]);
        default -> send("error", new JsonObject().put("message", "unexpected message " + type));
      }
    }

    void start(JsonObject init) {
      started = true;
      JsonObject data = init.getJsonObject("data", new JsonObject());
      JsonObject auth = data.getJsonObject("auth", new JsonObject());
      if (!"init".equals(init.getString("type"))
          || !"apiToken".equals(auth.getString("type"))
          || !token.equals(auth.getString("apiToken"))) {
        send("init", new JsonObject().put("auth", "failed").put("message", "Invalid API token"));
        ws.close();
        return;
      }
      JsonObject context = data.getJsonObject("context", new JsonObject());
      execContexts.add(context.copy());
      Service service = services.get(serviceId);
      if (service == null) {
        fail("Service not found");
        return;
      }
      if (service.paused || !"COMPLETED".equals(service.deployment)) {
        fail("No running container found for this service");
        return;
      }
      JsonArray command = context.getJsonArray("command");
      if (command == null
          || command.isEmpty()
          || !"none".equals(context.getString("shell"))
          || !Boolean.FALSE.equals(context.getBoolean("tty"))
          || !"base64".equals(context.getString("encoding"))) {
        fail("unsupported command context");
        return;
      }
      List<String> argv = command.stream().map(String::valueOf).toList();
      Thread.ofPlatform().daemon().start(() -> run(service, argv));
    }

    void run(Service service, List<String> argv) {
      Process started;
      try {
        started = new ProcessBuilder(bwrap(service, argv)).start();
      } catch (IOException e) {
        fail("cannot start the command");
        return;
      }
      process = started;
      service.processes.add(started);
      send("init", new JsonObject().put("auth", "successful"));
      Thread in = Thread.ofPlatform().daemon().start(() -> feed(started));
      Thread out =
          Thread.ofPlatform().daemon().start(() -> pump(started.getInputStream(), "stdOut"));
      Thread err =
          Thread.ofPlatform().daemon().start(() -> pump(started.getErrorStream(), "stdErr"));
      try {
        int code = started.waitFor();
        out.join();
        err.join();
        in.interrupt();
        boolean containerGone = !service.processes.remove(started);
        if (containerGone) {
          // scaled to zero or deleted: the connection drops, no completion
          ws.close();
          return;
        }
        send(
            "completion",
            new JsonObject()
                .put("exitCode", code)
                .put("status", code == 0 ? "Success" : "Failure"));
        ws.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void feed(Process p) {
      try (OutputStream to = p.getOutputStream()) {
        while (true) {
          byte[] chunk = stdin.take();
          if (chunk.length == 0) {
            return;
          }
          to.write(chunk);
          to.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the process stopped reading, or ended
      }
    }

    void pump(InputStream from, String type) {
      byte[] buffer = new byte[8192];
      try (from) {
        int read;
        while ((read = from.read(buffer)) != -1) {
          if (read > 0) {
            byte[] chunk = java.util.Arrays.copyOf(buffer, read);
            ws.writeTextMessage(
                    new JsonObject()
                        .put("type", type)
                        .put("data", Base64.getEncoder().encodeToString(chunk))
                        .encode())
                .toCompletionStage()
                .toCompletableFuture()
                .join();
          }
        }
      } catch (IOException | RuntimeException e) {
        // gone
      }
    }

    void fail(String message) {
      send("error", new JsonObject().put("message", message));
      ws.close();
    }

    void send(String type, JsonObject data) {
      if (!ws.isClosed()) {
        ws.writeTextMessage(new JsonObject().put("type", type).put("data", data).encode());
      }
    }

    /** The client went away: Northflank ends the command. */
    void kill() {
      Process p = process;
      if (p != null && p.isAlive()) {
        ProcessTrees.kill(p);
      }
    }
  }

  /**
   * The container: the image's files are the host's {@code /usr}, its home is the volume when one
   * is mounted there (the container's own layer otherwise), its {@code /tmp} its own; every exec of
   * a service sees the same files and processes, as in one container.
   */
  private List<String> bwrap(Service service, List<String> command) {
    String home = NorthflankConfigs.HOME;
    Path homeDir =
        home.equals(service.volumePath)
            ? service.dir.resolve("volume")
            : service.dir.resolve("layer");
    List<String> cmd =
        new ArrayList<>(
            List.of("/usr/bin/bwrap", "--die-with-parent", "--ro-bind", "/usr", "/usr"));
    for (String link : List.of("bin", "lib", "lib64", "sbin")) {
      if (Files.isDirectory(Path.of("/usr", link))) {
        cmd.addAll(List.of("--symlink", "usr/" + link, "/" + link));
      }
    }
    for (String etc : List.of("/etc/alternatives", "/etc/passwd", "/etc/group")) {
      cmd.addAll(List.of("--ro-bind-try", etc, etc));
    }
    cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
    cmd.addAll(List.of("--perms", "0755", "--dir", "/home"));
    cmd.addAll(List.of("--bind", homeDir.toString(), home));
    cmd.addAll(List.of("--bind", service.dir.resolve("tmp").toString(), "/tmp"));
    cmd.addAll(List.of("--chdir", "/", "--clearenv"));
    Map<String, String> env = new TreeMap<>();
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("HOME", home);
    env.put("HOSTNAME", service.id);
    env.putAll(service.env);
    env.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
    cmd.addAll(
        List.of("--", "/usr/bin/setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--"));
    cmd.addAll(command);
    return cmd;
  }

  private void killAll(Service service) {
    List<Process> all = List.copyOf(service.processes);
    service.processes.clear();
    all.forEach(ProcessTrees::kill);
  }

  // --- plumbing ---------------------------------------------------------------------------------

  /** An error status with Northflank's message. */
  static final class Status extends RuntimeException {
    final int status;

    Status(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private void failure(RoutingContext ctx) {
    if (ctx.failure() instanceof Status s) {
      error(ctx, s.status, s.getMessage());
    } else {
      error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, "An internal error has occurred");
    }
  }

  /** Northflank's error body. */
  private static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put(
                    "error",
                    new JsonObject()
                        .put("status", status)
                        .put("message", message)
                        .put("id", UUID.randomUUID().toString()))
                .encode());
  }

  private static void writable(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // best effort
    }
  }

  @Override
  public void close() {
    services.values().forEach(this::killAll);
    server.close().toCompletionStage().toCompletableFuture().join();
  }
}
