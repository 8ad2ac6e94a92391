package dev.remoteclaude.gateway.provider.daytona;

import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ProviderException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.multipart.MultipartForm;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A process run through the toolbox's session API: a session of its own, the command executed in it
 * asynchronously, its log followed over the toolbox's WebSocket, its exit code read from the
 * command once the log ends. Cancel and timeout delete the session, which kills its process tree.
 *
 * <p>The toolbox logs output line by line (a newline is added to a last line without one, NULs are
 * lost), so the command is wrapped in a POSIX {@code sh} script that sends each read of stdout and
 * stderr as one line of hex: what arrives is decoded to the exact bytes, as soon as they are
 * written. Standard input is uploaded as a file and redirected (the session's input endpoint keeps
 * an asynchronous command's input open, so a reader would never see its end).
 */
final class DaytonaExec implements ExecHandle {

  static final byte[] STDOUT_PREFIX = {1, 1, 1};
  static final byte[] STDERR_PREFIX = {2, 2, 2};

  /** $1 working dir, $2 stdin file, then the command; exits with the command's status. */
  static final String WRAPPER =
      "d=$1; i=$2; shift 2; cd -- \"$d\" || exit 126; e=$(mktemp) || exit 126;"
          + " x() { while :; do c=$(dd bs=65536 count=1 2>/dev/null | od -An -v -tx1 | tr -d ' \\n');"
          + " [ -n \"$c\" ] || break; printf '%s\\n' \"$c\"; done; };"
          + " { { { \"$@\" <\"$i\" 2>&3 3>&- 4>&-; echo $? >\"$e\"; } | x >&4; } 3>&1 | x >&2; } 4>&1;"
          + " read -r s <\"$e\"; rm -f -- \"$e\"; [ \"$i\" = /dev/null ] || rm -f -- \"$i\"; exit \"${s:-1}\"";

  private static final int KILLED = 137;

  private final DaytonaApi api;
  private final Vertx vertx;
  private final String toolbox;
  private final String session = "rc-" + UUID.randomUUID();
  private final long maxOutputBytes;
  private final UnicastProcessor<ExecEvent> events = UnicastProcessor.create();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicBoolean truncated = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicBoolean killed = new AtomicBoolean();
  private final AtomicLong stdoutBytes = new AtomicLong();
  private final AtomicLong stderrBytes = new AtomicLong();
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private volatile String commandId;
  private volatile long deadline = -1;

  /** The log's WebSocket while it is followed; closed when the command ends (guarded by this). */
  private WebSocket logs;

  /** The wait for a killed command's log to end (guarded by this). */
  private long killTimer = -1;

  /** The rest of a log line that was too long is being skipped (guarded by this). */
  private boolean skipping;

  /** Run once the command is over (the provider stops tracking it). */
  private volatile Runnable whenFinished = () -> {};

  private DaytonaExec(DaytonaApi api, Vertx vertx, String toolbox, long maxOutputBytes) {
    this.api = api;
    this.vertx = vertx;
    this.toolbox = toolbox;
    this.maxOutputBytes = maxOutputBytes;
  }

  /**
   * Starts {@code command} in the sandbox whose toolbox is at {@code toolbox} (its id included);
   * the handle is returned once the command runs.
   */
  static Uni<ExecHandle> start(
      DaytonaApi api,
      Vertx vertx,
      String toolbox,
      List<String> command,
      String workingDir,
      Map<String, String> env,
      byte[] stdin,
      Duration timeout,
      long maxOutputBytes) {
    DaytonaExec exec = new DaytonaExec(api, vertx, toolbox, maxOutputBytes);
    String stdinFile = stdin.length == 0 ? "/dev/null" : "/tmp/" + exec.session + ".in";
    List<String> argv = new ArrayList<>(List.of("sh", "-c", WRAPPER, "rc-exec", workingDir));
    argv.add(stdinFile);
    if (!env.isEmpty()) {
      argv.add("env");
      env.forEach((k, v) -> argv.add(k + "=" + v));
    }
    argv.addAll(command);
    String line = String.join(" ", argv.stream().map(DaytonaExec::quote).toList());
    return exec.createSession()
        .chain(
            () -> stdin.length == 0 ? Uni.createFrom().voidItem() : exec.upload(stdinFile, stdin))
        .chain(() -> exec.execute(line))
        .invoke(() -> exec.follow(timeout))
        .replaceWith((ExecHandle) exec)
        .onFailure()
        .call(() -> exec.deleteSession().onFailure().recoverWithNull());
  }

  /** One shell word, whatever the value (single quotes; a quote inside as '\''). */
  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** Runs {@code action} when the command is over (at once when it already is). */
  void whenFinished(Runnable action) {
    whenFinished = action;
    if (finished.get()) {
      action.run();
    }
  }

  /**
   * The sandbox was stopped or deleted, and every process in it with it: the command ends as killed
   * now, whether or not its log stream says so (it may never, or only after the toolbox's
   * timeouts).
   */
  void sandboxStopped() {
    killed.set(true);
    finish(KILLED);
  }

  @Override
  public Multi<ExecEvent> events() {
    return events;
  }

  @Override
  public void cancel() {
    if (!finished.get() && cancelled.compareAndSet(false, true)) {
      kill();
    }
  }

  // --- toolbox calls ----------------------------------------------------------------------------

  private Uni<Void> createSession() {
    return api.send(
            "cannot start the command",
            () ->
                api.request(HttpMethod.POST, toolbox + "/process/session")
                    .sendJsonObject(new JsonObject().put("sessionId", session)))
        .replaceWithVoid();
  }

  private Uni<Void> upload(String path, byte[] content) {
    return api.send(
            "cannot pass the command's input",
            () ->
                api.request(HttpMethod.POST, toolbox + "/files/upload")
                    .addQueryParam("path", path)
                    .sendMultipartForm(
                        MultipartForm.create()
                            .binaryFileUpload(
                                "file",
                                "stdin",
                                Buffer.buffer(content),
                                "application/octet-stream")))
        .replaceWithVoid();
  }

  private Uni<Void> execute(String line) {
    return api.send(
            "cannot start the command",
            () ->
                api.request(HttpMethod.POST, toolbox + "/process/session/" + session + "/exec")
                    .sendJsonObject(new JsonObject().put("command", line).put("runAsync", true)))
        .invoke(response -> commandId = response.bodyAsJsonObject().getString("cmdId"))
        .replaceWithVoid();
  }

  private Uni<Void> deleteSession() {
    return api.send(
            "cannot end the command",
            () -> api.request(HttpMethod.DELETE, toolbox + "/process/session/" + session).send())
        .replaceWithVoid();
  }

  /** Follows the command's log over the toolbox's WebSocket until it ends. */
  private void follow(Duration timeout) {
    if (!timeout.isZero() && !timeout.isNegative()) {
      deadline =
          vertx.setTimer(
              Math.max(1, timeout.toMillis()),
              id -> {
                if (!finished.get() && timedOut.compareAndSet(false, true)) {
                  kill();
                }
              });
    }
    String url =
        toolbox.replaceFirst("^http", "ws")
            + "/process/session/"
            + session
            + "/command/"
            + commandId
            + "/logs?follow=true";
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setAbsoluteURI(url)
            .addHeader("Authorization", api.authorization());
    api.webSockets()
        .connect(options)
        .onSuccess(
            ws -> {
              ws.binaryMessageHandler(buffer -> output(buffer.getBytes()));
              ws.textMessageHandler(
                  text -> output(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
              ws.closeHandler(ignored -> ended());
              ws.exceptionHandler(e -> Log.debugf("daytona log stream: %s", e.getMessage()));
              followed(ws);
            })
        .onFailure(
            e -> {
              Log.debugf("cannot follow the command's log: %s", e.getMessage());
              ended();
            });
  }

  /** Keeps the log's socket to close it at the end; closes it now if the command already ended. */
  private synchronized void followed(WebSocket ws) {
    if (finished.get()) {
      ws.close();
    } else {
      logs = ws;
    }
  }

  // --- the log --------------------------------------------------------------------------------

  /**
   * The longest log line kept while waiting for its newline: the wrapper writes lines of at most
   * about 128 KiB; a longer one is not the wrapper's (the toolbox runs inside the tenant's sandbox)
   * and is dropped rather than buffered.
   */
  static final int MAX_PENDING_BYTES = 1024 * 1024;

  /**
   * Decodes complete log lines (a stream prefix, hex, a newline) as they arrive. A line longer than
   * {@link #MAX_PENDING_BYTES} is dropped whole, up to its newline, and the output flagged
   * truncated; the lines after it are decoded as usual.
   */
  private synchronized void output(byte[] bytes) {
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        if (!skipping) {
          pending.write(bytes, start, i - start);
          byte[] complete = pending.toByteArray();
          line(complete, 0, complete.length);
        }
        pending.reset();
        skipping = false;
        start = i + 1;
      } else if (!skipping && pending.size() + i + 1 - start > MAX_PENDING_BYTES) {
        truncated.set(true);
        skipping = true;
        pending.reset();
      }
    }
    if (!skipping) {
      pending.write(bytes, start, bytes.length - start);
    }
  }

  private void line(byte[] all, int from, int to) {
    if (to - from < 3) {
      return;
    }
    boolean out = all[from] == 1 && all[from + 1] == 1 && all[from + 2] == 1;
    boolean err = all[from] == 2 && all[from + 1] == 2 && all[from + 2] == 2;
    if (!out && !err) {
      return; // not the wrapper's (the toolbox's own notes)
    }
    byte[] decoded;
    try {
      decoded =
          HexFormat.of()
              .parseHex(
                  new String(
                      all, from + 3, to - from - 3, java.nio.charset.StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException notOurs) {
      return;
    }
    AtomicLong count = out ? stdoutBytes : stderrBytes;
    long before = count.getAndAdd(decoded.length);
    long room = Math.max(0, maxOutputBytes - before);
    if (room < decoded.length) {
      truncated.set(true);
      decoded = java.util.Arrays.copyOf(decoded, (int) room);
    }
    if (decoded.length > 0 && !finished.get()) {
      events.onNext(out ? new ExecEvent.Stdout(decoded) : new ExecEvent.Stderr(decoded));
    }
  }

  /** The log ended: the command exited, or its session (or the sandbox) is gone. */
  private void ended() {
    if (finished.get()) {
      return;
    }
    if (killed.get()) {
      finish(KILLED);
      return;
    }
    api.send(
            "cannot read the command's exit code",
            () ->
                api.request(
                        HttpMethod.GET,
                        toolbox + "/process/session/" + session + "/command/" + commandId)
                    .send())
        .map(response -> response.bodyAsJsonObject().getInteger("exitCode"))
        .onItem()
        .ifNull()
        .failWith(() -> new ProviderException(ProviderException.Kind.UNAVAILABLE, "no exit yet"))
        .onFailure(f -> f instanceof ProviderException p && p.getMessage().equals("no exit yet"))
        .retry()
        .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(1))
        .atMost(10)
        .subscribe()
        .with(
            code -> finish(code),
            failure -> {
              // The session or the sandbox went away under the command (pause, terminate).
              Log.debugf("no exit code for a daytona command: %s", failure.getMessage());
              finish(KILLED);
            });
  }

  private void kill() {
    killed.set(true);
    deleteSession()
        .subscribe()
        .with(
            ok -> {},
            failure -> Log.debugf("cannot delete a daytona session: %s", failure.getMessage()));
    // A log that does not end once its session is gone ends here.
    synchronized (this) {
      if (!finished.get()) {
        killTimer = vertx.setTimer(10_000, id -> finish(KILLED));
      }
    }
  }

  private synchronized void finish(int exitCode) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    if (deadline >= 0) {
      vertx.cancelTimer(deadline);
    }
    if (killTimer >= 0) {
      vertx.cancelTimer(killTimer);
    }
    // The toolbox does not always end the log of a killed command (or of a stopped sandbox): the
    // socket would stay open for good.
    if (logs != null) {
      logs.close();
      logs = null;
    }
    events.onNext(new ExecEvent.Exit(exitCode, timedOut.get(), cancelled.get(), truncated.get()));
    events.onComplete();
    whenFinished.run();
    if (!killed.get()) {
      deleteSession()
          .subscribe()
          .with(ok -> {}, failure -> Log.debugf("daytona session left: %s", failure.getMessage()));
    }
  }
}
