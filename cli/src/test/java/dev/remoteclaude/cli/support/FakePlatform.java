package dev.remoteclaude.cli.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.remoteclaude.cli.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small in-process fake of the platform's public API (our own API, see the resource classes of
 * session-service, task-service and sandbox-gateway): sessions, tasks, the event log over REST and
 * WebSocket ({@code ?after=} cursor, heartbeats), commands and files, with knobs to drop stream
 * connections (4008 or 1001), replay already-sent events again, and answer with problem+json.
 */
public final class FakePlatform implements AutoCloseable {

  public static final String TOKEN = "good-token";

  private static final ObjectMapper JSON = Json.mapper();
  private static final Pattern WS_PATH = Pattern.compile("^/ws/sessions/([^/]+)$");

  /** How the next stream connection misbehaves. */
  public record Drop(int afterMessages, short code, boolean replayFromZero) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final int port;
  private final Map<UUID, ObjectNode> sessions = new LinkedHashMap<>();
  private final Map<UUID, ObjectNode> repositories = new LinkedHashMap<>();
  private final Map<UUID, List<ObjectNode>> logs = new HashMap<>();
  private final Map<UUID, ObjectNode> tasks = new LinkedHashMap<>();
  private final Map<String, byte[]> files = new HashMap<>();
  private final Deque<Drop> drops = new ArrayDeque<>();
  private final List<Long> streamCursors = new CopyOnWriteArrayList<>();
  private final List<Integer> rejections = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final Map<UUID, List<Live>> live = new HashMap<>();
  private final Map<String, JsonNode> lastBodies = new HashMap<>();
  private final Map<String, Answer> answers = new HashMap<>();

  /** A fixed answer to one request (billing-service's endpoints, which the fake does not model). */
  private record Answer(int status, String contentType, String body) {}

  /** What a submitted task produces on the stream: (type, data) after task.queued. */
  private Function<UUID, List<Object[]>> taskScript = taskId -> List.of();

  private ObjectNode commandResult;
  private long heartbeatTimer = -1;

  private final class Live {
    final ServerWebSocket socket;
    final Drop drop;
    int sent;
    boolean closed;

    Live(ServerWebSocket socket, Drop drop) {
      this.socket = socket;
      this.drop = drop;
    }
  }

  public FakePlatform() {
    this(0);
  }

  /** A fake on a given port (0: any free one). */
  public FakePlatform(int listenPort) {
    server = vertx.createHttpServer();
    server.webSocketHandler(this::stream);
    server.requestHandler(this::http);
    try {
      server
          .listen(listenPort, "127.0.0.1")
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    port = server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Sends a heartbeat to every stream every {@code millis}. */
  public FakePlatform heartbeats(long millis) {
    heartbeatTimer =
        vertx.setPeriodic(
            millis,
            id -> {
              String beat = "{\"type\":\"heartbeat\",\"at\":\"" + Instant.now() + "\"}";
              synchronized (this) {
                live.values().forEach(list -> list.forEach(l -> write(l, beat, false)));
              }
            });
    return this;
  }

  // --- state the tests set up and look at ---

  public UUID session(String state) {
    UUID id = UUID.randomUUID();
    session(id, state);
    return id;
  }

  public synchronized void session(UUID id, String state) {
    ObjectNode s = JSON.createObjectNode();
    s.put("id", id.toString());
    s.put("state", state);
    s.put("repositoryUrl", "https://example.com/acme/app.git");
    s.put("branch", "main");
    s.put("provider", "local");
    s.put("idleTimeout", "PT5M");
    s.put("maxLifetime", "PT12H");
    s.put("createdAt", Instant.now().toString());
    s.put("expiresAt", Instant.now().plusSeconds(3600).toString());
    s.putArray("environmentVariables");
    s.put("setupCommandCount", 0);
    sessions.put(id, s);
    logs.put(id, new ArrayList<>());
  }

  public synchronized void state(UUID sessionId, String state) {
    sessions.get(sessionId).put("state", state);
  }

  /** Appends an event to a session's log and pushes it to the open streams; returns its seq. */
  public long append(UUID sessionId, String type, UUID taskId, Object data) {
    ObjectNode event;
    List<Live> targets;
    synchronized (this) {
      List<ObjectNode> log = logs.get(sessionId);
      event = JSON.createObjectNode();
      event.put("seq", log.size() + 1);
      event.put("type", type);
      event.put("taskId", taskId == null ? null : taskId.toString());
      event.put("at", Instant.now().toString());
      event.set("data", JSON.valueToTree(data == null ? Map.of() : data));
      log.add(event);
      targets = new ArrayList<>(live.getOrDefault(sessionId, List.of()));
    }
    String text = event.toString();
    for (Live l : targets) {
      synchronized (this) {
        write(l, text, true);
      }
    }
    return event.get("seq").asLong();
  }

  public synchronized List<ObjectNode> log(UUID sessionId) {
    return List.copyOf(logs.get(sessionId));
  }

  public synchronized void taskScript(Function<UUID, List<Object[]>> script) {
    this.taskScript = script;
  }

  public synchronized void commandResult(
      int exitCode, String stdout, String stderr, boolean timedOut) {
    commandResult = JSON.createObjectNode();
    commandResult.put("commandId", UUID.randomUUID().toString());
    commandResult.put("exitCode", exitCode);
    commandResult.put("stdout", stdout);
    commandResult.put("stderr", stderr);
    commandResult.put("durationMs", 12);
    commandResult.put("timedOut", timedOut);
    commandResult.put("truncated", false);
  }

  public synchronized void task(UUID taskId, String state) {
    tasks.get(taskId).put("state", state);
  }

  public synchronized ObjectNode task(UUID taskId) {
    return tasks.get(taskId);
  }

  public synchronized List<UUID> tasks() {
    return tasks.keySet().stream().toList();
  }

  public synchronized void file(String path, byte[] content) {
    files.put(path, content);
  }

  public synchronized byte[] file(String path) {
    return files.get(path);
  }

  /** The next stream connections misbehave in this order. */
  public synchronized void drop(Drop... plan) {
    drops.addAll(List.of(plan));
  }

  /** The {@code after} cursor of each stream connection, in order. */
  public List<Long> streamCursors() {
    return List.copyOf(streamCursors);
  }

  public synchronized int openStreams(UUID sessionId) {
    return (int) live.getOrDefault(sessionId, List.of()).stream().filter(l -> !l.closed).count();
  }

  /** The status of every refused stream upgrade, in order. */
  public List<Integer> rejections() {
    return List.copyOf(rejections);
  }

  /** "METHOD path?query" of every HTTP request. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Answers {@code "METHOD /path"} (any query) with this status, content type and body. */
  public synchronized void answer(
      String methodAndPath, int status, String contentType, String body) {
    answers.put(methodAndPath, new Answer(status, contentType, body));
  }

  public synchronized JsonNode lastBody(String methodAndPath) {
    return lastBodies.get(methodAndPath);
  }

  // --- the stream ---

  private void stream(ServerWebSocket ws) {
    Matcher m = WS_PATH.matcher(ws.path());
    if (!m.matches()) {
      rejections.add(404);
      ws.reject(404);
      return;
    }
    if (!("Bearer " + TOKEN).equals(ws.headers().get("Authorization"))) {
      rejections.add(401);
      ws.reject(401);
      return;
    }
    UUID sessionId;
    try {
      sessionId = UUID.fromString(m.group(1));
    } catch (IllegalArgumentException e) {
      rejections.add(404);
      ws.reject(404);
      return;
    }
    long after = 0;
    String query = ws.query();
    if (query != null) {
      for (String part : query.split("&")) {
        if (part.startsWith("after=")) {
          after = Long.parseLong(part.substring(6));
        }
      }
    }
    synchronized (this) {
      if (!sessions.containsKey(sessionId)) {
        rejections.add(404);
        ws.reject(404);
        return;
      }
      streamCursors.add(after);
      Drop drop = drops.poll();
      Live l = new Live(ws, drop);
      live.computeIfAbsent(sessionId, k -> new CopyOnWriteArrayList<>()).add(l);
      ws.closeHandler(v -> l.closed = true);
      long from = drop != null && drop.replayFromZero() ? 0 : after;
      for (ObjectNode event : logs.get(sessionId)) {
        if (event.get("seq").asLong() > from) {
          write(l, event.toString(), true);
        }
      }
    }
  }

  private void write(Live l, String text, boolean event) {
    if (l.closed) {
      return;
    }
    l.socket.writeTextMessage(text);
    if (event) {
      l.sent++;
      if (l.drop != null && l.drop.afterMessages() > 0 && l.sent >= l.drop.afterMessages()) {
        l.closed = true;
        l.socket.close(l.drop.code(), "dropped by the test");
      }
    }
  }

  // --- REST ---

  private void http(HttpServerRequest req) {
    req.body()
        .onSuccess(body -> respond(req, body))
        .onFailure(e -> req.response().setStatusCode(500).end());
  }

  private void respond(HttpServerRequest req, Buffer body) {
    String path = req.path();
    String method = req.method().name();
    requests.add(method + " " + req.uri());
    if (!("Bearer " + TOKEN).equals(req.getHeader("Authorization"))) {
      problem(req, 401, "Unauthorized", "a valid bearer token is required", null);
      return;
    }
    synchronized (this) {
      if (body.length() > 0 && !path.contains("/files")) {
        lastBodies.put(method + " " + path, Json.parseOrNull(body.toString()));
      }
    }
    Answer answer;
    synchronized (this) {
      answer = answers.get(method + " " + path);
    }
    if (answer != null) {
      req.response()
          .setStatusCode(answer.status())
          .putHeader("Content-Type", answer.contentType())
          .end(answer.body());
      return;
    }
    String[] p = path.split("/");
    // p: "", api, v1, sessions|tasks, {id}, action...
    try {
      if (p.length >= 4 && p[3].equals("repositories")) {
        repositories(req, method, p, Json.parseOrNull(body.toString()));
      } else if (path.equals("/api/v1/sessions") && method.equals("GET")) {
        listSessions(req);
      } else if (path.equals("/api/v1/sessions") && method.equals("POST")) {
        createSession(req, Json.parseOrNull(body.toString()));
      } else if (p.length >= 5 && p[3].equals("sessions")) {
        UUID id = UUID.fromString(p[4]);
        ObjectNode session;
        synchronized (this) {
          session = sessions.get(id);
        }
        if (session == null) {
          problem(req, 404, "Not Found", "session " + id + " was not found", null);
          return;
        }
        String action = p.length > 5 ? p[5] : "";
        switch (method + " " + action) {
          case "GET " -> json(req, 200, session);
          case "DELETE " -> {
            session.put("state", "TERMINATING");
            json(req, 202, session);
          }
          case "POST pause" -> {
            if (!session.get("state").asText().equals("READY")) {
              problem(
                  req,
                  409,
                  "Conflict",
                  "a session in state " + session.get("state").asText() + " cannot be paused",
                  null);
              return;
            }
            session.put("state", "PAUSING");
            json(req, 202, session);
          }
          case "POST resume" -> {
            session.put("state", "RESUMING");
            json(req, 202, session);
          }
          case "POST extend" -> json(req, 200, session);
          case "GET events" -> events(req, id);
          case "POST tasks" -> submit(req, id, Json.parseOrNull(body.toString()));
          case "GET tasks" -> {
            ArrayNode list = JSON.createArrayNode();
            synchronized (this) {
              tasks.values().stream()
                  .filter(t -> t.get("sessionId").asText().equals(id.toString()))
                  .forEach(list::add);
            }
            json(req, 200, list);
          }
          case "POST commands" -> {
            synchronized (this) {
              json(req, 200, commandResult);
            }
          }
          case "GET files" -> {
            byte[] content = file(req.getParam("path"));
            if (content == null) {
              problem(req, 404, "Not Found", "file was not found", null);
            } else {
              req.response()
                  .putHeader("Content-Type", "application/octet-stream")
                  .end(Buffer.buffer(content));
            }
          }
          case "PUT files" -> {
            file(req.getParam("path"), body.getBytes());
            req.response().setStatusCode(204).end();
          }
          default -> problem(req, 404, "Not Found", "no such resource", null);
        }
      } else if (p.length >= 5 && p[3].equals("tasks")) {
        UUID id = UUID.fromString(p[4]);
        ObjectNode task;
        synchronized (this) {
          task = tasks.get(id);
        }
        if (task == null) {
          problem(req, 404, "Not Found", "task " + id + " was not found", null);
          return;
        }
        if (method.equals("GET") && p.length == 5) {
          json(req, 200, task);
        } else if (method.equals("POST") && p.length == 6 && p[5].equals("cancel")) {
          task.put("state", "CANCELLED");
          json(req, 200, task);
        } else {
          problem(req, 404, "Not Found", "no such resource", null);
        }
      } else {
        problem(req, 404, "Not Found", "no such resource", null);
      }
    } catch (IllegalArgumentException e) {
      problem(req, 404, "Not Found", "no such resource", null);
    }
  }

  private void listSessions(HttpServerRequest req) {
    ObjectNode page = JSON.createObjectNode();
    ArrayNode items = page.putArray("items");
    synchronized (this) {
      sessions.values().forEach(items::add);
    }
    page.put("page", 0);
    page.put("size", 20);
    page.put("total", items.size());
    json(req, 200, page);
  }

  private void repositories(HttpServerRequest req, String method, String[] p, JsonNode body) {
    if (p.length == 4 && method.equals("POST")) {
      if (body == null || body.path("url").asText().isBlank()) {
        ArrayNode errors = JSON.createArrayNode();
        errors.addObject().put("field", "url").put("message", "must not be blank");
        problem(req, 400, "Invalid request", "url must not be blank", errors);
        return;
      }
      synchronized (this) {
        for (ObjectNode r : repositories.values()) {
          if (r.get("url").asText().equals(body.path("url").asText())) {
            problem(req, 409, "Conflict", "the repository is registered already", null);
            return;
          }
        }
        ObjectNode r = JSON.createObjectNode();
        UUID id = UUID.randomUUID();
        String now = Instant.now().toString();
        r.put("id", id.toString());
        r.put("url", body.path("url").asText());
        r.put("defaultBranch", body.path("defaultBranch").asText("main"));
        r.put("forge", body.path("forge").asText("GITHUB"));
        boolean token = body.path("credential").hasNonNull("token");
        r.put("hasCredential", token);
        if (token) {
          r.put("credentialSetAt", now);
        }
        r.put("createdAt", now);
        r.put("updatedAt", now);
        repositories.put(id, r);
        req.response().putHeader("Location", "/api/v1/repositories/" + id);
        json(req, 201, r);
      }
    } else if (p.length == 4 && method.equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      synchronized (this) {
        repositories.values().forEach(list::add);
      }
      json(req, 200, list);
    } else if (p.length == 5) {
      UUID id = UUID.fromString(p[4]);
      ObjectNode r;
      synchronized (this) {
        r = method.equals("DELETE") ? repositories.remove(id) : repositories.get(id);
      }
      if (r == null) {
        problem(req, 404, "Not Found", "repository " + id + " was not found", null);
      } else if (method.equals("GET")) {
        json(req, 200, r);
      } else if (method.equals("DELETE")) {
        req.response().setStatusCode(204).end();
      } else {
        problem(req, 404, "Not Found", "no such resource", null);
      }
    } else {
      problem(req, 404, "Not Found", "no such resource", null);
    }
  }

  private void createSession(HttpServerRequest req, JsonNode body) {
    if (body != null && body.hasNonNull("repositoryId")) {
      ObjectNode repository;
      synchronized (this) {
        repository = repositories.get(UUID.fromString(body.get("repositoryId").asText()));
      }
      if (repository == null) {
        ArrayNode errors = JSON.createArrayNode();
        errors.addObject().put("field", "repositoryId").put("message", "is not registered");
        problem(req, 400, "Invalid request", "repositoryId: is not registered", errors);
        return;
      }
      ((ObjectNode) body).put("repositoryUrl", repository.get("url").asText());
    }
    if (body == null || body.path("repositoryUrl").asText().isBlank()) {
      ArrayNode errors = JSON.createArrayNode();
      errors.addObject().put("field", "repositoryUrl").put("message", "must not be blank");
      problem(req, 400, "Invalid request", "repositoryUrl must not be blank", errors);
      return;
    }
    UUID id = session("PROVISIONING");
    ObjectNode s;
    synchronized (this) {
      s = sessions.get(id);
      s.put("repositoryUrl", body.path("repositoryUrl").asText());
    }
    append(id, "session.state", null, Map.of("to", "PROVISIONING", "reason", "created"));
    req.response().putHeader("Location", "/api/v1/sessions/" + id);
    json(req, 202, s);
  }

  private void events(HttpServerRequest req, UUID id) {
    long after = Long.parseLong(req.getParam("after", "0"));
    int limit = Integer.parseInt(req.getParam("limit", "200"));
    ObjectNode out = JSON.createObjectNode();
    ArrayNode events = out.putArray("events");
    long next = after;
    synchronized (this) {
      for (ObjectNode event : logs.get(id)) {
        if (event.get("seq").asLong() > after && events.size() < limit) {
          events.add(event);
          next = event.get("seq").asLong();
        }
      }
    }
    out.put("next", next);
    json(req, 200, out);
  }

  private void submit(HttpServerRequest req, UUID sessionId, JsonNode body) {
    if (body == null || body.path("prompt").asText().isBlank()) {
      problem(req, 400, "Invalid request", "prompt must not be blank", null);
      return;
    }
    UUID taskId = UUID.randomUUID();
    ObjectNode task = JSON.createObjectNode();
    task.put("id", taskId.toString());
    task.put("sessionId", sessionId.toString());
    task.put("state", "QUEUED");
    task.put("queuePosition", 1);
    task.put("prompt", body.path("prompt").asText());
    task.put("queuedAt", Instant.now().toString());
    List<Object[]> script;
    synchronized (this) {
      tasks.put(taskId, task);
      script = taskScript.apply(taskId);
    }
    append(
        sessionId,
        "task.queued",
        taskId,
        Map.of("position", 1, "prompt", body.path("prompt").asText()));
    for (Object[] step : script) {
      append(sessionId, (String) step[0], taskId, step[1]);
    }
    req.response().putHeader("Location", "/api/v1/tasks/" + taskId);
    json(req, 202, task.deepCopy());
  }

  private static void json(HttpServerRequest req, int status, JsonNode body) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }

  private static void problem(
      HttpServerRequest req, int status, String title, String detail, ArrayNode errors) {
    ObjectNode problem = JSON.createObjectNode();
    problem.put(
        "type", "https://remote-claude.dev/problems/" + title.toLowerCase().replace(' ', '-'));
    problem.put("title", title);
    problem.put("status", status);
    problem.put("detail", detail);
    if (errors != null) {
      problem.set("errors", errors);
    }
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/problem+json")
        .end(problem.toString());
  }

  @Override
  public void close() {
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the test is over
    }
  }
}
