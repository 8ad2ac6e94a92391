package dev.remoteclaude.gateway.provider.kubernetes;

import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ProviderException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A process in a sandbox's pod, through the Kubernetes exec API (WebSocket, {@code
 * v4.channel.k8s.io}: stdout on channel 1, stderr on 2, the exit status on 3).
 *
 * <p>Every process is started by a small POSIX shell launcher ({@link #LAUNCHER}) that gets its
 * inputs on standard input, never on the command line: first one line with the process's
 * environment ({@code NAME=<base64 of the value>} separated by spaces), then one line with the
 * length of the process's standard input, then those bytes. (The v4 protocol cannot close stdin, so
 * the length tells the launcher where the input ends.) The launcher exports the variables, changes
 * to the working directory, and runs the command under {@code timeout} (a backstop should the
 * gateway die), in its own process group, whose id it writes to {@code /tmp/.rc-exec/<id>}: a
 * cancel or a timeout kills that group through a second exec. Only the command's argument vector
 * appears in the exec request (and so in the API server's audit log); environment values never do.
 */
final class PodExec implements ExecHandle {

  static final String EXEC_DIR = "/tmp/.rc-exec";
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * $1 exec id, $2 working directory relative to the sandbox's volume ({@code workspace/...}), $3
   * backstop timeout in seconds, then the command. Its own variables start with {@code __rcx_} so
   * the exported ones cannot clobber them, and the tools it needs are found before PATH may change.
   */
  static final String LAUNCHER =
      """
      __rcx_id=$1; __rcx_wd=$2; __rcx_max=$3; shift 3
      __rcx_timeout=$(command -v timeout) || { echo 'rc-exec: timeout not found' >&2; exit 125; }
      __rcx_head=$(command -v head) || { echo 'rc-exec: head not found' >&2; exit 125; }
      __rcx_b64=$(command -v base64) || { echo 'rc-exec: base64 not found' >&2; exit 125; }
      IFS= read -r __rcx_env || exit 125
      IFS= read -r __rcx_len || exit 125
      for __rcx_kv in $__rcx_env; do
        __rcx_v=$(printf '%s' "${__rcx_kv#*=}" | "$__rcx_b64" -d; printf x) || exit 125
        export "${__rcx_kv%%=*}=${__rcx_v%x}"
      done
      unset __rcx_env __rcx_kv __rcx_v
      cd -- "{MOUNT}/$__rcx_wd" 2>/dev/null || { echo "rc-exec: no such directory: $__rcx_wd" >&2; exit 125; }
      mkdir -p {EXEC_DIR} || exit 125
      exec 3<&0
      if [ "$__rcx_len" -gt 0 ]; then
        "$__rcx_head" -c "$__rcx_len" <&3 | "$__rcx_timeout" -s KILL "$__rcx_max" "$@" 3<&- &
      else
        "$__rcx_timeout" -s KILL "$__rcx_max" "$@" </dev/null 3<&- &
      fi
      __rcx_pid=$!
      echo "$__rcx_pid" > "{EXEC_DIR}/$__rcx_id"
      wait "$__rcx_pid"; __rcx_status=$?
      rm -f "{EXEC_DIR}/$__rcx_id"
      exit "$__rcx_status"
      """
          .replace("{MOUNT}", SandboxResources.MOUNT)
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

  private final KubernetesClient client;
  private final String namespace;
  private final String pod;
  private final String id = UUID.randomUUID().toString();
  private final long maxOutputBytes;
  private final UnicastProcessor<ExecEvent> events = UnicastProcessor.create();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicBoolean truncated = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicInteger exitCode = new AtomicInteger(Integer.MIN_VALUE);
  private final ScheduledExecutorService timers;
  private volatile ExecWatch watch;
  private volatile ScheduledFuture<?> deadline;

  private PodExec(
      KubernetesClient client,
      String namespace,
      String pod,
      long maxOutputBytes,
      ScheduledExecutorService timers) {
    this.client = client;
    this.namespace = namespace;
    this.pod = pod;
    this.maxOutputBytes = maxOutputBytes;
    this.timers = timers;
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
   * Starts a command; blocking (call it on a worker thread). {@code stdin} is read to its end
   * ({@code stdinLength} bytes) while the process runs.
   */
  static PodExec start(
      KubernetesClient client,
      String namespace,
      String pod,
      List<String> command,
      String workingDir,
      Map<String, String> env,
      InputStream stdin,
      long stdinLength,
      Duration timeout,
      long maxOutputBytes,
      ScheduledExecutorService timers) {
    checkEnvironment(env);
    if (command.isEmpty()) {
      throw new ProviderException(ProviderException.Kind.INVALID, "empty command");
    }
    PodExec exec = new PodExec(client, namespace, pod, maxOutputBytes, timers);
    long backstop = Math.max(1, timeout.toSeconds()) + 30;
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", LAUNCHER, "rc-exec", exec.id));
    argv.add(workingDir);
    argv.add(String.valueOf(backstop));
    argv.addAll(command);
    exec.open(argv);
    exec.deadline =
        timers.schedule(() -> exec.kill(exec.timedOut), timeout.toMillis(), TimeUnit.MILLISECONDS);
    exec.feed(header(env, stdinLength), stdin);
    return exec;
  }

  private static byte[] header(Map<String, String> env, long stdinLength) {
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
    return (line + "\n" + stdinLength + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private void open(List<String> argv) {
    try {
      watch =
          client
              .pods()
              .inNamespace(namespace)
              .withName(pod)
              .inContainer(SandboxResources.CONTAINER)
              .redirectingInput()
              .writingOutput(new Chunks(ExecEvent.Stdout::new))
              .writingError(new Chunks(ExecEvent.Stderr::new))
              .usingListener(
                  new ExecListener() {
                    @Override
                    public void onExit(int code, Status status) {
                      // fabric8 asks for the next frame only once the previous output was
                      // written, so every output chunk is already out; the close frame that
                      // follows may never be read (nothing asks for it), so end here.
                      exitCode.compareAndSet(Integer.MIN_VALUE, code);
                      finish();
                    }

                    @Override
                    public void onFailure(Throwable failure, Response response) {
                      Log.debugf("exec in %s failed: %s", pod, failure.getMessage());
                      finish();
                    }

                    @Override
                    public void onClose(int code, String reason) {
                      finish();
                    }
                  })
              .exec(argv.toArray(String[]::new));
    } catch (KubernetesClientException e) {
      throw KubernetesSandboxProvider.translate("cannot start a process in the sandbox", e);
    }
  }

  private void feed(byte[] header, InputStream stdin) {
    Thread.ofVirtual()
        .name("k8s-exec-stdin")
        .start(
            () -> {
              try (stdin) {
                OutputStream in = watch.getInput();
                in.write(header);
                stdin.transferTo(in);
                in.flush();
              } catch (IOException | RuntimeException e) {
                Log.debugf("stdin of %s closed early: %s", pod, e.getMessage());
              }
            });
  }

  /** Output of one stream, cut at the limit; written by fabric8 in order, before the close. */
  private final class Chunks extends OutputStream {
    private final Function<byte[], ExecEvent> wrap;
    private long total;

    Chunks(Function<byte[], ExecEvent> wrap) {
      this.wrap = wrap;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      if (length == 0 || finished.get()) {
        return;
      }
      if (total >= maxOutputBytes) {
        truncated.set(true);
        return;
      }
      int keep = (int) Math.min(length, maxOutputBytes - total);
      if (keep < length) {
        truncated.set(true);
      }
      total += keep;
      events.onNext(wrap.apply(Arrays.copyOfRange(bytes, offset, offset + keep)));
    }
  }

  private void finish() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> timer = deadline;
    if (timer != null) {
      timer.cancel(false);
    }
    int code = exitCode.get();
    if (code == Integer.MIN_VALUE || code < 0) {
      // No status: the stream was cut (we killed it, or the pod went away).
      code = cancelled.get() || timedOut.get() ? 137 : -1;
    }
    events.onNext(new ExecEvent.Exit(code, timedOut.get(), cancelled.get(), truncated.get()));
    events.onComplete();
    ExecWatch w = watch;
    if (w != null) {
      w.close();
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

  /** Marks why, kills the process group inside the pod, and gives up on the stream if it hangs. */
  private void kill(AtomicBoolean reason) {
    if (finished.get() || !reason.compareAndSet(false, true)) {
      return;
    }
    Thread.ofVirtual()
        .name("k8s-exec-kill")
        .start(
            () -> {
              try (ExecWatch killer =
                  client
                      .pods()
                      .inNamespace(namespace)
                      .withName(pod)
                      .inContainer(SandboxResources.CONTAINER)
                      // The API server refuses an exec without any stream.
                      .writingOutput(OutputStream.nullOutputStream())
                      .writingError(OutputStream.nullOutputStream())
                      .exec("/bin/sh", "-c", KILLER, "rc-kill", id)) {
                killer.exitCode().get(15, TimeUnit.SECONDS);
              } catch (Exception e) {
                Log.debugf("could not kill %s in %s: %s", id, pod, e.getMessage());
              }
              timers.schedule(this::finish, 10, TimeUnit.SECONDS);
            });
  }
}
