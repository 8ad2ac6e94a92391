package dev.remoteclaude.gateway.provider.daytona;

import dev.remoteclaude.gateway.provider.ProcessTrees;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Daytona as its published API and toolbox describe it (api.daytona.io's OpenAPI document and the
 * daemon's toolbox swagger), on a local Vert.x server:
 *
 * <ul>
 *   <li>the API under {@code /api}: {@code POST /sandbox} (creating, then started), {@code GET
 *       /sandbox?labels=}, {@code GET|DELETE /sandbox/{id}}, {@code POST
 *       /sandbox/{id}/start|stop|archive}, {@code POST /sandbox/{id}/autostop/{minutes}}; errors as
 *       the API's filter renders them ({@code path, timestamp, statusCode, error, message}), 429s
 *       with {@code Retry-After};
 *   <li>the toolbox under {@code /toolbox/{sandboxId}} (the sandboxes' {@code toolboxProxyUrl}):
 *       sessions ({@code POST /process/session}, {@code POST /process/session/{id}/exec} with
 *       {@code runAsync}, {@code GET …/command/{cmdId}} and its {@code logs}, followed over a
 *       WebSocket), {@code DELETE /process/session/{id}} killing its process tree, files ({@code
 *       /files/info}, {@code /files/download}, {@code /files/upload} multipart); errors as the
 *       daemon's {@code ErrorResponse}.
 * </ul>
 *
 * Every request must carry {@code Authorization: Bearer <key>}. Commands run for real, in
 * bubblewrap, as uid 1000, with the sandbox's home at {@code /home/daytona} and its own {@code
 * /tmp}; a session's log is written as the daemon writes it: each line of stdout or stderr behind
 * its 3-byte prefix, a newline added to the last one. File operations run inside the sandbox too
 * (the daemon does), so links resolve there. Stopping a sandbox kills its processes and keeps its
 * files.
 */
public final class DaytonaStub implements AutoCloseable {

  static final String HOME = "/home/daytona";
  private static final byte[] OUT = {1, 1, 1};
  private static final byte[] ERR = {2, 2, 2};

  private final Vertx vertx;
  private final Path root;
  private final String key;
  private final HttpServer server;
  private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
  private final List<JsonObject> creates = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();

  private record Fault(int status, String retryAfter, String message) {}

  static final class Sandbox {
    final String id;
    final Path dir;
    final JsonObject labels;
    final Map<String, String> env;
    final Instant createdAt = Instant.now();
    volatile String state = "creating";
    volatile int autoStopInterval;
    final Map<String, Session> sessions = new ConcurrentHashMap<>();

    Sandbox(String id, Path dir, JsonObject labels, Map<String, String> env, int autoStop) {
      this.id = id;
      this.dir = dir;
      this.labels = labels;
      this.env = env;
      this.autoStopInterval = autoStop;
    }
  }

  static final class Session {
    final Map<String, Command> commands = new ConcurrentHashMap<>();
  }

  static final class Command {
    final String id = UUID.randomUUID().toString();
    final String command;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final List<Consumer<byte[]>> followers = new ArrayList<>();
    final List<Runnable> ends = new ArrayList<>();
    volatile Integer exitCode;
    private Process process;
    private boolean killed;

    /** Kills the command's process tree, or the process as soon as it starts. */
    synchronized void kill() {
      killed = true;
      ProcessTrees.kill(process);
    }

    synchronized boolean killed() {
      return killed;
    }

    synchronized void started(Process started) {
      process = started;
      if (killed) {
        ProcessTrees.kill(started);
      }
    }

    Command(String command) {
      this.command = command;
    }

    synchronized void append(byte[] prefix, byte[] line) {
      byte[] entry = new byte[prefix.length + line.length + 1];
      System.arraycopy(prefix, 0, entry, 0, prefix.length);
      System.arraycopy(line, 0, entry, prefix.length, line.length);
      entry[entry.length - 1] = '\n';
      log.writeBytes(entry);
      followers.forEach(f -> f.accept(entry));
    }

    synchronized void exit(int code) {
      exitCode = code;
      ends.forEach(Runnable::run);
      ends.clear();
      followers.clear();
    }

    /** Sends what the log holds, then what comes, then the end; false when already ended. */
    synchronized boolean follow(Consumer<byte[]> follower, Runnable end) {
      if (log.size() > 0) {
        follower.accept(log.toByteArray());
      }
      if (exitCode != null) {
        end.run();
        return false;
      }
      followers.add(follower);
      ends.add(end);
      return true;
    }
  }

  public DaytonaStub(Vertx vertx, Path root) {
    if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
      throw new IllegalStateException(
          "the Daytona stub runs commands in bubblewrap: apt-get install bubblewrap");
    }
    this.vertx = vertx;
    this.root = root;
    this.key = "dtn_" + UUID.randomUUID().toString().replace("-", "");
    Router router = Router.router(vertx);
    router.route().handler(this::authenticate);
    router.post().handler(BodyHandler.create(root.resolve("uploads").toString()));
    router.route("/api/*").handler(this::faults);
    router.post("/api/sandbox").handler(this::create);
    router.get("/api/sandbox").handler(this::list);
    router.get("/api/sandbox/:id").handler(ctx -> ctx.json(json(sandbox(ctx))));
    router.delete("/api/sandbox/:id").handler(this::delete);
    router.post("/api/sandbox/:id/start").handler(ctx -> transition(ctx, "start"));
    router.post("/api/sandbox/:id/stop").handler(ctx -> transition(ctx, "stop"));
    router.post("/api/sandbox/:id/archive").handler(ctx -> transition(ctx, "archive"));
    router.post("/api/sandbox/:id/autostop/:interval").handler(this::autostop);
    router.route("/toolbox/:id/*").handler(this::toolboxSandbox);
    router.post("/toolbox/:id/process/session").handler(this::createSession);
    router.delete("/toolbox/:id/process/session/:sid").handler(this::deleteSession);
    router.post("/toolbox/:id/process/session/:sid/exec").handler(this::execute);
    router.get("/toolbox/:id/process/session/:sid/command/:cid").handler(this::command);
    router.get("/toolbox/:id/process/session/:sid/command/:cid/logs").handler(this::logs);
    router.get("/toolbox/:id/files/info").handler(this::fileInfo);
    router.get("/toolbox/:id/files/download").handler(this::download);
    router.post("/toolbox/:id/files/upload").handler(this::upload);
    router.route().failureHandler(this::failure);
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .join();
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/api";
  }

  public String apiKey() {
    return key;
  }

  /** Every create request body, in order. */
  public List<JsonObject> creates() {
    return creates;
  }

  /**
   * Bytes every download sends after the file's own, as a file growing after its size was asked
   * would, or a toolbox the tenant replaced; 0 = none.
   */
  public volatile int downloadPadding;

  /**
   * A killed command's followed log is never ended, as a daemon that only notices a command's own
   * exit: only the client can close the socket.
   */
  public volatile boolean logsOutliveKills;

  /**
   * Bytes every followed log sends before the command's own, in messages of 64 KiB, as a toolbox
   * the tenant replaced would; null = none.
   */
  public volatile byte[] logPreamble;

  private final Set<ServerWebSocket> logSockets = ConcurrentHashMap.newKeySet();

  /** The log WebSockets open now. */
  public int openLogSockets() {
    return logSockets.size();
  }

  /** Every request, as {@code METHOD path}. */
  public List<String> requests() {
    return requests;
  }

  /** The next {@code times} API requests answer {@code status} (with a Retry-After when given). */
  public void failNext(int status, String retryAfter, int times) {
    failNext(
        status,
        retryAfter,
        status == 429 ? "ThrottlerException: Too Many Requests" : "An unexpected error occurred.",
        times);
  }

  /** The next {@code times} API requests answer {@code status} with Daytona's {@code message}. */
  public void failNext(int status, String retryAfter, String message, int times) {
    for (int i = 0; i < times; i++) {
      faults.add(new Fault(status, retryAfter, message));
    }
  }

  public int autoStopInterval(String id) {
    return sandboxes.get(id).autoStopInterval;
  }

  public String state(String id) {
    Sandbox sandbox = sandboxes.get(id);
    return sandbox == null ? null : sandbox.state;
  }

  /** Daytona's auto-stop fires (or its auto-archive, with {@code archive}). */
  public void autoStop(String id, boolean archive) {
    Sandbox sandbox = sandboxes.get(id);
    killAll(sandbox);
    sandbox.state = archive ? "archived" : "stopped";
  }

  /** The sandbox is deleted at Daytona (by a person, or its auto-delete). */
  public void destroy(String id) {
    Sandbox sandbox = sandboxes.remove(id);
    if (sandbox != null) {
      killAll(sandbox);
      deleteTree(sandbox.dir);
    }
  }

  // --- the API ----------------------------------------------------------------------------------

  private void authenticate(RoutingContext ctx) {
    requests.add(ctx.request().method() + " " + ctx.request().path());
    if (!("Bearer " + key).equals(ctx.request().getHeader("Authorization"))) {
      apiError(ctx, 401, "Unauthorized");
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
    apiError(ctx, fault.status(), fault.message());
  }

  private void create(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    creates.add(body);
    String id = UUID.randomUUID().toString();
    Path dir = root.resolve("sandboxes").resolve(id);
    try {
      writable(dir.resolve("home"));
      writable(dir.resolve("tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> env = new TreeMap<>();
    body.getJsonObject("env", new JsonObject())
        .forEach(e -> env.put(e.getKey(), (String) e.getValue()));
    Sandbox sandbox =
        new Sandbox(
            id,
            dir,
            body.getJsonObject("labels", new JsonObject()),
            env,
            body.getInteger("autoStopInterval", 15));
    sandboxes.put(id, sandbox);
    later(() -> sandbox.state = "started");
    ctx.json(json(sandbox));
  }

  private void list(RoutingContext ctx) {
    String filter = ctx.request().getParam("labels");
    JsonObject labels = filter == null ? new JsonObject() : new JsonObject(filter);
    JsonArray items = new JsonArray();
    for (Sandbox sandbox : sandboxes.values()) {
      boolean matches =
          labels.stream().allMatch(e -> e.getValue().equals(sandbox.labels.getValue(e.getKey())));
      if (matches) {
        items.add(json(sandbox));
      }
    }
    ctx.json(new JsonObject().put("items", items).put("nextCursor", (String) null));
  }

  private void delete(RoutingContext ctx) {
    Sandbox sandbox = sandbox(ctx);
    destroy(sandbox.id);
    sandbox.state = "destroying";
    ctx.json(json(sandbox));
  }

  private void transition(RoutingContext ctx, String action) {
    Sandbox sandbox = sandbox(ctx);
    switch (action) {
      case "start" -> {
        if (!Set.of("stopped", "archived", "started").contains(sandbox.state)) {
          throw new Status(400, "Sandbox is not in a startable state");
        }
        if (!sandbox.state.equals("started")) {
          sandbox.state = "starting";
          later(() -> sandbox.state = "started");
        }
      }
      case "stop" -> {
        if (!sandbox.state.equals("started")) {
          throw new Status(400, "Sandbox is not started");
        }
        sandbox.state = "stopping";
        killAll(sandbox);
        later(() -> sandbox.state = "stopped");
      }
      default -> {
        if (!sandbox.state.equals("stopped")) {
          throw new Status(400, "Sandbox is not stopped");
        }
        sandbox.state = "archived";
      }
    }
    ctx.json(json(sandbox));
  }

  private void autostop(RoutingContext ctx) {
    Sandbox sandbox = sandbox(ctx);
    sandbox.autoStopInterval = Integer.parseInt(ctx.pathParam("interval"));
    ctx.response().setStatusCode(200).end();
  }

  private JsonObject json(Sandbox sandbox) {
    return new JsonObject()
        .put("id", sandbox.id)
        .put("name", sandbox.id)
        .put("organizationId", "stub-organization")
        .put("user", "daytona")
        .put("state", sandbox.state)
        .put("labels", sandbox.labels)
        .put("env", new JsonObject(new java.util.HashMap<>(sandbox.env)))
        .put("autoStopInterval", sandbox.autoStopInterval)
        .put("createdAt", sandbox.createdAt.toString())
        .put("toolboxProxyUrl", "http://127.0.0.1:" + server.actualPort() + "/toolbox");
  }

  private Sandbox sandbox(RoutingContext ctx) {
    Sandbox sandbox = sandboxes.get(ctx.pathParam("id"));
    if (sandbox == null) {
      throw new Status(404, "Sandbox with ID or name " + ctx.pathParam("id") + " not found");
    }
    return sandbox;
  }

  // --- the toolbox ------------------------------------------------------------------------------

  private void toolboxSandbox(RoutingContext ctx) {
    Sandbox sandbox = sandboxes.get(ctx.pathParam("id"));
    if (sandbox == null) {
      throw new Status(404, "sandbox not found");
    }
    if (!sandbox.state.equals("started")) {
      throw new Status(400, "sandbox is not running");
    }
    ctx.put("sandbox", sandbox);
    ctx.next();
  }

  private void createSession(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    String id = ctx.body().asJsonObject().getString("sessionId");
    if (sandbox.sessions.putIfAbsent(id, new Session()) != null) {
      throw new Status(409, "session already exists");
    }
    ctx.response().setStatusCode(201).end();
  }

  private void deleteSession(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    Session session = sandbox.sessions.remove(ctx.pathParam("sid"));
    if (session == null) {
      throw new Status(404, "session not found");
    }
    session.commands.values().forEach(Command::kill);
    ctx.response().setStatusCode(204).end();
  }

  private void execute(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    Session session = session(ctx);
    JsonObject body = ctx.body().asJsonObject();
    boolean async = body.getBoolean("runAsync", false) || body.getBoolean("async", false);
    Command command = new Command(body.getString("command"));
    session.commands.put(command.id, command);
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              run(sandbox, command);
              if (!async) {
                vertx.runOnContext(
                    v ->
                        ctx.json(
                            new JsonObject()
                                .put("cmdId", command.id)
                                .put("exitCode", command.exitCode)
                                .put("output", command.log.toString(StandardCharsets.UTF_8))));
              }
            });
    if (async) {
      ctx.response().setStatusCode(202);
      ctx.json(new JsonObject().put("cmdId", command.id));
    }
  }

  private void command(RoutingContext ctx) {
    Command command = command(ctx, session(ctx));
    ctx.json(
        new JsonObject()
            .put("id", command.id)
            .put("command", command.command)
            .put("exitCode", command.exitCode));
  }

  private void logs(RoutingContext ctx) {
    Command command = command(ctx, session(ctx));
    boolean upgrade = "websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"));
    if (!upgrade) {
      String log;
      synchronized (command) {
        log = command.log.toString(StandardCharsets.ISO_8859_1);
      }
      ctx.json(new JsonObject().put("output", log).put("stdout", "").put("stderr", ""));
      return;
    }
    boolean follow = "true".equals(ctx.request().getParam("follow"));
    io.vertx.core.Context context = vertx.getOrCreateContext();
    ctx.request()
        .toWebSocket()
        .onSuccess(
            (ServerWebSocket ws) -> {
              logSockets.add(ws);
              ws.closeHandler(v -> logSockets.remove(ws));
              // Writes go through the event loop, never under the command's lock (the socket has
              // a lock of its own, taken in the other order by the event loop).
              Consumer<byte[]> send =
                  bytes -> context.runOnContext(v -> ws.writeBinaryMessage(Buffer.buffer(bytes)));
              Runnable end =
                  () -> {
                    if (!(logsOutliveKills && command.killed())) {
                      context.runOnContext(v -> ws.close());
                    }
                  };
              byte[] preamble = logPreamble;
              for (int at = 0; preamble != null && at < preamble.length; at += 65536) {
                send.accept(
                    java.util.Arrays.copyOfRange(
                        preamble, at, Math.min(preamble.length, at + 65536)));
              }
              if (!follow) {
                synchronized (command) {
                  send.accept(command.log.toByteArray());
                }
                end.run();
                return;
              }
              command.follow(send, end);
            });
  }

  private Session session(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    Session session = sandbox.sessions.get(ctx.pathParam("sid"));
    if (session == null) {
      throw new Status(404, "session not found");
    }
    return session;
  }

  private static Command command(RoutingContext ctx, Session session) {
    Command command = session.commands.get(ctx.pathParam("cid"));
    if (command == null) {
      throw new Status(404, "command not found");
    }
    return command;
  }

  private void fileInfo(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    String path = requiredPath(ctx);
    blocking(
        ctx,
        () -> {
          Result stat =
              inSandbox(
                  sandbox,
                  List.of("stat", "-L", "-c", "%s|%F|%a", "--", path),
                  InputStream.nullInputStream());
          if (stat.code != 0) {
            throw new Status(404, "file not found");
          }
          String[] fields = new String(stat.out, StandardCharsets.UTF_8).strip().split("\\|");
          ctx.json(
              new JsonObject()
                  .put("name", Path.of(path).getFileName().toString())
                  .put("size", Long.parseLong(fields[0]))
                  .put("isDir", fields[1].equals("directory"))
                  .put("mode", fields[2])
                  .put("permissions", fields[2])
                  .put("owner", "daytona")
                  .put("group", "daytona")
                  .put("modTime", Instant.now().toString()));
        });
  }

  private void download(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    String path = requiredPath(ctx);
    blocking(
        ctx,
        () -> {
          Result cat =
              inSandbox(
                  sandbox,
                  List.of("sh", "-c", "[ -f \"$1\" ] || exit 3; exec cat -- \"$1\"", "sh", path),
                  InputStream.nullInputStream());
          if (cat.code == 3) {
            throw new Status(404, "file not found");
          }
          if (cat.code != 0) {
            throw new Status(400, new String(cat.err, StandardCharsets.UTF_8).strip());
          }
          ctx.response()
              .putHeader("Content-Type", "application/octet-stream")
              .end(Buffer.buffer(cat.out).appendBytes(new byte[downloadPadding]));
        });
  }

  private void upload(RoutingContext ctx) {
    Sandbox sandbox = ctx.get("sandbox");
    String path = requiredPath(ctx);
    List<FileUpload> files = ctx.fileUploads();
    if (files.size() != 1 || !files.getFirst().name().equals("file")) {
      throw new Status(400, "file is required");
    }
    Path uploaded = Path.of(files.getFirst().uploadedFileName());
    blocking(
        ctx,
        () -> {
          Result write;
          try (InputStream in = Files.newInputStream(uploaded)) {
            write =
                inSandbox(
                    sandbox,
                    List.of(
                        "sh",
                        "-c",
                        "[ ! -d \"$1\" ] || exit 4; mkdir -p -- \"$(dirname -- \"$1\")\" && cat > \"$1\"",
                        "sh",
                        path),
                    in);
          } finally {
            Files.deleteIfExists(uploaded);
          }
          if (write.code != 0) {
            throw new Status(400, "cannot save the file: " + path);
          }
          ctx.json(new JsonObject());
        });
  }

  private static String requiredPath(RoutingContext ctx) {
    String path = ctx.request().getParam("path");
    if (path == null || path.isEmpty()) {
      throw new Status(400, "path is required");
    }
    return path;
  }

  // --- processes in the sandbox -----------------------------------------------------------------

  private record Result(int code, byte[] out, byte[] err) {}

  /** A toolbox operation: a short process inside the sandbox. */
  private Result inSandbox(Sandbox sandbox, List<String> command, InputStream stdin)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(bwrap(sandbox, command, false)).start();
    Thread feeder =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (var in = process.getOutputStream()) {
                    stdin.transferTo(in);
                  } catch (IOException e) {
                    // the process stopped reading
                  }
                });
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errors =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try {
                    process.getErrorStream().transferTo(err);
                  } catch (IOException e) {
                    // gone
                  }
                });
    byte[] out = process.getInputStream().readAllBytes();
    int code = process.waitFor();
    feeder.join();
    errors.join();
    return new Result(code, out, err.toByteArray());
  }

  /** A session command: the daemon's log, line by line behind each stream's prefix. */
  private void run(Sandbox sandbox, Command command) {
    try {
      Process process =
          new ProcessBuilder(bwrap(sandbox, List.of("/bin/sh", "-c", command.command), true))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      command.started(process);
      Thread out =
          Thread.ofPlatform().daemon().start(() -> lines(process.getInputStream(), OUT, command));
      Thread err =
          Thread.ofPlatform().daemon().start(() -> lines(process.getErrorStream(), ERR, command));
      int code = process.waitFor();
      out.join();
      err.join();
      command.exit(code);
    } catch (IOException e) {
      command.exit(126);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void lines(InputStream stream, byte[] prefix, Command command) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (stream) {
      int read;
      while ((read = stream.read(buffer)) != -1) {
        for (int i = 0; i < read; i++) {
          if (buffer[i] == '\n') {
            command.append(prefix, line.toByteArray());
            line.reset();
          } else {
            line.write(buffer[i]);
          }
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    if (line.size() > 0) {
      command.append(prefix, line.toByteArray());
    }
  }

  /**
   * A session's command gets a PID namespace of its own: killing it (the daemon kills a deleted
   * session's process group) takes every process it started along.
   */
  private List<String> bwrap(Sandbox sandbox, List<String> command, boolean ownPids) {
    List<String> cmd =
        new ArrayList<>(
            List.of("/usr/bin/bwrap", "--die-with-parent", "--ro-bind", "/usr", "/usr"));
    if (ownPids) {
      cmd.add("--unshare-pid");
    }
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
    cmd.addAll(List.of("--bind", sandbox.dir.resolve("home").toString(), HOME));
    cmd.addAll(List.of("--bind", sandbox.dir.resolve("tmp").toString(), "/tmp"));
    cmd.addAll(List.of("--chdir", HOME, "--clearenv"));
    Map<String, String> env = new TreeMap<>();
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("HOME", HOME);
    env.put("HOSTNAME", sandbox.id);
    env.putAll(sandbox.env);
    env.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
    cmd.addAll(
        List.of("--", "/usr/bin/setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--"));
    cmd.addAll(command);
    return cmd;
  }

  private void killAll(Sandbox sandbox) {
    sandbox.sessions.values().forEach(s -> s.commands.values().forEach(Command::kill));
    sandbox.sessions.clear();
  }

  // --- plumbing ---------------------------------------------------------------------------------

  /** An error status with Daytona's message. */
  static final class Status extends RuntimeException {
    final int status;

    Status(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private interface Work {
    void run() throws Exception;
  }

  private void blocking(RoutingContext ctx, Work work) {
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try {
                work.run();
              } catch (Status s) {
                vertx.runOnContext(v -> error(ctx, s.status, s.getMessage()));
              } catch (Exception e) {
                vertx.runOnContext(v -> error(ctx, 500, "internal error"));
              }
            });
  }

  private void failure(RoutingContext ctx) {
    if (ctx.failure() instanceof Status s) {
      error(ctx, s.status, s.getMessage());
    } else {
      error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, "An unexpected error occurred.");
    }
  }

  private void error(RoutingContext ctx, int status, String message) {
    if (ctx.request().path().startsWith("/toolbox/")) {
      if (ctx.response().ended()) {
        return;
      }
      // The daemon's ErrorResponse.
      ctx.response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(
              new JsonObject()
                  .put("statusCode", status)
                  .put("message", message)
                  .put("code", codeOf(status))
                  .put("timestamp", Instant.now().toString())
                  .put("path", ctx.request().path())
                  .put("method", ctx.request().method().name())
                  .encode());
    } else {
      apiError(ctx, status, message);
    }
  }

  /** The API's AllExceptionsFilter body. */
  private static void apiError(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("path", ctx.request().uri())
                .put("timestamp", Instant.now().toString())
                .put("statusCode", status)
                .put(
                    "error",
                    io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase())
                .put("message", message)
                .encode());
  }

  private static String codeOf(int status) {
    return switch (status) {
      case 400 -> "BAD_REQUEST";
      case 401 -> "UNAUTHORIZED";
      case 404 -> "NOT_FOUND";
      case 409 -> "CONFLICT";
      default -> "INTERNAL_SERVER_ERROR";
    };
  }

  private void later(Runnable change) {
    vertx.setTimer(150, id -> change.run());
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
    sandboxes.values().forEach(this::killAll);
    server.close().toCompletionStage().toCompletableFuture().join();
  }
}
