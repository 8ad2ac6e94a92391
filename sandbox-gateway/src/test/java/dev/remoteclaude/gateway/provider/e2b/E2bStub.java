package dev.remoteclaude.gateway.provider.e2b;

import dev.remoteclaude.gateway.provider.ProcessTrees;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * E2B as its published API describes it (spec/openapi.yml and envd's spec/envd/envd.yaml and
 * process.proto of e2b-dev/E2B), on one local port:
 *
 * <ul>
 *   <li>the control plane ({@code X-API-Key}): {@code POST /sandboxes}, {@code GET
 *       /sandboxes/{id}}, {@code GET /v2/sandboxes} (metadata and state filters, pages), pause,
 *       connect, timeout, {@code DELETE}, snapshots and {@code DELETE /templates/{id}}; errors as
 *       {@code {"code", "message"}}; a sandbox whose timeout passes is killed (or paused with
 *       autoPause);
 *   <li>envd, for requests whose Host is {@code 49983-<sandbox id>.<domain>} ({@code
 *       X-Access-Token}): {@code GET/POST /files}, and {@code process.Process/Start} (a Connect
 *       server stream in JSON), {@code SendInput}, {@code CloseStdin}, {@code SendSignal}.
 * </ul>
 *
 * A sandbox's processes run for real in bubblewrap, as uid 1000 with the sandbox's home at
 * /home/user, its own /tmp and no network (a VM of its own shares nothing with its neighbours).
 * Pausing (memory-less, as the provider asks) kills them and keeps the files, as a VM reboot would.
 */
public final class E2bStub implements AutoCloseable {

  public static final String API_KEY = "e2b_stub_" + HexFormat.of().formatHex(random(16));
  public static final String DOMAIN = "e2b.test";
  static final String USER_HOME = "/home/user";

  private final Vertx vertx;
  private final Path root;
  private final HttpServer server;
  private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, Path> snapshots = new ConcurrentHashMap<>();
  private final Map<Long, Running> processes = new ConcurrentHashMap<>();

  /** Every control-plane request: method, path and query, JSON body (if any). */
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();

  /** Answers given instead of the real one to the next requests whose path starts with a prefix. */
  private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();

  private record Fault(String method, String pathPrefix, int status, Map<String, String> headers) {}

  private static final class Sandbox {
    final String id;
    final String token = HexFormat.of().formatHex(random(16));
    final String template;
    final JsonObject metadata;
    final JsonObject envVars;
    final boolean autoPause;
    final Path dir;
    final Instant startedAt = Instant.now();
    volatile Instant endAt;
    volatile String state = "running";

    Sandbox(String id, JsonObject body, Path dir) {
      this.id = id;
      this.template = body.getString("templateID");
      this.metadata = body.getJsonObject("metadata", new JsonObject());
      this.envVars = body.getJsonObject("envVars", new JsonObject());
      this.autoPause = body.getBoolean("autoPause", false);
      this.dir = dir;
    }

    Path home() {
      return dir.resolve("home");
    }

    Path tmp() {
      return dir.resolve("tmp");
    }
  }

  private record Running(String sandbox, Process process, boolean[] killedByStub) {}

  public E2bStub(Path root) {
    if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
      throw new IllegalStateException(
          "the stub runs processes in bubblewrap: apt-get install bubblewrap");
    }
    this.root = root;
    this.vertx = Vertx.vertx();
    Router api = Router.router(vertx);
    api.route().handler(BodyHandler.create());
    api.route().handler(this::authenticateApi);
    api.post("/sandboxes").handler(this::create);
    api.get("/v2/sandboxes").handler(this::list);
    api.get("/sandboxes/:id").handler(this::detail);
    api.delete("/sandboxes/:id").handler(this::kill);
    api.post("/sandboxes/:id/pause").handler(this::pause);
    api.post("/sandboxes/:id/connect").handler(this::connect);
    api.post("/sandboxes/:id/timeout").handler(this::timeout);
    api.post("/sandboxes/:id/snapshots").handler(this::snapshot);
    api.delete("/templates/:id").handler(this::deleteTemplate);
    Router envd = Router.router(vertx);
    envd.route()
        .handler(BodyHandler.create().setUploadsDirectory(root.resolve("uploads").toString()));
    envd.route().handler(this::authenticateEnvd);
    envd.get("/files").blockingHandler(this::download, false);
    envd.post("/files").blockingHandler(this::upload, false);
    envd.post("/process.Process/Start").handler(this::start);
    envd.post("/process.Process/SendInput").handler(this::sendInput);
    envd.post("/process.Process/CloseStdin").handler(this::closeStdin);
    envd.post("/process.Process/SendSignal").handler(this::sendSignal);
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(request -> (isEnvd(request) ? envd : api).handle(request))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    vertx.setPeriodic(200, t -> reclaimTimedOut());
  }

  public int port() {
    return server.actualPort();
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** Control-plane requests received, in order ({@code method}, {@code uri}, {@code body}). */
  public List<JsonObject> requests() {
    return requests;
  }

  /** The next {@code times} requests to {@code method pathPrefix...} get this status instead. */
  public void failNext(
      String method, String pathPrefix, int status, Map<String, String> headers, int times) {
    for (int i = 0; i < times; i++) {
      faults.add(new Fault(method, pathPrefix, status, headers));
    }
  }

  /** Forgets the failures {@link #failNext} queued and not yet given. */
  public void clearFaults() {
    faults.clear();
  }

  /** When E2B will reclaim the sandbox (its timeout), or null when it has none. */
  public Instant endAt(String id) {
    Sandbox sandbox = sandboxes.get(id);
    return sandbox == null ? null : sandbox.endAt;
  }

  // --- control plane --------------------------------------------------------------------------

  private static boolean isEnvd(HttpServerRequest request) {
    String host = request.authority() == null ? "" : request.authority().host();
    return host.startsWith("49983-") && host.endsWith("." + DOMAIN);
  }

  private void authenticateApi(RoutingContext ctx) {
    JsonObject seen =
        new JsonObject()
            .put("method", ctx.request().method().name())
            .put("uri", ctx.request().uri())
            .put("at", System.currentTimeMillis());
    if (ctx.body().length() > 0) {
      seen.put("body", ctx.body().asJsonObject());
    }
    requests.add(seen);
    if (!API_KEY.equals(ctx.request().getHeader("X-API-Key"))) {
      error(ctx, 401, "Invalid API key, it must start with 'e2b_' prefix");
      return;
    }
    for (Fault fault : faults) {
      if (fault.method().equals(ctx.request().method().name())
          && ctx.request().path().startsWith(fault.pathPrefix())
          && faults.remove(fault)) {
        fault.headers().forEach(ctx.response()::putHeader);
        error(
            ctx,
            fault.status(),
            fault.status() == 429 ? "Rate limit exceeded" : "Internal server error");
        return;
      }
    }
    ctx.next();
  }

  private void create(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String template = body == null ? null : body.getString("templateID");
    if (template == null || template.isBlank()) {
      error(ctx, 400, "templateID is required");
      return;
    }
    Path snapshot = snapshots.get(template);
    if (snapshot == null && !template.equals("base") && !template.equals("rc-claude")) {
      error(ctx, 404, "template '" + template + "' not found");
      return;
    }
    String id = "i" + HexFormat.of().formatHex(random(10));
    Sandbox sandbox = new Sandbox(id, body, root.resolve("sandboxes").resolve(id));
    try {
      writable(sandbox.tmp());
      if (snapshot != null) {
        copyTree(snapshot, sandbox.home());
      } else {
        writable(sandbox.home());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sandbox.endAt = Instant.now().plusSeconds(body.getLong("timeout", 15L));
    sandboxes.put(id, sandbox);
    ctx.response()
        .setStatusCode(201)
        .putHeader("Content-Type", "application/json")
        .end(created(sandbox).encode());
  }

  private static JsonObject created(Sandbox sandbox) {
    return new JsonObject()
        .put("templateID", sandbox.template)
        .put("sandboxID", sandbox.id)
        .put("clientID", "6532622b")
        .put("envdVersion", "0.2.4")
        .put("envdAccessToken", sandbox.token)
        .putNull("domain");
  }

  private static JsonObject listed(Sandbox sandbox) {
    return new JsonObject()
        .put("templateID", sandbox.template)
        .put("sandboxID", sandbox.id)
        .put("clientID", "6532622b")
        .put("startedAt", sandbox.startedAt.toString())
        .put("endAt", sandbox.endAt.toString())
        .put("cpuCount", 2)
        .put("memoryMB", 512)
        .put("diskSizeMB", 1024)
        .put("metadata", sandbox.metadata)
        .put("state", sandbox.state)
        .put("envdVersion", "0.2.4");
  }

  private Sandbox found(RoutingContext ctx) {
    Sandbox sandbox = sandboxes.get(ctx.pathParam("id"));
    if (sandbox == null) {
      error(
          ctx,
          404,
          "sandbox \"" + ctx.pathParam("id") + "\" doesn't exist or you don't have access to it");
    }
    return sandbox;
  }

  private void detail(RoutingContext ctx) {
    Sandbox sandbox = found(ctx);
    if (sandbox != null) {
      json(ctx, 200, listed(sandbox).put("envdAccessToken", sandbox.token).putNull("domain"));
    }
  }

  private void list(RoutingContext ctx) {
    Map<String, String> wanted = new TreeMap<>();
    String metadata = ctx.request().getParam("metadata");
    if (metadata != null) {
      for (String pair : metadata.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          error(ctx, 400, "invalid metadata query");
          return;
        }
        wanted.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    String states = ctx.request().getParam("state", "running,paused");
    int limit = Integer.parseInt(ctx.request().getParam("limit", "100"));
    int offset = Integer.parseInt(ctx.request().getParam("nextToken", "0"));
    List<Sandbox> matching =
        sandboxes.values().stream()
            .filter(s -> List.of(states.split(",")).contains(s.state))
            .filter(
                s ->
                    wanted.entrySet().stream()
                        .allMatch(e -> e.getValue().equals(s.metadata.getString(e.getKey()))))
            .sorted(Comparator.comparing((Sandbox s) -> s.startedAt).reversed())
            .toList();
    JsonArray page = new JsonArray();
    matching.stream().skip(offset).limit(limit).forEach(s -> page.add(listed(s)));
    if (offset + limit < matching.size()) {
      ctx.response().putHeader("X-Next-Token", Integer.toString(offset + limit));
    }
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .setStatusCode(200)
        .end(page.encode());
  }

  private void pause(RoutingContext ctx) {
    Sandbox sandbox = found(ctx);
    if (sandbox == null) {
      return;
    }
    if (!sandbox.state.equals("running")) {
      error(ctx, 409, "sandbox \"" + sandbox.id + "\" is already paused");
      return;
    }
    JsonObject body = ctx.body().length() > 0 ? ctx.body().asJsonObject() : new JsonObject();
    if (body.getBoolean("memory", true)) {
      // A full memory snapshot: on resume its processes go on where they were.
      sandbox.state = "paused";
    } else {
      stop(sandbox, "paused");
    }
    ctx.response().setStatusCode(204).end();
  }

  private void connect(RoutingContext ctx) {
    Sandbox sandbox = found(ctx);
    if (sandbox == null) {
      return;
    }
    JsonObject body = ctx.body().asJsonObject();
    if (body == null || !body.containsKey("timeout")) {
      error(ctx, 400, "timeout is required");
      return;
    }
    Instant end = Instant.now().plusSeconds(body.getLong("timeout"));
    boolean resumed = sandbox.state.equals("paused");
    if (resumed) {
      sandbox.state = "running";
      sandbox.endAt = end;
    } else if (end.isAfter(sandbox.endAt)) {
      sandbox.endAt = end; // connect only ever extends a running sandbox's timeout
    }
    json(ctx, resumed ? 201 : 200, created(sandbox));
  }

  private void timeout(RoutingContext ctx) {
    Sandbox sandbox = found(ctx);
    if (sandbox == null) {
      return;
    }
    JsonObject body = ctx.body().asJsonObject();
    if (body == null || body.getLong("timeout") == null) {
      error(ctx, 400, "timeout is required");
      return;
    }
    sandbox.endAt = Instant.now().plusSeconds(body.getLong("timeout"));
    ctx.response().setStatusCode(204).end();
  }

  private void kill(RoutingContext ctx) {
    Sandbox sandbox = found(ctx);
    if (sandbox != null) {
      remove(sandbox);
      ctx.response().setStatusCode(204).end();
    }
  }

  private void snapshot(RoutingContext ctx) {
    Sandbox sandbox = found(ctx);
    if (sandbox == null) {
      return;
    }
    String template = HexFormat.of().formatHex(random(10));
    String id = template + ":default";
    try {
      copyTree(sandbox.home(), root.resolve("snapshots").resolve(template));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    snapshots.put(id, root.resolve("snapshots").resolve(template));
    json(
        ctx,
        201,
        new JsonObject()
            .put("snapshotID", id)
            .put("names", new JsonArray().add("stub-team/" + id)));
  }

  private void deleteTemplate(RoutingContext ctx) {
    Path snapshot = snapshots.remove(ctx.pathParam("id"));
    if (snapshot == null) {
      error(ctx, 404, "template '" + ctx.pathParam("id") + "' not found");
      return;
    }
    deleteTree(snapshot);
    ctx.response().setStatusCode(204).end();
  }

  /** E2B's timeout: a sandbox past it is killed, or paused when it was created with autoPause. */
  private void reclaimTimedOut() {
    Instant now = Instant.now();
    for (Sandbox sandbox : sandboxes.values()) {
      if (sandbox.state.equals("running") && sandbox.endAt.isBefore(now)) {
        if (sandbox.autoPause) {
          stop(sandbox, "paused");
        } else {
          remove(sandbox);
        }
      }
    }
  }

  private void stop(Sandbox sandbox, String state) {
    sandbox.state = state;
    processes.values().stream()
        .filter(p -> p.sandbox().equals(sandbox.id))
        .forEach(
            p -> {
              p.killedByStub()[0] = true;
              ProcessTrees.kill(p.process());
            });
    // The VM reboots on resume: /tmp is empty again.
    deleteTree(sandbox.tmp());
    try {
      writable(sandbox.tmp());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void remove(Sandbox sandbox) {
    sandboxes.remove(sandbox.id);
    stop(sandbox, "killed");
    deleteTree(sandbox.dir);
  }

  // --- envd -----------------------------------------------------------------------------------

  private Sandbox envdSandbox(RoutingContext ctx) {
    String host = ctx.request().authority().host();
    String id = host.substring("49983-".length(), host.length() - DOMAIN.length() - 1);
    return sandboxes.get(id);
  }

  private void authenticateEnvd(RoutingContext ctx) {
    Sandbox sandbox = envdSandbox(ctx);
    if (sandbox == null || !sandbox.state.equals("running")) {
      // E2B's edge proxy: no running sandbox behind this host.
      error(ctx, 502, "The sandbox was not found");
      return;
    }
    if (!sandbox.token.equals(ctx.request().getHeader("X-Access-Token"))) {
      error(ctx, 401, "unauthorized access, please provide a valid access token");
      return;
    }
    String basic =
        "Basic " + Base64.getEncoder().encodeToString("user:".getBytes(StandardCharsets.UTF_8));
    if (!basic.equals(ctx.request().getHeader("Authorization"))) {
      error(ctx, 401, "error looking up user: the requests act as 'user'");
      return;
    }
    ctx.put("sandbox", sandbox);
    ctx.next();
  }

  private void download(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    String path = ctx.request().getParam("path");
    if (!"user".equals(ctx.request().getParam("username"))) {
      error(ctx, 401, "error looking up user");
      return;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        runToEnd(
            sandbox,
            List.of(
                "sh",
                "-c",
                "[ -d \"$1\" ] && exit 3; [ -e \"$1\" ] || exit 4; exec cat -- \"$1\"",
                "sh",
                path),
            new byte[0],
            out);
    switch (code) {
      case 0 ->
          ctx.response()
              .putHeader("Content-Type", "application/octet-stream")
              .end(Buffer.buffer(out.toByteArray()));
      case 3 -> error(ctx, 400, "path '" + path + "' is a directory");
      case 4 -> error(ctx, 404, "path '" + path + "' does not exist");
      default -> error(ctx, 500, "error opening file '" + path + "'");
    }
  }

  private void upload(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    String path = ctx.request().getParam("path");
    var uploads = ctx.fileUploads();
    if (uploads.size() != 1 || !uploads.get(0).name().equals("file") || path == null) {
      error(ctx, 400, "expected one multipart file field 'file' and a path");
      return;
    }
    byte[] content;
    try {
      content = Files.readAllBytes(Path.of(uploads.get(0).uploadedFileName()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int code =
        runToEnd(
            sandbox,
            List.of("sh", "-c", "mkdir -p -- \"$(dirname -- \"$1\")\" && cat > \"$1\"", "sh", path),
            content,
            OutputStream.nullOutputStream());
    if (code != 0) {
      error(ctx, 400, "cannot write '" + path + "'");
      return;
    }
    json(
        ctx,
        200,
        new JsonArray()
            .add(
                new JsonObject()
                    .put("path", path)
                    .put("name", Path.of(path).getFileName().toString())
                    .put("type", "file")));
  }

  private void start(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    if (!"application/connect+json".equals(ctx.request().getHeader("Content-Type"))) {
      ctx.response().setStatusCode(415).end();
      return;
    }
    Buffer body = ctx.body().buffer();
    if (body.length() < 5 || body.getInt(1) != body.length() - 5) {
      connectError(ctx, 400, "invalid_argument", "malformed envelope");
      return;
    }
    JsonObject message = new JsonObject(body.slice(5, body.length()));
    JsonObject config = message.getJsonObject("process");
    List<String> command = new ArrayList<>();
    command.add(config.getString("cmd"));
    config.getJsonArray("args", new JsonArray()).forEach(a -> command.add((String) a));
    Map<String, String> env = new TreeMap<>();
    sandbox.envVars.forEach(e -> env.put(e.getKey(), (String) e.getValue()));
    config
        .getJsonObject("envs", new JsonObject())
        .forEach(e -> env.put(e.getKey(), (String) e.getValue()));
    String cwd = config.getString("cwd", USER_HOME);
    Process process;
    try {
      process = new ProcessBuilder(bwrap(sandbox, cwd, env, command)).start();
    } catch (IOException e) {
      connectError(ctx, 500, "internal", "could not start the process");
      return;
    }
    boolean[] killed = new boolean[1];
    processes.put(process.pid(), new Running(sandbox.id, process, killed));
    if (!message.getBoolean("stdin", true)) {
      try {
        process.getOutputStream().close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    var response =
        ctx.response().setChunked(true).putHeader("Content-Type", "application/connect+json");
    response.write(
        ConnectFrames.frame(0, event("start", new JsonObject().put("pid", process.pid()))));
    Thread out =
        Thread.ofPlatform()
            .daemon()
            .start(() -> pump(process.getInputStream(), "stdout", response));
    Thread err =
        Thread.ofPlatform()
            .daemon()
            .start(() -> pump(process.getErrorStream(), "stderr", response));
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try {
                int code = process.waitFor();
                out.join();
                err.join();
                processes.remove(process.pid());
                JsonObject end =
                    killed[0]
                        ? new JsonObject().put("exitCode", -1).put("status", "signal: killed")
                        : new JsonObject().put("exited", true).put("status", "exit status " + code);
                if (!killed[0] && code != 0) {
                  end.put("exitCode", code);
                }
                synchronized (response) {
                  response.write(ConnectFrames.frame(0, event("end", end)));
                  response.end(ConnectFrames.frame(ConnectFrames.END_STREAM, new JsonObject()));
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                // the client went away
              }
            });
  }

  private static JsonObject event(String kind, JsonObject value) {
    return new JsonObject().put("event", new JsonObject().put(kind, value));
  }

  private static void pump(
      InputStream stream, String kind, io.vertx.core.http.HttpServerResponse response) {
    byte[] buffer = new byte[8192];
    try (stream) {
      int read;
      while ((read = stream.read(buffer)) != -1) {
        String data = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer, read));
        synchronized (response) {
          response.write(ConnectFrames.frame(0, event("data", new JsonObject().put(kind, data))));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process or the client is gone
    }
  }

  private Running selected(RoutingContext ctx) {
    if (!"application/json".equals(ctx.request().getHeader("Content-Type"))) {
      ctx.response().setStatusCode(415).end();
      return null;
    }
    JsonObject body = ctx.body().asJsonObject();
    long pid = body.getJsonObject("process", new JsonObject()).getLong("pid", 0L);
    Running running = processes.get(pid);
    Sandbox sandbox = ctx.get("sandbox");
    if (running == null || !running.sandbox().equals(sandbox.id)) {
      connectError(ctx, 404, "not_found", "process with pid " + pid + " not found");
      return null;
    }
    return running;
  }

  private void sendInput(RoutingContext ctx) {
    Running running = selected(ctx);
    if (running == null) {
      return;
    }
    byte[] input =
        Base64.getDecoder()
            .decode(ctx.body().asJsonObject().getJsonObject("input").getString("stdin", ""));
    try {
      running.process().getOutputStream().write(input);
      running.process().getOutputStream().flush();
    } catch (IOException e) {
      connectError(ctx, 400, "failed_precondition", "stdin is closed");
      return;
    }
    json(ctx, 200, new JsonObject());
  }

  private void closeStdin(RoutingContext ctx) {
    Running running = selected(ctx);
    if (running == null) {
      return;
    }
    try {
      running.process().getOutputStream().close();
    } catch (IOException ignored) {
      // already closed
    }
    json(ctx, 200, new JsonObject());
  }

  private void sendSignal(RoutingContext ctx) {
    Running running = selected(ctx);
    if (running == null) {
      return;
    }
    String signal = ctx.body().asJsonObject().getString("signal", "");
    if (signal.equals("SIGNAL_SIGKILL")) {
      running.killedByStub()[0] = true;
      running.process().destroyForcibly();
    } else if (signal.equals("SIGNAL_SIGTERM")) {
      running.process().destroy();
    } else {
      connectError(ctx, 400, "invalid_argument", "unsupported signal " + signal);
      return;
    }
    json(ctx, 200, new JsonObject());
  }

  // --- processes ------------------------------------------------------------------------------

  private int runToEnd(Sandbox sandbox, List<String> command, byte[] stdin, OutputStream out) {
    try {
      Process process = new ProcessBuilder(bwrap(sandbox, USER_HOME, Map.of(), command)).start();
      processes.put(process.pid(), new Running(sandbox.id, process, new boolean[1]));
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin);
      }
      process.getInputStream().transferTo(out);
      int code = process.waitFor();
      processes.remove(process.pid());
      return code;
    } catch (IOException e) {
      return 126;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 126;
    }
  }

  /** The sandbox's "VM": /usr of the host, its home, its /tmp, no network, uid 1000. */
  private List<String> bwrap(
      Sandbox sandbox, String cwd, Map<String, String> env, List<String> command) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/usr/bin/bwrap",
                "--die-with-parent",
                "--unshare-net",
                "--ro-bind",
                "/usr",
                "/usr"));
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
    cmd.addAll(List.of("--bind", sandbox.home().toString(), USER_HOME));
    cmd.addAll(List.of("--bind", sandbox.tmp().toString(), "/tmp"));
    cmd.addAll(List.of("--chdir", cwd, "--clearenv"));
    Map<String, String> all = new TreeMap<>();
    all.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    all.put("HOME", USER_HOME);
    all.put("USER", "user");
    all.putAll(env);
    all.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
    cmd.addAll(
        List.of("--", "/usr/bin/setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--"));
    cmd.addAll(command);
    return cmd;
  }

  // --- helpers --------------------------------------------------------------------------------

  private static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("code", status).put("message", message));
  }

  private static void connectError(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("code", code).put("message", message));
  }

  private static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode());
  }

  private static byte[] random(int bytes) {
    byte[] value = new byte[bytes];
    new SecureRandom().nextBytes(value);
    return value;
  }

  private static void writable(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  /** Copies a home (a snapshot is the sandbox's disk), keeping it writable for uid 1000. */
  private static void copyTree(Path from, Path to) throws IOException {
    writable(to);
    Process cp = new ProcessBuilder("cp", "-a", from.toString() + "/.", to.toString()).start();
    try {
      if (cp.waitFor() != 0) {
        throw new IOException(
            "cp failed: " + new String(cp.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
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
    processes.values().forEach(p -> ProcessTrees.kill(p.process()));
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
