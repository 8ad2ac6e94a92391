package dev.remoteclaude.gateway.provider.local;

import dev.remoteclaude.gateway.provider.ProviderException;
import io.quarkus.logging.Log;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /**
   * Reports once its namespaces exist, waits to be told the network is configured (by pasta, from
   * outside), closes what a tenant must not reach, then sleeps until killed.
   */
  private static final String HOLDER =
      "echo ready; read -r go; "
          + "if [ \"$go\" = route ]; then "
          + "for net in 169.254.0.0/16 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10; do "
          + "ip route add blackhole \"$net\" 2>/dev/null; done; "
          + "for net in fc00::/7 fe80::/10; do ip -6 route add blackhole \"$net\" 2>/dev/null; done; "
          + "fi; echo held; exec sleep infinity";

  private static final long START_SECONDS = 15;

  private record Holder(Process process, long pid, Optional<Long> pasta) {}

  private final Network network;
  private final List<Integer> hostPorts;
  private final Optional<Integer> runAs;
  private final Map<String, Holder> holders = new ConcurrentHashMap<>();

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
   * The command prefix that enters the sandbox's namespaces, starting its holder first if needed
   * ({@code runtime} is the sandbox's own directory for pasta's pid file).
   */
  List<String> enter(String sandboxId, Path runtime) {
    Holder holder =
        holders.compute(
            sandboxId, (id, h) -> h != null && h.process.isAlive() ? h : start(runtime));
    List<String> cmd =
        new ArrayList<>(List.of("nsenter", "--target", Long.toString(holder.pid), "--user"));
    if (network != Network.HOST) {
      cmd.add("--net");
    }
    cmd.addAll(List.of("--preserve-credentials", "--"));
    return cmd;
  }

  private Holder start(Path runtime) {
    List<String> cmd = new ArrayList<>(asSandboxUser());
    cmd.addAll(
        List.of("bwrap", "--die-with-parent", "--unshare-user", "--uid", "1000", "--gid", "1000"));
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
    cmd.addAll(List.of("--", "sh", "-c", HOLDER));
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
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
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
      OutputStream in = process.getOutputStream();
      in.write((network == Network.PASTA ? "route\n" : "none\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      expect(process, out, "held");
      return new Holder(process, pid, pasta);
    } catch (IOException | RuntimeException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      killPasta(runtime);
      throw e instanceof ProviderException p
          ? p
          : new ProviderException(
              ProviderException.Kind.UNAVAILABLE,
              "cannot set up the sandbox's namespaces: " + e.getMessage(),
              e);
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

  /** Ends the sandbox's namespaces: its holder and its pasta (commands are killed separately). */
  void stop(String sandboxId, Path runtime) {
    Holder holder = holders.remove(sandboxId);
    if (holder != null) {
      holder.process.descendants().forEach(ProcessHandle::destroyForcibly);
      holder.process.destroyForcibly();
      holder.pasta.ifPresent(SandboxNamespaces::killIfPasta);
    }
    killPasta(runtime);
  }

  /** Kills a pasta left behind by an earlier gateway process (the pid file names it). */
  static void killPasta(Path runtime) {
    Path pidFile = runtime.resolve(PASTA_PID);
    try {
      if (Files.exists(pidFile)) {
        killIfPasta(Long.parseLong(Files.readString(pidFile).strip()));
        Files.deleteIfExists(pidFile);
      }
    } catch (IOException | NumberFormatException e) {
      Log.debugf("no pasta to stop in %s: %s", runtime, e.getMessage());
    }
  }

  private static void killIfPasta(long pid) {
    ProcessHandle.of(pid)
        .filter(p -> p.info().command().map(c -> c.contains("pass")).orElse(false))
        .ifPresent(ProcessHandle::destroyForcibly);
  }

  @Override
  public void close() {
    for (String id : List.copyOf(holders.keySet())) {
      Holder holder = holders.remove(id);
      if (holder != null) {
        holder.process.destroyForcibly();
        holder.pasta.ifPresent(SandboxNamespaces::killIfPasta);
      }
    }
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
