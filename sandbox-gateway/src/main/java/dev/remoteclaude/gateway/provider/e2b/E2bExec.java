package dev.remoteclaude.gateway.provider.e2b;

import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A process started through envd's {@code process.Process/Start}: its start, data and end events
 * become {@link ExecEvent}s. It runs under a small launcher that puts it (with its children) into a
 * process group of its own under {@code timeout} (a backstop should the gateway go away) and
 * records the group, so that a cancel or the request's timeout kills the whole tree with a second
 * process ({@link #KILLER}); envd's {@code SendSignal} would reach the one process only. Stdin goes
 * in with {@code SendInput}, then {@code CloseStdin}.
 */
final class E2bExec implements ExecHandle {

  static final String EXEC_DIR = "/tmp/.rc-exec";

  /** $1 exec id, $2 backstop timeout in seconds, then the command. */
  static final String LAUNCHER =
      """
      __rcx_id=$1; __rcx_max=$2; shift 2
      __rcx_timeout=$(command -v timeout) || { echo 'rc-exec: timeout not found' >&2; exit 125; }
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

  private static final int STDIN_CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final Envd envd;
  private final Envd.Target target;
  private final String id = UUID.randomUUID().toString();
  private final ExecRequest request;
  private final String cwd;
  private final UnicastProcessor<ExecEvent> events = UnicastProcessor.create();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicBoolean truncated = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile Integer exitCode;
  private volatile long timer = -1;
  private volatile HttpClientResponse stream;
  private long stdout;
  private long stderr;

  private E2bExec(Vertx vertx, Envd envd, Envd.Target target, ExecRequest request, String cwd) {
    this.vertx = vertx;
    this.envd = envd;
    this.target = target;
    this.request = request;
    this.cwd = cwd;
  }

  /** Starts it; the handle once envd has accepted the process (its stream is open). */
  static Uni<ExecHandle> start(
      Vertx vertx, Envd envd, Envd.Target target, ExecRequest request, String cwd) {
    E2bExec exec = new E2bExec(vertx, envd, target, request, cwd);
    return Uni.createFrom()
        .completionStage(
            () -> envd.stream(target, "Start", exec.startRequest()).toCompletionStage())
        .map(
            response -> {
              exec.attach(response);
              return exec;
            });
  }

  private JsonObject startRequest() {
    long backstop = Math.max(1, request.timeout().toSeconds() + 30);
    List<String> args =
        new ArrayList<>(List.of("-c", LAUNCHER, "rc-exec", id, Long.toString(backstop)));
    args.addAll(request.command());
    JsonObject envs = new JsonObject();
    request.env().forEach(envs::put);
    return new JsonObject()
        .put(
            "process",
            new JsonObject()
                .put("cmd", "/bin/sh")
                .put("args", new JsonArray(args))
                .put("envs", envs)
                .put("cwd", cwd))
        .put("stdin", request.stdin().length > 0);
  }

  private void attach(HttpClientResponse response) {
    this.stream = response;
    timer = vertx.setTimer(Math.max(1, request.timeout().toMillis()), t -> kill(timedOut));
    response.handler(ConnectFrames.parser(this::onFrame));
    response.exceptionHandler(failure -> finish());
    response.endHandler(ignored -> finish());
  }

  private void onFrame(ConnectFrames.Frame frame) {
    if (frame.endOfStream()) {
      JsonObject error = frame.message().getJsonObject("error");
      if (error != null && exitCode == null) {
        Log.debugf("exec %s in %s ended with %s", id, target.sandboxId(), error.getString("code"));
      }
      if (error != null && ConnectFrames.TOO_LARGE.equals(error.getString("code"))) {
        // The parser stopped reading: the stream is dropped, and the process ends as killed.
        stream.request().reset();
      }
      return;
    }
    JsonObject event = frame.message().getJsonObject("event", new JsonObject());
    if (event.containsKey("start")) {
      int pid = event.getJsonObject("start").getInteger("pid", 0);
      if (request.stdin().length > 0) {
        sendStdin(pid);
      }
    } else if (event.containsKey("data")) {
      JsonObject data = event.getJsonObject("data");
      if (data.containsKey("stdout")) {
        output(data.getString("stdout"), true);
      } else if (data.containsKey("stderr")) {
        output(data.getString("stderr"), false);
      }
    } else if (event.containsKey("end")) {
      JsonObject end = event.getJsonObject("end");
      // proto3 JSON leaves out zero values: no exitCode is 0.
      int code = end.getInteger("exitCode", 0);
      exitCode = end.getBoolean("exited", false) || code > 0 ? code : -1;
    }
  }

  private void output(String base64, boolean isStdout) {
    if (finished.get()) {
      return;
    }
    byte[] bytes = Base64.getDecoder().decode(base64);
    long seen = isStdout ? stdout : stderr;
    long room = request.maxOutputBytes() - seen;
    if (room <= 0) {
      truncated.set(true);
      return;
    }
    if (bytes.length > room) {
      truncated.set(true);
      bytes = Arrays.copyOf(bytes, (int) room);
    }
    if (isStdout) {
      stdout += bytes.length;
    } else {
      stderr += bytes.length;
    }
    Function<byte[], ExecEvent> wrap = isStdout ? ExecEvent.Stdout::new : ExecEvent.Stderr::new;
    events.onNext(wrap.apply(bytes));
  }

  /** The request's stdin in order (SendInput), then its end (CloseStdin). */
  private void sendStdin(int pid) {
    JsonObject selector = new JsonObject().put("pid", pid);
    byte[] input = request.stdin();
    Uni<Void> sent = Uni.createFrom().voidItem();
    for (int offset = 0; offset < input.length; offset += STDIN_CHUNK) {
      byte[] chunk =
          Arrays.copyOfRange(input, offset, Math.min(input.length, offset + STDIN_CHUNK));
      JsonObject message =
          new JsonObject()
              .put("process", selector)
              .put(
                  "input",
                  new JsonObject().put("stdin", Base64.getEncoder().encodeToString(chunk)));
      sent = sent.chain(() -> envd.unary(target, "SendInput", message));
    }
    sent.chain(() -> envd.unary(target, "CloseStdin", new JsonObject().put("process", selector)))
        .subscribe()
        .with(
            ignored -> {},
            failure ->
                Log.debugf(
                    "stdin of exec %s in %s not delivered: %s",
                    id, target.sandboxId(), failure.getMessage()));
  }

  private void finish() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    Integer code = exitCode;
    int exit;
    if (code == null || code < 0) {
      // No exit status: the stream was cut (we killed it, the sandbox paused or went away).
      exit = cancelled.get() || timedOut.get() ? 137 : -1;
    } else {
      exit = code;
    }
    events.onNext(new ExecEvent.Exit(exit, timedOut.get(), cancelled.get(), truncated.get()));
    events.onComplete();
  }

  @Override
  public Multi<ExecEvent> events() {
    return events;
  }

  @Override
  public void cancel() {
    kill(cancelled);
  }

  /** Marks why, kills the process group in the sandbox, and gives up on the stream if it hangs. */
  private void kill(AtomicBoolean reason) {
    if (finished.get() || !reason.compareAndSet(false, true)) {
      return;
    }
    JsonObject killer =
        new JsonObject()
            .put(
                "process",
                new JsonObject()
                    .put("cmd", "/bin/sh")
                    .put("args", new JsonArray(List.of("-c", KILLER, "rc-kill", id))))
            .put("stdin", false);
    envd.stream(target, "Start", killer)
        .onSuccess(response -> response.handler(ignored -> {}).exceptionHandler(ignored -> {}))
        .onFailure(
            failure ->
                Log.debugf(
                    "could not kill exec %s in %s: %s",
                    id, target.sandboxId(), failure.getMessage()));
    vertx.setTimer(
        10_000,
        t -> {
          HttpClientResponse open = stream;
          if (!finished.get() && open != null) {
            open.request().reset();
          }
          finish();
        });
  }
}
