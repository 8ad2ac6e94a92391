package dev.remoteclaude.gateway.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderConfigs;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.testing.TestInfra;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local sandboxes attacked as a hostile tenant would: from one sandbox, another sandbox's loopback
 * ports, the platform's PostgreSQL and Kafka and the host's loopback are out of reach; a fork bomb,
 * a memory hog, a full /tmp or a huge file stay inside the sandbox's limits while another sandbox
 * keeps answering; a sandbox runs at most its number of commands at once; a detached daemon deaf to
 * SIGTERM dies with its command, and with its paused or terminated sandbox.
 */
class LocalIsolationTest {

  private static final Duration WAIT = Duration.ofMinutes(1);

  @TempDir static Path root;
  private static LocalSandboxProvider provider;
  private static ServerSocket hostService;
  private static ServerSocket modelEndpoint;
  private static final AtomicBoolean serving = new AtomicBoolean(true);
  private static final List<String> created =
      java.util.Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws IOException {
    assumeThat(SandboxNamespaces.installed("bwrap")).as("bubblewrap installed").isTrue();
    hostService = listen();
    modelEndpoint = listen();
    provider = new LocalSandboxProvider(ProviderConfigs.gateway(config(root, "64M")));
  }

  @AfterAll
  static void stop() throws IOException {
    serving.set(false);
    if (provider != null) {
      for (String id : created) {
        provider.terminate(id).await().atMost(WAIT);
      }
      provider.close();
    }
    for (ServerSocket socket : new ServerSocket[] {hostService, modelEndpoint}) {
      if (socket != null) {
        socket.close();
      }
    }
  }

  private static Map<String, String> config(Path root, String disk) {
    Map<String, String> config = new HashMap<>();
    config.put("gateway.local.root", root.toString());
    config.put("gateway.local.isolation", "bubblewrap");
    // The model proxy's port is the one let through; the model API itself (here the host service)
    // is not: the proxy is the only way to it.
    config.put("gateway.model-proxy.port", Integer.toString(modelEndpoint.getLocalPort()));
    config.put("gateway.claude.base-url", "http://127.0.0.1:" + hostService.getLocalPort());
    config.put("gateway.local.limits.memory", "256M");
    config.put("gateway.local.limits.processes", "200");
    config.put("gateway.local.limits.tmp", "8M");
    config.put("gateway.local.limits.file-size", "16M");
    config.put("gateway.local.limits.concurrent-commands", "4");
    config.put("gateway.local.limits.disk", disk);
    return config;
  }

  /** A service on the host's loopback that greets whoever connects. */
  private static ServerSocket listen() throws IOException {
    ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (serving.get()) {
                try (Socket client = socket.accept();
                    OutputStream out = client.getOutputStream()) {
                  out.write("hello\n".getBytes());
                } catch (IOException e) {
                  return;
                }
              }
            });
    return socket;
  }

  @Test
  void aSandboxCannotReachAnotherSandboxsLoopbackPortsNorThePlatformsServices() throws Exception {
    String a = create();
    String b = create();
    int port = 20000 + (int) (Math.random() * 20000);
    // B serves on its own loopback ...
    ExecHandle server =
        exec(
            b,
            Duration.ofMinutes(2),
            "perl",
            "-MIO::Socket::INET",
            "-e",
            "$s=IO::Socket::INET->new(LocalAddr=>'127.0.0.1',LocalPort=>$ARGV[0],Listen=>5,"
                + "ReuseAddr=>1) or die; while($c=$s->accept){print $c \"from-b\\n\"; close $c}",
            Integer.toString(port));
    try {
      // ... which B's own commands reach,
      await()
          .atMost(WAIT)
          .until(() -> run(b, "timeout 5 bash -c " + connect(port)).stdout().contains("from-b"));
      // A's do not: its loopback is its own.
      ExecResult fromA = run(a, "timeout 5 bash -c " + connect(port) + " || echo unreachable");
      assertThat(fromA.stdout()).contains("unreachable").doesNotContain("from-b");
    } finally {
      server.cancel();
    }

    // The platform's PostgreSQL and Kafka, and any service on the host's loopback: out of reach.
    URI kafka = URI.create("kafka://" + TestInfra.kafkaBootstrapServers().split(",")[0]);
    for (int hostPort :
        List.of(kafka.getPort(), TestInfra.postgres().port(), hostService.getLocalPort())) {
      assertThat(hostPort).isPositive();
      try (Socket fromHost = new Socket(InetAddress.getLoopbackAddress(), hostPort)) {
        assertThat(fromHost.isConnected()).isTrue(); // it is there, for the host
      }
      assertThat(
              run(a, "timeout 5 bash -c " + connect(hostPort) + " && echo reached || echo blocked")
                  .stdout())
          .as("host port %d from a sandbox", hostPort)
          .contains("blocked")
          .doesNotContain("reached");
    }

    // The model proxy on the host's loopback is the one port let through (with pasta).
    if (networkIs(SandboxNamespaces.Network.PASTA)) {
      assertThat(run(a, "timeout 5 bash -c " + connect(modelEndpoint.getLocalPort())).stdout())
          .contains("hello");
    }
  }

  /**
   * pasta reaches what the host reaches: without more, a sandbox would reach the host's neighbours
   * on its own subnet (another machine of the platform, a database), which the private ranges do
   * not cover when the subnet is public or more specific than them. The neighbour here is an
   * address of the host's subnet added to the host's loopback (root only).
   */
  @Test
  void aNeighbourOnTheHostsSubnetIsOutOfReach() throws Exception {
    assumeThat(networkIs(SandboxNamespaces.Network.PASTA)).as("network through pasta").isTrue();
    assumeThat(HostUsers.runningAsRoot()).as("root adds the neighbour's address").isTrue();
    String subnet =
        SandboxNamespaces.hostSubnets().stream()
            .filter(net -> !net.contains(":") && Integer.parseInt(net.split("/")[1]) <= 24)
            .findFirst()
            .orElse(null);
    assumeThat(subnet).as("an IPv4 subnet of /24 or wider on the host").isNotNull();
    byte[] bytes = InetAddress.getByName(subnet.split("/")[0]).getAddress();
    bytes[3] = (byte) 201;
    InetAddress neighbour = InetAddress.getByAddress(bytes);
    String address = neighbour.getHostAddress() + "/32";
    assertThat(new ProcessBuilder("ip", "addr", "add", address, "dev", "lo").start().waitFor())
        .isZero();
    try (ServerSocket socket = new ServerSocket(0, 50, neighbour)) {
      Thread.ofVirtual()
          .start(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket client = socket.accept();
                      OutputStream out = client.getOutputStream()) {
                    out.write("neighbour\n".getBytes());
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      String a = create();
      String probe =
          "timeout 5 bash -c 'exec 3<>/dev/tcp/"
              + neighbour.getHostAddress()
              + "/"
              + socket.getLocalPort()
              + " && head -1 <&3' && echo reached || echo blocked";
      assertThat(run(a, probe).stdout())
          .as("%s, a neighbour on %s", neighbour.getHostAddress(), subnet)
          .contains("blocked")
          .doesNotContain("neighbour");
    } finally {
      new ProcessBuilder("ip", "addr", "del", address, "dev", "lo").start().waitFor();
    }
  }

  /**
   * The host's resolver may be on its loopback (systemd's 127.0.0.53) or in a private range (this
   * machine's): both closed to a sandbox. Names still resolve, through pasta's DNS forwarder.
   */
  @Test
  void namesResolveInsideASandboxWhateverTheHostsResolverAddress() {
    assumeThat(networkIs(SandboxNamespaces.Network.PASTA)).as("network through pasta").isTrue();
    String name = "repo1.maven.org";
    boolean hostResolves;
    try {
      InetAddress.getByName(name);
      hostResolves = true;
    } catch (java.net.UnknownHostException e) {
      hostResolves = false;
    }
    assumeThat(hostResolves).as("the host resolves " + name).isTrue();
    String a = create();
    ExecResult lookup = run(a, "getent hosts " + name + " || echo unresolved");
    assertThat(lookup.stdout()).contains(name).doesNotContain("unresolved");
    assertThat(run(a, "cat /etc/resolv.conf").stdout())
        .contains("nameserver " + SandboxNamespaces.DNS_FORWARD);
  }

  @Test
  void aForkBombStaysWithinItsSandboxsProcessLimitAndAnotherSandboxKeepsAnswering() {
    String bomber = create();
    String neighbour = create();
    ExecHandle bomb =
        exec(
            bomber,
            Duration.ofSeconds(40),
            "bash",
            "-c",
            "bomb() { bomb | bomb & }; bomb; sleep 60");
    try {
      // The bomb fills its sandbox up to the limit (200 here; a few more are bubblewrap's own,
      // outside the sandbox's namespaces) and no further, for as long as it keeps trying ...
      await().atMost(WAIT).until(() -> processesOf(bomb) >= 150);
      await()
          .during(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(10))
          .until(() -> processesOf(bomb) <= 200 + 3);
      // ... while the neighbour's commands run, and the host can still start processes.
      ExecResult answer = run(neighbour, "echo alive; ls / | wc -l");
      assertThat(answer.exitCode()).isZero();
      assertThat(answer.stdout()).startsWith("alive");
      assertThat(new ProcessBuilder("true").start().waitFor()).isZero();
      assertThat(processesOf(bomb)).isGreaterThanOrEqualTo(150);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    } finally {
      bomb.cancel();
    }
    // Once the bomb is gone, the sandbox is usable again.
    await().atMost(WAIT).until(() -> run(bomber, "echo back").stdout().equals("back\n"));
  }

  @Test
  void aMemoryHogIsKilledAtItsSandboxsMemoryLimitWhileAnotherSandboxKeepsAnswering() {
    assumeThat(provider.limitsMemory()).as("cgroups available to the gateway").isTrue();
    String hog = create();
    String neighbour = create();
    // tail keeps the (endless) last line of /dev/zero in memory; the cgroup's OOM killer ends it.
    // (ulimit -v is only a safety net should the limit not hold: then tail fails with exit 1.)
    ExecResult hogged = run(hog, "ulimit -v 4000000; tail /dev/zero");
    assertThat(hogged.exitCode()).as("killed by the OOM killer (SIGKILL)").isEqualTo(137);
    ExecResult answer = run(neighbour, "echo alive");
    assertThat(answer.stdout()).isEqualTo("alive\n");
  }

  @Test
  void tmpAndFileSizesAreLimited() {
    String id = create();
    ExecResult tmp = run(id, "head -c 20000000 /dev/zero > /tmp/big; echo $?; du -k /tmp/big");
    assertThat(tmp.stdout()).doesNotStartWith("0\n");
    assertThat(Long.parseLong(tmp.stdout().lines().toList().get(1).split("\\s+")[0]))
        .isLessThanOrEqualTo(8 * 1024);

    ExecResult file =
        run(id, "head -c 40000000 /dev/zero > /workspace/big; echo $?; stat -c %s /workspace/big");
    assertThat(file.stdout()).doesNotStartWith("0\n");
    assertThat(Long.parseLong(file.stdout().lines().toList().get(1).strip()))
        .isLessThanOrEqualTo(16L * 1024 * 1024);
  }

  @Test
  void aSandboxFillsOnlyItsOwnDiskAndCanWriteAgainOnceItDeletes() {
    assumeThat(provider.limitsDisk()).as("loop-mounted disks (root)").isTrue();
    String full = create();
    String other = create();
    ExecResult fill =
        run(
            full,
            "for i in 1 2 3 4 5 6 7 8 9; do head -c 10000000 /dev/zero > /workspace/f$i"
                + " || { echo disk-full; break; }; done; du -sk /workspace | cut -f1");
    assertThat(fill.stdout()).contains("disk-full");
    assertThat(Long.parseLong(fill.stdout().lines().toList().getLast().strip()))
        .isLessThanOrEqualTo(64 * 1024);
    // Its home is on the same disk, full too; another sandbox writes as before.
    assertThat(
            run(full, "head -c 1000000 /dev/zero > $HOME/x && echo wrote || echo home-full")
                .stdout())
        .contains("home-full");
    assertThat(run(other, "head -c 1000000 /dev/zero > /workspace/ok && echo wrote").stdout())
        .isEqualTo("wrote\n");
    // Deleting frees it.
    assertThat(run(full, "rm -f /workspace/f*; echo y > /workspace/again && echo wrote").stdout())
        .isEqualTo("wrote\n");
  }

  @Test
  void aSandboxRunsAtMostItsNumberOfCommandsAtOnce() {
    String id = create();
    List<ExecHandle> sleeping = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        sleeping.add(exec(id, Duration.ofMinutes(1), "sleep", "60"));
      }
      assertThatThrownBy(() -> exec(id, Duration.ofMinutes(1), "true"))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ProviderException.Kind.BUSY);
                assertThat(e.getMessage()).contains("4 commands");
              });
    } finally {
      sleeping.forEach(ExecHandle::cancel);
    }
    await().atMost(WAIT).until(() -> run(id, "echo again").stdout().equals("again\n"));
  }

  @Test
  void sandboxProcessesRunAsAnUnprivilegedHostUserWithoutCapabilities() throws IOException {
    String id = create();
    ExecResult result = run(id, "id -u; grep CapEff /proc/self/status; sleep 30 & echo $!");
    assertThat(result.stdout()).startsWith("1000\n").contains("0000000000000000");
    if (HostUsers.runningAsRoot()) {
      Path workspace = root.resolve("sandboxes").resolve(id).resolve("workspace");
      assertThat(Files.getAttribute(workspace, "unix:uid")).isEqualTo(200000);
    }
  }

  @Test
  void gatewayProcessesSharingTheSandboxesShareTheirNamespacesAndAStartingOneCutsNoNetwork() {
    String id = create();
    String netns = run(id, "readlink /proc/self/ns/net").stdout();
    assertThat(netns).startsWith("net:[");
    // A second gateway process (a replica, or this one restarted) starting on the same directory
    // leaves the namespaces in use alone, and enters the same ones.
    LocalSandboxProvider replica =
        new LocalSandboxProvider(ProviderConfigs.gateway(config(root, "64M")));
    try {
      assertThat(run(replica, id, "readlink /proc/self/ns/net").stdout()).isEqualTo(netns);
      if (networkIs(SandboxNamespaces.Network.PASTA)) {
        String model = "timeout 5 bash -c " + connect(modelEndpoint.getLocalPort());
        assertThat(run(id, model).stdout()).contains("hello");
        assertThat(run(replica, id, model).stdout()).contains("hello");
      }
    } finally {
      replica.close();
    }
    // The first keeps using them after the other is gone.
    assertThat(run(id, "readlink /proc/self/ns/net").stdout()).isEqualTo(netns);
  }

  @Test
  void theNamespacesOfASandboxRemovedWhileNoGatewayRanEndWhenAGatewayStarts(@TempDir Path other)
      throws IOException {
    LocalSandboxProvider first =
        new LocalSandboxProvider(ProviderConfigs.gateway(config(other, "0")));
    String id =
        first.create(dev.remoteclaude.gateway.provider.SandboxSpecs.fresh()).await().atMost(WAIT);
    assertThat(run(first, id, "echo up").stdout()).isEqualTo("up\n");
    Path dir = other.resolve("sandboxes").resolve(id);
    List<ProcessHandle> namespaces = new ArrayList<>();
    for (String pidFile : List.of("holder.pid", "pasta.pid")) {
      if (Files.exists(dir.resolve(pidFile))) {
        namespaces.add(
            ProcessHandle.of(Long.parseLong(Files.readString(dir.resolve(pidFile)).strip()))
                .orElseThrow());
      }
    }
    assertThat(namespaces).isNotEmpty().allMatch(ProcessHandle::isAlive);
    // The gateway process is killed outright (it never closes): its sandbox's namespaces live on
    // for the replicas sharing the directory ...
    try (var tree = Files.walk(dir)) {
      for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    // ... but not the sandbox: the next gateway to start ends them.
    new LocalSandboxProvider(ProviderConfigs.gateway(config(other, "0"))).close();
    await().atMost(WAIT).until(() -> namespaces.stream().noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void aDetachedDaemonThatIgnoresSigtermDiesWithItsCommandAndItsPausedSandbox() throws IOException {
    String id = create();
    String marker = "rc-escape-" + java.util.UUID.randomUUID();
    // A command that starts the daemon and ends: the daemon goes with it, and does not keep the
    // command's output open (the gateway would stop reading it only 10 s after the command ends).
    ExecResult returned =
        ExecResult.collect(exec(id, Duration.ofMinutes(1), "bash", "-c", daemon(marker)))
            .await()
            .atMost(Duration.ofSeconds(8));
    assertThat(returned.stdout()).isEqualTo("started\n");
    Path workspace = root.resolve("sandboxes").resolve(id).resolve("workspace");
    await().atMost(WAIT).until(() -> processesMarked(marker).isEmpty());
    assertStopsGrowing(workspace.resolve(marker));

    // A command still running when the sandbox is paused: it, its daemon and the daemon's hold on
    // its output end with the pause.
    String again = marker + "-2";
    var still =
        ExecResult.collect(
                exec(id, Duration.ofMinutes(5), "bash", "-c", daemon(again) + "; exec sleep 600"))
            .subscribeAsCompletionStage();
    await().atMost(WAIT).until(() -> Files.exists(workspace.resolve(again)));
    try (var file = java.nio.channels.FileChannel.open(workspace.resolve(again))) {
      await().atMost(WAIT).until(() -> file.size() > 50); // the daemon beats
      provider.pause(id).await().atMost(WAIT);
      await().atMost(Duration.ofSeconds(30)).until(still::isDone);
      await().atMost(WAIT).until(() -> processesMarked(again).isEmpty());
      assertStopsGrowing(file);
    } finally {
      provider.resume(id).await().atMost(WAIT);
    }
  }

  @Test
  void aDetachedDaemonThatIgnoresSigtermDiesWithItsTerminatedSandbox() throws IOException {
    String id = createSandbox();
    String marker = "rc-escape-" + java.util.UUID.randomUUID();
    var still =
        ExecResult.collect(
                exec(id, Duration.ofMinutes(5), "bash", "-c", daemon(marker) + "; exec sleep 600"))
            .subscribeAsCompletionStage();
    Path beat = root.resolve("sandboxes").resolve(id).resolve("workspace").resolve(marker);
    await().atMost(WAIT).until(() -> Files.exists(beat));
    // Opened before the sandbox's directory goes: the daemon writes to its open file, not by name.
    try (var file = java.nio.channels.FileChannel.open(beat)) {
      await().atMost(WAIT).until(() -> file.size() > 50); // the daemon beats
      provider.terminate(id).await().atMost(WAIT);
      await().atMost(Duration.ofSeconds(30)).until(still::isDone);
      await().atMost(WAIT).until(() -> processesMarked(marker).isEmpty());
      assertStopsGrowing(file);
    }
  }

  /**
   * A daemon as a hostile tenant starts it: double-forked, in a session and process group of its
   * own, deaf to SIGTERM and SIGHUP, appending to the open file {@code /workspace/<marker>} every
   * 100 ms; its command line carries {@code marker}. It keeps the command's output open; the
   * command itself ends once the daemon has beaten.
   */
  private static String daemon(String marker) {
    String beat =
        "trap '' TERM HUP INT; exec 3>>/workspace/\\$0; while :; do echo beat >&3; sleep 0.1; done";
    return "( setsid nohup sh -c \""
        + beat
        + "\" "
        + marker
        + " & ) & wait; until [ -s /workspace/"
        + marker
        + " ]; do sleep 0.05; done; echo started";
  }

  /** The processes on this host whose command line names {@code marker}. */
  private static List<ProcessHandle> processesMarked(String marker) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
        .toList();
  }

  private static void assertStopsGrowing(Path file) throws IOException {
    try (var channel = java.nio.channels.FileChannel.open(file)) {
      assertStopsGrowing(channel);
    }
  }

  /** The file's size stays the same for a second: no beat of the daemon's (every 100 ms). */
  private static void assertStopsGrowing(java.nio.channels.FileChannel file) throws IOException {
    long size = file.size();
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> file.size() == size);
  }

  private static long processesOf(ExecHandle handle) {
    return ((LocalProcess) handle).handle().descendants().count();
  }

  private static boolean networkIs(SandboxNamespaces.Network network) {
    return provider.network().filter(n -> n == network).isPresent();
  }

  private static String connect(int port) {
    return "'exec 3<>/dev/tcp/127.0.0.1/" + port + " && head -1 <&3'";
  }

  private static String create() {
    String id = createSandbox();
    created.add(id);
    return id;
  }

  private static String createSandbox() {
    return provider
        .create(dev.remoteclaude.gateway.provider.SandboxSpecs.fresh())
        .await()
        .atMost(WAIT);
  }

  private static ExecHandle exec(String id, Duration timeout, String... command) {
    return provider.exec(id, ExecRequest.of(List.of(command), timeout)).await().atMost(WAIT);
  }

  private static ExecResult run(String id, String script) {
    return run(provider, id, script);
  }

  private static ExecResult run(LocalSandboxProvider on, String id, String script) {
    return ExecResult.collect(
            on.exec(id, ExecRequest.of(List.of("bash", "-c", script), Duration.ofSeconds(45)))
                .await()
                .atMost(WAIT))
        .await()
        .atMost(WAIT);
  }
}
