package dev.remoteclaude.gateway.provider.local;

import dev.remoteclaude.gateway.provider.ProviderException;
import io.quarkus.logging.Log;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The namespaces a sandbox's commands share: a user namespace (in which its process count is its
 * own) and, unless the network is the host's, a network namespace with a private loopback. A small
 * holder process keeps them alive between commands; each command enters them with {@code nsenter}
 * and then gets its own mount, PID, IPC and UTS namespaces from bubblewrap. With pasta, the
 * namespace reaches the internet through the host's sockets, but not the host's loopback (except
 * the ports given), its gateway address, link-local addresses (cloud metadata) or private ranges.
 */
final class SandboxNamespaces implements AutoCloseable {

  /** The network a sandbox gets. */
  enum Network {
    /** Private loopback, outbound through pasta. */
    PASTA,
    /** Private loopback, nothing else. */
    NONE,
    /** The host's network: no isolation (explicit opt-in). */
    HOST
  }

  private static final String PASTA_PID = "pasta.pid";
  private static final String HOLDER_PID = "holder.pid";
  private static final String LOCK = "namespaces.lock";

  /** The holder's {@code $0}: how a holder is told from any other process on the host. */
  private static final String HOLDER_NAME = "rc-sandbox-holder";

  /**
   * The name server a sandbox with pasta uses: pasta forwards its UDP port 53 to the host's first
   * resolver (podman's choice of address), so a host resolver on loopback (systemd's 127.0.0.53) or
   * in a private range still answers, while the range itself stays closed.
   */
  static final String DNS_FORWARD = "169.254.1.1";

  /** The sandbox's {@code /etc/resolv.conf} with pasta. */
  static final String RESOLV_CONF = "nameserver " + DNS_FORWARD + "\noptions edns0 trust-ad\n";

  /**
   * Reports once its namespaces exist, waits to be told the network is configured (by pasta, from
   * outside), closes what a tenant must not reach, then sleeps until killed. It does not exec its
   * sleep, so that its command line still names it and its sandbox.
   */
  private static final String HOLDER =
      "echo ready; read -r go nets; "
          + "if [ \"$go\" = route ]; then "
          // The default route stays usable once the subnet pasta copied from the host is closed.
          + "set -- $(ip -4 route show default); "
          + "[ \"$1\" = default ] && ip route replace default via \"$3\" dev \"$5\" onlink; "
          // Private and link-local ranges, the host's own subnets (pasta copies the default
          // interface's; the gateway sends every interface's): a neighbour of the host is not
          // the internet.
          + "for net in 169.254.0.0/16 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10 "
          + "$(ip -4 route show proto kernel scope link | cut -d' ' -f1) $nets; do "
          + "case \"$net\" in *:*) ip -6 route replace blackhole \"$net\";; "
          + "*) ip route replace blackhole \"$net\";; esac 2>/dev/null; done; "
          + "for net in fc00::/7 fe80::/10 "
          + "$(ip -6 route show proto kernel | grep -v '^fe80' | cut -d' ' -f1); do "
          + "ip -6 route replace blackhole \"$net\" 2>/dev/null; done; "
          // The one address that is open again: pasta's DNS forwarder (UDP 53 to the host's
          // resolver, which may itself be on loopback or in a blackholed range).
          + "[ \"$1\" = default ] && ip route replace "
          + DNS_FORWARD
          + "/32 dev \"$5\"; "
          + "fi; echo held; exec >/dev/null 2>&1 </dev/null; sleep infinity";

  private static final long START_SECONDS = 15;

  /** A sandbox's holder (the process inside its namespaces) and its pasta, by pid. */
  private record Holder(long pid, Optional<Long> pasta) {
    boolean alive() {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
          && pasta
              .map(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
              .orElse(true);
    }
  }

  private final Network network;
  private final List<Integer> hostPorts;
  private final Optional<Integer> runAs;

  /**
   * What this gateway process last found or started. The truth is in the sandbox's directory: a
   * holder outlives the gateway that started it and serves every gateway sharing the directory.
   */
  private final Map<String, Holder> holders = new ConcurrentHashMap<>();

  /** The holders this gateway process started, by sandbox directory: it ends them when it stops. */
  private final Map<Path, Long> started = new ConcurrentHashMap<>();

  SandboxNamespaces(Network network, List<Integer> hostPorts, Optional<Integer> runAs) {
    this.network = network;
    this.hostPorts = List.copyOf(hostPorts);
    this.runAs = runAs;
  }

  /** {@code auto}: pasta when installed, else no network at all. */
  static Network choose(String setting) {
    return switch (setting) {
      case "pasta" -> {
        if (!installed("pasta")) {
          throw new IllegalStateException(
              "gateway.local.network=pasta but pasta is not installed (apt-get install passt)");
        }
        yield Network.PASTA;
      }
      case "none" -> Network.NONE;
      case "host" -> Network.HOST;
      case "auto" -> {
        if (installed("pasta")) {
          yield Network.PASTA;
        }
        Log.warn(
            "pasta is not installed (apt-get install passt): local sandboxes get a private"
                + " loopback and no network, so Claude Code in them cannot reach its API");
        yield Network.NONE;
      }
      default ->
          throw new IllegalStateException(
              "gateway.local.network must be auto, pasta, none or host, not " + setting);
    };
  }

  static boolean installed(String tool) {
    return List.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/").stream()
        .anyMatch(dir -> Files.isExecutable(Path.of(dir + tool)));
  }

  Network network() {
    return network;
  }

  /**
   * The command prefix that enters the sandbox's namespaces ({@code runtime} is the sandbox's own
   * directory), starting its holder first unless a live one is recorded there: gateway replicas
   * sharing the directory, and a gateway restarted while the sandbox runs, use the same holder.
   */
  List<String> enter(String sandboxId, Path runtime) {
    Holder holder =
        holders.compute(sandboxId, (id, h) -> h != null && h.alive() ? h : locked(runtime));
    List<String> cmd =
        new ArrayList<>(List.of("nsenter", "--target", Long.toString(holder.pid), "--user"));
    if (network != Network.HOST) {
      cmd.add("--net");
    }
    cmd.addAll(List.of("--preserve-credentials", "--"));
    return cmd;
  }

  /**
   * Under the sandbox's lock (held across gateway processes): the recorded holder, or a new one.
   */
  private Holder locked(Path runtime) {
    try (FileChannel lock =
            FileChannel.open(
                runtime.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = lock.lock()) {
      Optional<Holder> recorded = recorded(runtime).filter(Holder::alive);
      if (recorded.isPresent()) {
        return recorded.get();
      }
      end(runtime);
      Holder holder = start(runtime);
      started.put(runtime, holder.pid);
      return holder;
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot lock the sandbox's namespaces", e);
    }
  }

  /** The holder and pasta recorded in the sandbox's directory, if the holder is really ours. */
  private Optional<Holder> recorded(Path runtime) {
    Optional<Long> holder =
        pidIn(runtime.resolve(HOLDER_PID)).filter(pid -> isHolder(pid, runtime));
    if (holder.isEmpty()) {
      return Optional.empty();
    }
    if (network != Network.PASTA) {
      return Optional.of(new Holder(holder.get(), Optional.empty()));
    }
    return pidIn(runtime.resolve(PASTA_PID))
        .filter(SandboxNamespaces::isPasta)
        .map(pasta -> new Holder(holder.get(), Optional.of(pasta)));
  }

  private Holder start(Path runtime) {
    List<String> cmd = new ArrayList<>(asSandboxUser());
    // No --die-with-parent: the namespaces outlive the gateway process, as the sandbox does.
    cmd.addAll(List.of("bwrap", "--unshare-user", "--uid", "1000", "--gid", "1000"));
    if (network != Network.HOST) {
      cmd.addAll(List.of("--unshare-net", "--cap-add", "CAP_NET_ADMIN"));
    }
    // No --dev: it would nest a second user namespace, one that nsenter could not enter the
    // network namespace from.
    cmd.addAll(List.of("--ro-bind", "/usr", "/usr", "--dev-bind", "/dev/null", "/dev/null"));
    for (String link : List.of("bin", "lib", "lib64", "sbin")) {
      if (Files.isDirectory(Path.of("/usr", link))) {
        cmd.addAll(List.of("--symlink", "usr/" + link, "/" + link));
      }
    }
    cmd.addAll(List.of("--", "sh", "-c", HOLDER, HOLDER_NAME, runtime.toString()));
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot start the sandbox's namespaces", e);
    }
    try (BufferedReader out =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        OutputStream in = process.getOutputStream()) {
      expect(process, out, "ready");
      long pid =
          process
              .toHandle()
              .children()
              .findFirst()
              .map(ProcessHandle::pid)
              .orElseThrow(() -> new IOException("the holder has no child"));
      Optional<Long> pasta = Optional.empty();
      if (network == Network.PASTA) {
        pasta = Optional.of(startPasta(pid, runtime));
      }
      String go = network == Network.PASTA ? "route " + String.join(" ", hostSubnets()) : "none";
      in.write((go + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      expect(process, out, "held");
      Files.writeString(runtime.resolve(HOLDER_PID), Long.toString(pid));
      return new Holder(pid, pasta);
    } catch (IOException | RuntimeException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      end(runtime);
      throw e instanceof ProviderException p
          ? p
          : new ProviderException(
              ProviderException.Kind.UNAVAILABLE,
              "cannot set up the sandbox's namespaces: " + e.getMessage(),
              e);
    }
  }

  /**
   * The networks of the host's interfaces other than loopback ({@code 192.0.2.0/24}, {@code
   * 2001:db8::/64}): pasta would reach their neighbours from the host, so the holder closes them.
   */
  static List<String> hostSubnets() {
    List<String> nets = new ArrayList<>();
    try {
      for (java.net.NetworkInterface nic :
          java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        if (nic.isLoopback()) {
          continue;
        }
        for (java.net.InterfaceAddress address : nic.getInterfaceAddresses()) {
          if (!address.getAddress().isLinkLocalAddress()) {
            nets.add(network(address.getAddress(), address.getNetworkPrefixLength()));
          }
        }
      }
    } catch (java.net.SocketException e) {
      Log.warnf("cannot list the host's interfaces; only private ranges are closed: %s", e);
    }
    return nets.stream().distinct().toList();
  }

  /** The network of an address with a prefix length, in CIDR notation. */
  static String network(java.net.InetAddress address, int prefixLength) {
    byte[] bytes = address.getAddress();
    int prefix = Math.max(0, Math.min(prefixLength, bytes.length * 8));
    for (int bit = prefix; bit < bytes.length * 8; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    try {
      return java.net.InetAddress.getByAddress(bytes).getHostAddress().replaceFirst("%.*$", "")
          + "/"
          + prefix;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen: 4 or 16 bytes
    }
  }

  /** pasta configures the namespace, then leaves a daemon behind and exits 0. */
  private long startPasta(long pid, Path runtime) throws IOException {
    Path pidFile = runtime.resolve(PASTA_PID);
    Files.deleteIfExists(pidFile);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "pasta",
                "--config-net",
                "--no-map-gw",
                "--quiet",
                "--tcp-ports",
                "none",
                "--udp-ports",
                "none",
                "--udp-ns",
                "none",
                "--dns-forward",
                DNS_FORWARD,
                "--tcp-ns",
                hostPorts.isEmpty()
                    ? "none"
                    : hostPorts.stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--pid",
                pidFile.toString()));
    // As root pasta drops to nobody by default, who may not enter the sandbox's user namespace.
    runAs.ifPresent(uid -> cmd.addAll(List.of("--runas", uid + ":" + uid)));
    cmd.add(Long.toString(pid));
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
    builder.environment().clear();
    Process pasta = builder.start();
    String output;
    try {
      CompletableFuture<byte[]> read =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return pasta.getInputStream().readAllBytes();
                } catch (IOException e) {
                  return new byte[0];
                }
              });
      if (!pasta.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
        pasta.destroyForcibly();
        throw new IOException("pasta did not set up the network in time");
      }
      output = new String(read.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      output = "";
    }
    if (pasta.exitValue() != 0 || !Files.exists(pidFile)) {
      throw new IOException(
          "pasta failed ("
              + pasta.exitValue()
              + "): "
              + (output.length() > 300 ? output.substring(0, 300) : output));
    }
    return Long.parseLong(Files.readString(pidFile).strip());
  }

  /**
   * The prefix that runs what follows as the sandbox user: as root, a dedicated unprivileged user
   * (root's processes escape the process limit and own the host's files); otherwise as is.
   */
  List<String> asSandboxUser() {
    return runAs
        .map(
            uid ->
                List.of(
                    "setpriv",
                    "--reuid=" + uid,
                    "--regid=" + uid,
                    "--clear-groups",
                    "--inh-caps=-all",
                    "--"))
        .orElse(List.of());
  }

  /**
   * Ends the sandbox's namespaces, whichever gateway process started them: its holder and its pasta
   * (commands are killed separately).
   */
  void stop(String sandboxId, Path runtime) {
    holders.remove(sandboxId);
    try (FileChannel lock =
            FileChannel.open(
                runtime.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = lock.lock()) {
      end(runtime);
    } catch (IOException | UncheckedIOException e) {
      // The directory is gone: so is what the pid files named, or the sweep will find it.
      Log.debugf("cannot lock %s to end its namespaces: %s", runtime, e.getMessage());
    }
  }

  /** Kills the holder and pasta recorded in the directory, and forgets them. */
  private static void end(Path runtime) {
    pidIn(runtime.resolve(HOLDER_PID))
        .filter(pid -> isHolder(pid, runtime))
        .flatMap(ProcessHandle::of)
        .ifPresent(SandboxNamespaces::killHolder);
    pidIn(runtime.resolve(PASTA_PID))
        .filter(SandboxNamespaces::isPasta)
        .flatMap(ProcessHandle::of)
        .ifPresent(ProcessHandle::destroyForcibly);
    try {
      Files.deleteIfExists(runtime.resolve(HOLDER_PID));
      Files.deleteIfExists(runtime.resolve(PASTA_PID));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Ends the holders and pastas of sandboxes under {@code root} whose directory no longer exists
   * (removed while no gateway ran), and pastas whose holder is gone: run when a gateway starts.
   */
  static int sweep(Path root) {
    String prefix = root.toAbsolutePath() + "/";
    int ended = 0;
    for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
      List<String> args = arguments(p);
      int name = args.indexOf(HOLDER_NAME);
      if (name >= 0 && name + 1 < args.size() && args.get(name + 1).startsWith(prefix)) {
        if (!Files.isDirectory(Path.of(args.get(name + 1))) && isShell(p)) {
          killHolder(p);
          ended++;
        }
        continue;
      }
      int pidFile = args.indexOf("--pid");
      if (isPasta(p.pid())
          && pidFile >= 0
          && pidFile + 1 < args.size()
          && args.get(pidFile + 1).startsWith(prefix)) {
        long target = Long.parseLong(args.get(args.size() - 1));
        boolean sandboxGone = !Files.isDirectory(Path.of(args.get(pidFile + 1)).getParent());
        if (!sandboxGone && ProcessHandle.of(target).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        p.destroyForcibly();
        ended++;
      }
    }
    return ended;
  }

  private static List<String> arguments(ProcessHandle p) {
    return p.info().arguments().map(List::of).orElse(List.of());
  }

  private static boolean isShell(ProcessHandle p) {
    return p.info().command().map(c -> c.endsWith("sh")).orElse(false);
  }

  private static boolean isHolder(long pid, Path runtime) {
    return ProcessHandle.of(pid)
        .filter(SandboxNamespaces::isShell)
        .map(SandboxNamespaces::arguments)
        .filter(args -> args.contains(HOLDER_NAME) && args.contains(runtime.toString()))
        .isPresent();
  }

  private static boolean isPasta(long pid) {
    return ProcessHandle.of(pid)
        .filter(p -> p.info().command().map(c -> c.contains("pass")).orElse(false))
        .isPresent();
  }

  /** The holder's sleep, the holder, and the bubblewrap that started it. */
  private static void killHolder(ProcessHandle holder) {
    Optional<ProcessHandle> bwrap =
        holder.parent().filter(p -> p.info().command().map(c -> c.endsWith("bwrap")).orElse(false));
    holder.descendants().forEach(ProcessHandle::destroyForcibly);
    holder.destroyForcibly();
    bwrap.ifPresent(ProcessHandle::destroyForcibly);
  }

  private static Optional<Long> pidIn(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Ends the holders this gateway process started that are still recorded as the sandboxes' own (a
   * gateway killed outright leaves them to the gateways sharing the directory, and to the next
   * start's sweep when their sandbox is gone).
   */
  @Override
  public void close() {
    holders.clear();
    started.forEach(
        (runtime, pid) -> {
          try (FileChannel lock =
                  FileChannel.open(
                      runtime.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
              FileLock held = lock.lock()) {
            if (pidIn(runtime.resolve(HOLDER_PID)).filter(pid::equals).isPresent()) {
              end(runtime);
            }
          } catch (IOException | UncheckedIOException e) {
            Log.debugf("cannot end the namespaces of %s: %s", runtime, e.getMessage());
          }
        });
    started.clear();
  }

  private static void expect(Process process, BufferedReader out, String word) throws IOException {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return out.readLine();
              } catch (IOException e) {
                return null;
              }
            });
    try {
      String got = line.get(START_SECONDS, TimeUnit.SECONDS);
      if (!word.equals(got)) {
        throw new IOException("the holder said " + got + (process.isAlive() ? "" : " and ended"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("the holder did not start in time");
    }
  }
}
