package dev.remoteclaude.gateway.provider.kubernetes;

import dev.remoteclaude.gateway.provider.ProcessTrees;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * fabric8's mock API server in CRUD mode, plus what a real cluster adds that the provider relies
 * on, emulated as the Kubernetes components would do it:
 *
 * <ul>
 *   <li>a kubelet: a new pod becomes Running and Ready; a deleted pod's processes are killed and
 *       its emptyDir (/tmp) removed; a deleted claim's files removed;
 *   <li>the exec API ({@code pods/<name>/exec}, WebSocket, {@code v4.channel.k8s.io}): the command
 *       runs for real, in bubblewrap, with the pod's claim at {@code /sandbox} and its emptyDir at
 *       {@code /tmp}, as uid 1000 with the container's environment (env and envFrom Secret); stdin
 *       arrives on channel 0, stdout and stderr go out on channels 1 and 2, and the exit status as
 *       a {@code Status} on channel 3, as the API server sends it.
 * </ul>
 */
public final class EmulatedCluster implements AutoCloseable {

  private static final Pattern EXEC =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/exec\\?(.*)");

  private final Path root;
  private final KubernetesCrudDispatcher crud;
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final KubernetesClient kubeletClient;
  private final List<Watch> watches = new ArrayList<>();
  private final Map<String, Set<Process>> processes = new ConcurrentHashMap<>();

  /** Pods deleted (and not created again since): an exec starting for one is killed at once. */
  private final Set<String> deleted = ConcurrentHashMap.newKeySet();

  private final List<String> execRequests = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Set<String> stuckNamespaces = ConcurrentHashMap.newKeySet();

  public EmulatedCluster(Path root) {
    if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
      throw new IllegalStateException(
          "the emulated kubelet runs exec'd processes in bubblewrap: apt-get install bubblewrap");
    }
    this.root = root;
    CustomResourceDefinitionContext snapshots =
        new CustomResourceDefinitionContext.Builder()
            .withGroup(VolumeSnapshots.GROUP)
            .withVersion("v1")
            .withKind(VolumeSnapshots.KIND)
            .withPlural("volumesnapshots")
            .withScope("Namespaced")
            .build();
    this.crud = new KubernetesCrudDispatcher(List.of(snapshots));
    Dispatcher dispatcher =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            Matcher exec = EXEC.matcher(request.getPath());
            if (exec.matches()) {
              return exec(exec.group(1), exec.group(2), exec.group(3));
            }
            return crud.dispatch(request);
          }
        };
    this.server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    this.client = server.createClient();
    this.kubeletClient = server.createClient();
    startKubelet();
  }

  public KubernetesClient client() {
    return client;
  }

  /** Where a claim's files are (as a CSI driver would keep them). */
  public Path claimDir(String namespace, String claim) {
    return root.resolve("claims").resolve(namespace).resolve(claim);
  }

  private Path podTmp(String namespace, String pod) {
    return root.resolve("pods").resolve(namespace).resolve(pod).resolve("tmp");
  }

  // --- kubelet ----------------------------------------------------------------------------------

  private final java.util.concurrent.ScheduledExecutorService kubeletSync =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("emulated-kubelet-sync").factory());

  /** The environment variable that names the pod a process belongs to. */
  private static final String POD_MARK = "EMULATED_CLUSTER_POD";

  /** Kills every process of the machine marked as the pod's (read from /proc/<pid>/environ). */
  private static void killMarked(String key) {
    String mark = "\0" + POD_MARK + "=" + key + "\0";
    ProcessHandle.allProcesses()
        .forEach(
            p -> {
              try {
                String environ =
                    "\0"
                        + java.nio.file.Files.readString(
                            Path.of("/proc", p.pid() + "", "environ"),
                            java.nio.charset.StandardCharsets.ISO_8859_1);
                if (environ.contains(mark)) {
                  p.destroyForcibly();
                }
              } catch (IOException | RuntimeException e) {
                // gone, or not ours to read
              }
            });
  }

  private void startKubelet() {
    // A backstop for a DELETED event the watch did not deliver (a kubelet syncs its pods with the
    // API server too): the processes of a pod that no longer exists are killed.
    kubeletSync.scheduleWithFixedDelay(
        () -> {
          for (String key : List.copyOf(processes.keySet())) {
            String[] nsName = key.split("/", 2);
            try {
              if (kubeletClient.pods().inNamespace(nsName[0]).withName(nsName[1]).get() == null) {
                deleted.add(key);
                Set<Process> running = processes.remove(key);
                if (running != null) {
                  running.forEach(ProcessTrees::kill);
                }
                killMarked(key);
              }
            } catch (RuntimeException e) {
              // the cluster is closing
            }
          }
        },
        250,
        250,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    watches.add(
        kubeletClient
            .pods()
            .inAnyNamespace()
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    String ns = pod.getMetadata().getNamespace();
                    String name = pod.getMetadata().getName();
                    switch (action) {
                      case ADDED -> {
                        deleted.remove(ns + "/" + name);
                        Thread.ofPlatform()
                            .daemon()
                            .start(
                                () -> {
                                  try {
                                    run(pod);
                                  } catch (RuntimeException e) {
                                    System.err.println("emulated kubelet: " + e);
                                  }
                                });
                      }
                      case DELETED -> {
                        deleted.add(ns + "/" + name);
                        Set<Process> running = processes.remove(ns + "/" + name);
                        if (running != null) {
                          running.forEach(ProcessTrees::kill);
                        }
                        killMarked(ns + "/" + name);
                        deleteTree(podTmp(ns, name).getParent());
                      }
                      default -> {}
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                }));
    watches.add(
        kubeletClient
            .persistentVolumeClaims()
            .inAnyNamespace()
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, PersistentVolumeClaim claim) {
                    if (action == Action.DELETED) {
                      deleteTree(
                          claimDir(
                              claim.getMetadata().getNamespace(), claim.getMetadata().getName()));
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                }));
  }

  /** The pod's volumes exist and it runs: Running, Ready. */
  private void run(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    if (stuckNamespaces.contains(ns)) {
      return;
    }
    try {
      Files.createDirectories(podTmp(ns, name));
      String claim = claimOf(pod);
      if (claim != null) {
        Files.createDirectories(claimDir(ns, claim));
      }
      kubeletClient
          .pods()
          .inNamespace(ns)
          .withName(name)
          .editStatus(
              p -> {
                if (p.getStatus() == null) {
                  p.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
                }
                p.getStatus().setPhase("Running");
                p.getStatus()
                    .setConditions(
                        List.of(
                            new PodConditionBuilder()
                                .withType("Ready")
                                .withStatus("True")
                                .build()));
                return p;
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 404) { // 404: the pod was deleted before it could start
        throw e;
      }
    }
  }

  private static String claimOf(Pod pod) {
    for (Volume volume : pod.getSpec().getVolumes()) {
      if (volume.getPersistentVolumeClaim() != null) {
        return volume.getPersistentVolumeClaim().getClaimName();
      }
    }
    return null;
  }

  // --- exec -------------------------------------------------------------------------------------

  /** Pods of this namespace never start (as with an image that cannot be pulled). */
  public void neverStartPodsIn(String namespace) {
    stuckNamespaces.add(namespace);
  }

  /** Every exec request the API server got, as its decoded query (what an audit log records). */
  public List<String> execRequests() {
    return execRequests;
  }

  private MockResponse exec(String namespace, String podName, String query) {
    execRequests.add(URLDecoder.decode(query, StandardCharsets.UTF_8));
    MockResponse found = crud.handleGet("/api/v1/namespaces/" + namespace + "/pods/" + podName);
    if (found.code() != 200) {
      return found;
    }
    Pod pod = Serialization.unmarshal(found.getBody().readUtf8(), Pod.class);
    List<String> command = new ArrayList<>();
    for (String param : query.split("&")) {
      int eq = param.indexOf('=');
      if (eq > 0 && param.substring(0, eq).equals("command")) {
        command.add(URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return new MockResponse()
        .setHeader("Sec-WebSocket-Protocol", "v4.channel.k8s.io")
        .withWebSocketUpgrade(new ExecSession(pod, command));
  }

  private final class ExecSession extends WebSocketListener {
    private final Pod pod;
    private final List<String> command;
    private volatile Process process;
    private final List<byte[]> early = new ArrayList<>();

    ExecSession(Pod pod, List<String> command) {
      this.pod = pod;
      this.command = command;
    }

    @Override
    public void onOpen(WebSocket ws, Response response) {
      String ns = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      String key = ns + "/" + name;
      try {
        Process started = new ProcessBuilder(bwrap(ns, name)).start();
        synchronized (this) {
          process = started;
          for (byte[] input : early) {
            toStdin(input);
          }
          early.clear();
        }
      } catch (IOException e) {
        ws.send(channel(3, status(126)));
        ws.close(1000, "");
        return;
      }
      processes.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(process);
      if (deleted.contains(key)) {
        // The pod was deleted while this exec was starting: its processes go with it.
        ProcessTrees.kill(process);
      }
      Thread out = Thread.ofPlatform().daemon().start(() -> pump(process.getInputStream(), 1, ws));
      Thread err = Thread.ofPlatform().daemon().start(() -> pump(process.getErrorStream(), 2, ws));
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try {
                  int code = process.waitFor();
                  // The exec ends with its process, as the kubelet's does: a child that escaped a
                  // kill (forked while bwrap was setting up) must not hold the streams open.
                  if (!out.join(Duration.ofSeconds(2)) || !err.join(Duration.ofSeconds(2))) {
                    closeQuietly(process.getInputStream());
                    closeQuietly(process.getErrorStream());
                    out.join();
                    err.join();
                  }
                  Set<Process> running = processes.get(key);
                  if (running != null) {
                    running.remove(process);
                  }
                  ws.send(channel(3, status(code)));
                  ws.close(1000, "");
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                  // The cluster is being closed: nobody is listening any more.
                }
              });
    }

    @Override
    public void onMessage(WebSocket ws, ByteString bytes) {
      onMessage(ws, bytes.toByteArray());
    }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) {
      if (bytes.length > 1 && bytes[0] == 0) {
        synchronized (this) {
          if (process == null) {
            early.add(bytes);
          } else {
            toStdin(bytes);
          }
        }
      }
    }

    private void toStdin(byte[] message) {
      try {
        OutputStream in = process.getOutputStream();
        in.write(message, 1, message.length - 1);
        in.flush();
      } catch (IOException e) {
        // the process no longer reads its input
      }
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      // The client went away; like the kubelet, leave the process running.
    }

    private List<String> bwrap(String ns, String name) throws IOException {
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
      Path claimDir = claimDir(ns, claimOf(pod));
      writable(claimDir);
      writable(podTmp(ns, name));
      cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
      cmd.addAll(List.of("--bind", claimDir.toString(), SandboxResources.MOUNT));
      cmd.addAll(List.of("--bind", podTmp(ns, name).toString(), "/tmp"));
      Container container = pod.getSpec().getContainers().get(0);
      cmd.addAll(List.of("--chdir", container.getWorkingDir(), "--clearenv"));
      Map<String, String> env = new TreeMap<>();
      env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      env.put("HOSTNAME", pod.getSpec().getHostname());
      for (EnvFromSource from : container.getEnvFrom()) {
        env.putAll(secret(ns, from.getSecretRef().getName()));
      }
      for (EnvVar var : container.getEnv()) {
        env.put(var.getName(), var.getValue());
      }
      env.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
      // Marks the pod's processes: its deletion kills every one, also a child that left the tree.
      cmd.addAll(List.of("--setenv", POD_MARK, ns + "/" + name));
      // All processes of a pod run as one non-root user in one user namespace, as in a container
      // (so one exec can signal another's processes).
      cmd.addAll(
          List.of(
              "--", "/usr/bin/setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--"));
      cmd.addAll(command);
      return cmd;
    }
  }

  private Map<String, String> secret(String ns, String name) {
    MockResponse found = crud.handleGet("/api/v1/namespaces/" + ns + "/secrets/" + name);
    if (found.code() != 200) {
      throw new IllegalStateException("secret " + name + " is missing: the pod could not start");
    }
    Secret secret = Serialization.unmarshal(found.getBody().readUtf8(), Secret.class);
    Map<String, String> values = new TreeMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) ->
                  values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      values.putAll(secret.getStringData());
    }
    return values;
  }

  private static void writable(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  private static void pump(InputStream stream, int channel, WebSocket ws) {
    byte[] buffer = new byte[8192];
    try (stream) {
      int read;
      while ((read = stream.read(buffer)) != -1) {
        ws.send(channel(channel, Arrays.copyOf(buffer, read)));
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  private static byte[] channel(int channel, byte[] bytes) {
    byte[] message = new byte[bytes.length + 1];
    message[0] = (byte) channel;
    System.arraycopy(bytes, 0, message, 1, bytes.length);
    return message;
  }

  /** The Status the API server sends on the error channel when the process ends. */
  static byte[] status(int exitCode) {
    String json =
        exitCode == 0
            ? "{\"metadata\":{},\"status\":\"Success\"}"
            : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: error executing command, exit status "
                + exitCode
                + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\""
                + exitCode
                + "\"}]}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static void closeQuietly(java.io.InputStream stream) {
    try {
      stream.close();
    } catch (IOException e) {
      // already closed
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
      // best effort, as a volume plugin's cleanup
    }
  }

  @Override
  public void close() {
    kubeletSync.shutdownNow();
    watches.forEach(Watch::close);
    processes.values().forEach(set -> set.forEach(ProcessTrees::kill));
    client.close();
    kubeletClient.close();
    server.destroy();
  }
}
