package dev.remoteclaude.gateway.provider.northflank;

import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.ProviderHttp;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A process in a sandbox's container, through Northflank's command-exec endpoint: a WebSocket at
 * {@code /v1/command-exec/projects/<project>/services/<service>} speaking the protocol of
 * Northflank's JavaScript client (its {@code ExecCommandStandard}): JSON text messages, the client
 * first sending {@code {"type":"init","data":{"auth":{"type":"apiToken","apiToken":…},"context":
 * {"command":[…],"shell":"none","tty":false,"encoding":"base64"}}}}, the server answering {@code
 * {"type":"init","data":{"auth":"successful"}}}, then {@code stdOut}/{@code stdErr} messages (their
 * {@code data} in base64), stdin as {@code payload} messages and {@code stdInEnd}, and at the end
 * {@code {"type":"completion","data":{"exitCode":…,"status":…}}}; {@code error} reports a failure.
 *
 * <p>Every process is started by a small POSIX shell launcher ({@link #LAUNCHER}) that reads the
 * process's environment from the first line of its standard input ({@code NAME=<base64 of the
 * value>} separated by spaces), so values never appear in the command (nor in Northflank's audit of
 * it); the rest of standard input is the process's. The launcher runs the command under {@code
 * timeout} (a backstop should the gateway die), which puts it in a process group of its own, and
 * records the group in {@code /tmp/.rc-exec/<id>}: a cancel or a timeout kills that group through a
 * second exec.
 */
final class NorthflankExec implements ExecHandle {

  static final String EXEC_DIR = "/tmp/.rc-exec";
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final int STDIN_CHUNK = 48 * 1024;

  /**
   * $1 exec id, $2 absolute working directory, $3 backstop timeout in seconds, then the command.
   */
  static final String LAUNCHER =
      """
      __rcx_id=$1; __rcx_wd=$2; __rcx_max=$3; shift 3
      __rcx_timeout=$(command -v timeout) || { echo 'rc-exec: timeout not found' >&2; exit 125; }
      __rcx_b64=$(command -v base64) || { echo 'rc-exec: base64 not found' >&2; exit 125; }
      IFS= read -r __rcx_env || exit 125
      for __rcx_kv in $__rcx_env; do
        __rcx_v=$(printf '%s' "${__rcx_kv#*=}" | "$__rcx_b64" -d; printf x) || exit 125
        export "${__rcx_kv%%=*}=${__rcx_v%x}"
      done
      unset __rcx_env __rcx_kv __rcx_v
      cd -- "$__rcx_wd" 2>/dev/null || { echo "rc-exec: no such directory: $__rcx_wd" >&2; exit 125; }
      mkdir -p {EXEC_DIR} || exit 125
      exec 3<&0
      "$__rcx_timeout" -s KILL "$__rcx_max" "$@" <&3 3<&- &
      __rcx_pid=$!
      exec 3<&-
      echo "$__rcx_pid" > "{EXEC_DIR}/$__rcx_id"
      wait "$__rcx_pid"; __rcx_status=$?
      rm -f "{EXEC_DIR}/$__rcx_id"
      exit "$__rcx_status"
      """
          .replace("{EXEC_DIR}", EXEC_DIR);

  /** Kills the process group of exec $1 (waiting briefly for the launcher to record it). */
  static final String KILLER =
      """
      f="{EXEC_DIR}/$1"; i=0
      while [ ! -s "$f" ] && [ "$i" -lt 20 ]; do sleep 0.1; i=$((i+1)); done
      p=$(cat "$f" 2>/dev/null) || exit 0
      kill -s KILL -- "-$p" 2>/dev/null || kill -s KILL "$p" 2>/dev/null
      exit 0
      """
          .replace("{EXEC_DIR}", EXEC_DIR);

  private final NorthflankApi api;
  private final Vertx vertx;
  private final String serviceId;
  private final String id = UUID.randomUUID().toString();
  private final long maxOutputBytes;
  private final UnicastProcessor<ExecEvent> events = UnicastProcessor.create();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicBoolean truncated = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicInteger exitCode = new AtomicInteger(Integer.MIN_VALUE);
  private final CompletableFuture<Void> authenticated = new CompletableFuture<>();
  private final List<Runnable> onFinish = new ArrayList<>();
  private long stdoutBytes;
  private long stderrBytes;
  private volatile WebSocket ws;
  private volatile long deadline = -1;

  private NorthflankExec(NorthflankApi api, Vertx vertx, String serviceId, long maxOutputBytes) {
    this.api = api;
    this.vertx = vertx;
    this.serviceId = serviceId;
    this.maxOutputBytes = maxOutputBytes;
  }

  /** Checks variable names: they become shell words in the launcher. */
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

  /**
   * Starts {@code command} in the service's container, in {@code workingDir} (absolute), with
   * {@code env} on top of the container's and {@code stdin} (read to its end while it runs); the
   * handle comes once Northflank accepted the command.
   */
  static Uni<NorthflankExec> start(
      NorthflankApi api,
      Vertx vertx,
      String serviceId,
      List<String> command,
      String workingDir,
      Map<String, String> env,
      InputStream stdin,
      Duration timeout,
      long maxOutputBytes) {
    try {
      checkEnvironment(env);
      if (command.isEmpty()) {
        throw new ProviderException(ProviderException.Kind.INVALID, "empty command");
      }
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    NorthflankExec exec = new NorthflankExec(api, vertx, serviceId, maxOutputBytes);
    long backstop = Math.max(1, timeout.toSeconds()) + 30;
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", LAUNCHER, "rc-exec", exec.id));
    argv.add(workingDir);
    argv.add(String.valueOf(backstop));
    argv.addAll(command);
    exec.connect(argv);
    return Uni.createFrom()
        .completionStage(exec.authenticated)
        .invoke(
            () -> {
              exec.deadline =
                  vertx.setTimer(Math.max(1, timeout.toMillis()), t -> exec.kill(exec.timedOut));
              exec.feed(header(env), stdin);
            })
        .replaceWith(exec)
        .onFailure()
        .invoke(exec::finish);
  }

  /** Runs a command of the gateway's own to its end, buffered (output up to {@code maxOutput}). */
  static Uni<ExecResult> run(
      NorthflankApi api,
      Vertx vertx,
      String serviceId,
      List<String> command,
      String workingDir,
      byte[] stdin,
      Duration timeout,
      long maxOutput) {
    return start(
            api,
            vertx,
            serviceId,
            command,
            workingDir,
            Map.of(),
            new ByteArrayInputStream(stdin),
            timeout,
            maxOutput)
        .chain(ExecResult::collect);
  }

  private static byte[] header(Map<String, String> env) {
    StringBuilder line = new StringBuilder();
    Base64.Encoder base64 = Base64.getEncoder();
    env.forEach(
        (name, value) -> {
          if (!line.isEmpty()) {
            line.append(' ');
          }
          line.append(name)
              .append('=')
              .append(base64.encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        });
    return (line + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private void connect(List<String> argv) {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setAbsoluteURI(api.execUrl(serviceId))
            .setTimeout(30_000)
            .addHeader("User-Agent", "remote-claude-gateway");
    api.webSockets()
        .connect(options)
        .onSuccess(
            socket -> {
              ws = socket;
              socket.textMessageHandler(this::message);
              socket.closeHandler(ignored -> closed());
              socket.exceptionHandler(
                  e -> Log.debugf("northflank exec stream of %s: %s", serviceId, e.getMessage()));
              JsonObject init =
                  new JsonObject()
                      .put("type", "init")
                      .put(
                          "data",
                          new JsonObject()
                              .put(
                                  "auth",
                                  new JsonObject()
                                      .put("type", "apiToken")
                                      .put("apiToken", api.token()))
                              .put(
                                  "context",
                                  new JsonObject()
                                      .put("command", new JsonArray(argv))
                                      .put("shell", "none")
                                      .put("tty", false)
                                      .put("encoding", "base64")));
              socket.writeTextMessage(init.encode());
            })
        .onFailure(
            e ->
                authenticated.completeExceptionally(
                    e instanceof UpgradeRejectedException rejected
                        ? rejectedAs(rejected.getStatus())
                        : new ProviderException(
                            ProviderException.Kind.UNAVAILABLE,
                            "cannot start a process in the sandbox: Northflank did not answer ("
                                + ProviderHttp.describe(e)
                                + ")",
                            e)));
  }

  private static ProviderException rejectedAs(int status) {
    return switch (status) {
      case 404 ->
          new ProviderException(
              ProviderException.Kind.NOT_FOUND, "sandbox is gone (not found at Northflank)");
      case 401, 403 ->
          new ProviderException(
              ProviderException.Kind.UNAVAILABLE,
              "cannot start a process in the sandbox: Northflank refused the gateway's API token"
                  + " (check gateway.northflank.token)");
      case 429 ->
          new ProviderException(
              ProviderException.Kind.UNAVAILABLE,
              "cannot start a process in the sandbox: Northflank is rate limiting this gateway;"
                  + " try again shortly");
      default ->
          new ProviderException(
              ProviderException.Kind.UNAVAILABLE,
              "cannot start a process in the sandbox: Northflank is failing (" + status + ")");
    };
  }

  private void message(String text) {
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (RuntimeException notJson) {
      Log.debugf("northflank exec of %s sent something that is not JSON", serviceId);
      return;
    }
    String type = message.getString("type", "");
    Object data = message.getValue("data");
    switch (type) {
      case "init" -> {
        JsonObject init = data instanceof JsonObject o ? o : new JsonObject();
        if ("successful".equals(init.getString("auth"))) {
          authenticated.complete(null);
        } else {
          authenticated.completeExceptionally(
              new ProviderException(
                  ProviderException.Kind.UNAVAILABLE,
                  "cannot start a process in the sandbox: Northflank refused it"
                      + reason(init.getString("message"))));
          close();
        }
      }
      case "stdOut" -> output(data, true);
      case "stdErr" -> output(data, false);
      case "completion" -> {
        JsonObject result = data instanceof JsonObject o ? o : new JsonObject();
        Integer code = result.getInteger("exitCode");
        exitCode.compareAndSet(Integer.MIN_VALUE, code == null ? -1 : code);
        finish();
      }
      case "error" -> {
        String why = data instanceof JsonObject o ? o.getString("message") : null;
        if (!authenticated.isDone()) {
          authenticated.completeExceptionally(
              new ProviderException(
                  ProviderException.Kind.UNAVAILABLE,
                  "cannot start a process in the sandbox" + reason(why)));
        }
        Log.debugf("northflank exec of %s failed: %s", serviceId, why);
        finish();
      }
      default -> Log.debugf("northflank exec of %s: unknown message type %s", serviceId, type);
    }
  }

  private static String reason(String message) {
    if (message == null || message.isBlank()) {
      return "";
    }
    return ": " + (message.length() > 300 ? message.substring(0, 300) + "…" : message);
  }

  /** Output of one stream, decoded, cut at the limit. */
  private void output(Object data, boolean stdout) {
    if (!(data instanceof String encoded) || finished.get()) {
      return;
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException notBase64) {
      Log.debugf("northflank exec of %s sent output that is not base64", serviceId);
      return;
    }
    if (bytes.length == 0) {
      return;
    }
    long total = stdout ? stdoutBytes : stderrBytes;
    if (total >= maxOutputBytes) {
      truncated.set(true);
      return;
    }
    int keep = (int) Math.min(bytes.length, maxOutputBytes - total);
    if (keep < bytes.length) {
      truncated.set(true);
      bytes = Arrays.copyOf(bytes, keep);
    }
    if (stdout) {
      stdoutBytes += keep;
    } else {
      stderrBytes += keep;
    }
    Function<byte[], ExecEvent> wrap = stdout ? ExecEvent.Stdout::new : ExecEvent.Stderr::new;
    events.onNext(wrap.apply(bytes));
  }

  /** The environment line, then stdin in base64 {@code payload}s, then {@code stdInEnd}. */
  private void feed(byte[] header, InputStream stdin) {
    Thread.ofVirtual()
        .name("northflank-exec-stdin")
        .start(
            () -> {
              try (stdin) {
                send(payload(header, header.length));
                byte[] buffer = new byte[STDIN_CHUNK];
                int read;
                while (!finished.get() && (read = stdin.readNBytes(buffer, 0, buffer.length)) > 0) {
                  send(payload(buffer, read));
                }
                send(new JsonObject().put("type", "stdInEnd").encode());
              } catch (IOException | RuntimeException e) {
                Log.debugf("stdin of an exec in %s closed early: %s", serviceId, e.getMessage());
              }
            });
  }

  private static String payload(byte[] bytes, int length) {
    return new JsonObject()
        .put("type", "payload")
        .put("data", Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, length)))
        .encode();
  }

  /** Writes one message and waits until it is on its way (the socket's own pace). */
  private void send(String message) throws IOException {
    WebSocket socket = ws;
    if (socket == null || finished.get()) {
      throw new IOException("the command ended");
    }
    try {
      socket
          .writeTextMessage(message)
          .toCompletionStage()
          .toCompletableFuture()
          .get(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (Exception e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private void closed() {
    if (!authenticated.isDone()) {
      authenticated.completeExceptionally(
          new ProviderException(
              ProviderException.Kind.UNAVAILABLE,
              "cannot start a process in the sandbox: Northflank closed the connection"));
    }
    finish();
  }

  /** Calls {@code action} once the process has ended (at once if it has). */
  void whenFinished(Runnable action) {
    synchronized (onFinish) {
      if (!finished.get()) {
        onFinish.add(action);
        return;
      }
    }
    action.run();
  }

  /** The sandbox was paused or deleted: its processes are gone, whatever the stream says. */
  void sandboxStopped() {
    cancelled.compareAndSet(false, !timedOut.get());
    exitCode.compareAndSet(Integer.MIN_VALUE, 137);
    finish();
  }

  private void finish() {
    List<Runnable> actions;
    synchronized (onFinish) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      actions = List.copyOf(onFinish);
      onFinish.clear();
    }
    long timer = deadline;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    int code = exitCode.get();
    if (code == Integer.MIN_VALUE) {
      // No completion: the stream was cut (the container went away, or we gave up on it).
      code = cancelled.get() || timedOut.get() ? 137 : -1;
    }
    events.onNext(new ExecEvent.Exit(code, timedOut.get(), cancelled.get(), truncated.get()));
    events.onComplete();
    close();
    actions.forEach(Runnable::run);
  }

  private void close() {
    WebSocket socket = ws;
    if (socket != null && !socket.isClosed()) {
      socket.close();
    }
  }

  @Override
  public Multi<ExecEvent> events() {
    return events;
  }

  @Override
  public void cancel() {
    kill(cancelled);
  }

  /**
   * Marks why, kills the process group in the container, and gives up on the stream if it hangs.
   */
  private void kill(AtomicBoolean reason) {
    if (finished.get() || !reason.compareAndSet(false, true)) {
      return;
    }
    start(
            api,
            vertx,
            serviceId,
            List.of("/bin/sh", "-c", KILLER, "rc-kill", id),
            "/",
            Map.of(),
            InputStream.nullInputStream(),
            Duration.ofSeconds(15),
            1024)
        .chain(ExecResult::collect)
        .subscribe()
        .with(
            ignored -> vertx.setTimer(10_000, t -> finish()),
            e -> {
              Log.debugf("could not kill %s in %s: %s", id, serviceId, e.getMessage());
              finish();
            });
  }
}
