package dev.remoteclaude.gateway.provider.local;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.provider.Snapshot;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The embedded provider: a sandbox is a directory on this host ({@code workspace/}, {@code home/})
 * plus the processes started in it. With bubblewrap installed, a sandbox's commands share its own
 * user and network namespaces ({@link SandboxNamespaces}: a private loopback, the internet through
 * pasta) and each runs in its own mount, PID, IPC and UTS namespaces as an unprivileged user,
 * seeing only {@code /usr}, a few files of {@code /etc}, its workspace at {@code /workspace}, its
 * home at {@code /home/sandbox} and a size-limited {@code /tmp}. All of a sandbox's processes
 * together are held to a memory, process and CPU limit ({@link Cgroups}, {@link SandboxLimits}); at
 * most {@code concurrent-commands} run at once. They die with the gateway. The kernel is still the
 * host's: for hostile tenants at scale, use the kubernetes provider with a VM runtime class.
 */
@ApplicationScoped
public class LocalSandboxProvider implements SandboxProvider {

  static final String SANDBOX_WORKSPACE = "/workspace";
  static final String SANDBOX_HOME = "/home/sandbox";

  /** How long a file read or write inside the sandbox may take. */
  private static final Duration FILE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The exit code of the file scripts when the path is not a regular file (or, to write, a dir).
   */
  private static final int NOT_A_FILE = 66;

  /** Reads "$1" (at most "$2" bytes); the path is an argument, never part of the script. */
  private static final String READ_FILE =
      "[ -f \"$1\" ] || exit " + NOT_A_FILE + "; exec head -c \"$2\" -- \"$1\"";

  /** Writes standard input to "$1", creating its parent directories. */
  private static final String WRITE_FILE =
      "[ -d \"$1\" ] && exit "
          + NOT_A_FILE
          + "; mkdir -p -- \"$(dirname -- \"$1\")\" && exec cat > \"$1\"";

  static final String SANDBOX_CLAUDE = "/opt/claude/bin/claude";

  /** Writes its own pid into each of the {@code $1} cgroup.procs files that follow, then runs. */
  private static final String JOIN_CGROUPS =
      "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift; n=$((n-1));"
          + " done; exec \"$@\"";

  private static final String PAUSED_MARK = "paused";

  /**
   * Starting a process excludes pausing or ending its sandbox: a start that found the sandbox
   * running cannot add its process after a pause has killed the sandbox's processes (it would run
   * on, unseen, in a paused sandbox). It also keeps this process from taking the file lock of the
   * sandbox's namespaces twice at once (entering them for a start, ending them for a pause), which
   * {@code FileChannel.lock} answers with an OverlappingFileLockException rather than a wait.
   * Striped by sandbox id; a start holds it while its process is spawned, milliseconds.
   */
  private final Object[] sandboxLocks =
      java.util.stream.Stream.generate(Object::new).limit(64).toArray();

  /** Where a clone from a path of this host is made before it moves into the workspace. */
  private static final String CLONE_STAGING = "clone";

  private final Path root;
  private final Path sandboxes;
  private final LocalSnapshots snapshots;
  private final Path claudeBinary;
  private final boolean bubblewrap;
  private final SandboxLimits limits;
  private final Optional<SandboxNamespaces> namespaces;
  private final Cgroups cgroups;
  private final Optional<WorkspaceDisks> disks;
  private final Optional<Integer> runAs;
  private final Map<String, Set<LocalProcess>> running = new ConcurrentHashMap<>();

  /** With pasta, the sandboxes' {@code /etc/resolv.conf}: pasta's DNS forwarder. */
  private final Path resolvConf;

  public LocalSandboxProvider(GatewayConfig config) {
    this.root = config.local().root().toAbsolutePath();
    this.sandboxes = root.resolve("sandboxes");
    this.snapshots = new LocalSnapshots(root.resolve("snapshots"), config.snapshots().maxBytes());
    this.bubblewrap = chooseIsolation(config.local().isolation());
    this.limits = SandboxLimits.of(config.local().limits());
    this.runAs =
        bubblewrap && HostUsers.runningAsRoot()
            ? Optional.of(config.local().runAsUid())
            : Optional.empty();
    try {
      Files.createDirectories(sandboxes);
      Files.setPosixFilePermissions(
          root.resolve("snapshots"), PosixFilePermissions.fromString("rwx------"));
      if (runAs.isPresent()) {
        // The sandbox user must reach its sandbox's directory to mount it, and nothing else here.
        HostUsers.makeTraversable(root, runAs.get());
        Files.setPosixFilePermissions(sandboxes, PosixFilePermissions.fromString("rwx--x--x"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the sandbox root " + root, e);
    }
    this.claudeBinary =
        HostUsers.readableCopy(
            config.claude().binary().toAbsolutePath(), root.resolve("tools"), runAs);
    this.disks = WorkspaceDisks.choose(limits.diskBytes(), runAs);
    this.cgroups =
        bubblewrap && config.local().limits().cgroups()
            ? Cgroups.detect(limits, Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"))
            : Cgroups.detect(limits, Path.of("/nonexistent"), Path.of("/nonexistent"));
    this.namespaces =
        bubblewrap
            ? Optional.of(
                new SandboxNamespaces(
                    SandboxNamespaces.choose(config.local().network()), hostPorts(config), runAs))
            : Optional.empty();
    this.resolvConf = root.resolve("resolv.conf");
    if (namespaces.map(n -> n.network() == SandboxNamespaces.Network.PASTA).orElse(false)) {
      try {
        Files.writeString(resolvConf, SandboxNamespaces.RESOLV_CONF);
        Files.setPosixFilePermissions(resolvConf, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + resolvConf, e);
      }
    }
    int swept = SandboxNamespaces.sweep(sandboxes);
    if (swept > 0) {
      Log.infof("ended %d namespace processes of sandboxes that are gone", swept);
    }
    Log.infof(
        "local sandboxes in %s, isolation: %s",
        root,
        bubblewrap
            ? "bubblewrap namespaces, network "
                + namespaces.get().network().name().toLowerCase(java.util.Locale.ROOT)
                + ", "
                + cgroups.describe()
                + disks
                    .map(d -> ", a disk of " + d.bytes() + " bytes each")
                    .orElse(", no disk limit")
                + runAs.map(uid -> ", as uid " + uid).orElse("")
            : "none (plain processes)");
  }

  /**
   * The host loopback ports sandboxes may reach: the configured ones and the model proxy's (never
   * the model API's own: the proxy is the only way to it).
   */
  private static List<Integer> hostPorts(GatewayConfig config) {
    List<Integer> ports = new ArrayList<>(config.local().hostPorts().orElse(List.of()));
    java.net.URI proxy =
        java.net.URI.create(
            config
                .modelProxy()
                .sandboxUrl()
                .filter(url -> !url.isBlank())
                .orElse("http://127.0.0.1:" + config.modelProxy().port()));
    if (List.of("127.0.0.1", "localhost", "[::1]", "::1").contains(proxy.getHost())
        && proxy.getPort() > 0) {
      ports.add(proxy.getPort());
    }
    return ports.stream().distinct().toList();
  }

  /**
   * Ends the namespaces this gateway process started (a gateway killed outright leaves them to the
   * replicas sharing the directory); disks stay mounted, as the sandboxes' files stay.
   */
  @jakarta.annotation.PreDestroy
  void close() {
    namespaces.ifPresent(SandboxNamespaces::close);
  }

  private static boolean chooseIsolation(String setting) {
    boolean installed =
        Stream.of("/usr/bin/bwrap", "/bin/bwrap").anyMatch(p -> Files.isExecutable(Path.of(p)));
    return switch (setting) {
      case "bubblewrap" -> {
        if (!installed) {
          throw new IllegalStateException(
              "gateway.local.isolation=bubblewrap but bwrap is not installed (apt-get install bubblewrap)");
        }
        yield true;
      }
      case "none" -> false;
      default -> {
        if (!installed) {
          Log.warn("bubblewrap not installed: local sandboxes run as plain processes, unisolated");
        }
        yield installed;
      }
    };
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public String claudeCommand() {
    return bubblewrap ? SANDBOX_CLAUDE : claudeBinary.toString();
  }

  public boolean isolated() {
    return bubblewrap;
  }

  /** The network sandboxes get (with bubblewrap). */
  Optional<SandboxNamespaces.Network> network() {
    return namespaces.map(SandboxNamespaces::network);
  }

  /** Whether each sandbox has a disk of its own (workspace and home size limited). */
  boolean limitsDisk() {
    return disks.isPresent();
  }

  /** Whether a sandbox's memory (and CPU) are limited: cgroups are available to the gateway. */
  boolean limitsMemory() {
    return cgroups.active();
  }

  @Override
  public Uni<String> create(SandboxSpec spec) {
    return blocking(
        () -> {
          String id = "lsb-" + UUID.randomUUID();
          Path dir = sandboxes.resolve(id);
          try {
            Files.createDirectories(dir.resolve("workspace"));
            Files.createDirectories(dir.resolve("home"));
            if (disks.isPresent()) {
              disks.get().create(dir);
            }
            if (spec.restoreSnapshotId().isPresent()) {
              snapshots.restore(spec.restoreSnapshotId().get(), dir);
            }
            if (runAs.isPresent()) {
              HostUsers.chownTree(dir, runAs.get());
              Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
              for (String part : List.of("workspace", "home")) {
                Files.setPosixFilePermissions(
                    dir.resolve(part), PosixFilePermissions.fromString("rwx------"));
              }
            }
          } catch (IOException | RuntimeException e) {
            disks.ifPresent(d -> d.unmount(dir));
            deleteTree(dir);
            throw e instanceof ProviderException p
                ? p
                : new ProviderException(
                    ProviderException.Kind.UNAVAILABLE, "cannot create a sandbox directory", e);
          }
          return id;
        });
  }

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
    return blocking(
        () -> {
          Path dir = dirOf(sandboxId);
          if (!Files.isDirectory(dir.resolve("workspace"))) {
            return SandboxStatus.MISSING;
          }
          return Files.exists(dir.resolve(PAUSED_MARK))
              ? SandboxStatus.PAUSED
              : SandboxStatus.RUNNING;
        });
  }

  @Override
  public Uni<Void> pause(String sandboxId) {
    return blocking(
        () -> {
          Path dir = existing(sandboxId);
          synchronized (lockOf(sandboxId)) {
            killAll(sandboxId);
            touch(dir.resolve(PAUSED_MARK));
          }
          return null;
        });
  }

  @Override
  public Uni<Void> resume(String sandboxId) {
    return blocking(
        () -> {
          Path dir = existing(sandboxId);
          try {
            Files.deleteIfExists(dir.resolve(PAUSED_MARK));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return null;
        });
  }

  @Override
  public Uni<Void> terminate(String sandboxId) {
    return blocking(
        () -> {
          synchronized (lockOf(sandboxId)) {
            killAll(sandboxId);
          }
          cgroups.remove(sandboxId);
          disks.ifPresent(d -> d.unmount(dirOf(sandboxId)));
          deleteTree(dirOf(sandboxId));
          return null;
        });
  }

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    return blocking(
        () -> {
          Path dir = existing(sandboxId);
          synchronized (lockOf(sandboxId)) {
            if (Files.exists(dir.resolve(PAUSED_MARK))) {
              throw new ProviderException(ProviderException.Kind.INVALID, "sandbox is paused");
            }
            return start(sandboxId, dir, request);
          }
        });
  }

  private ExecHandle start(String sandboxId, Path dir, ExecRequest request) {
    Path workspace = dir.resolve("workspace");
    Path cwd =
        request.workingDir().isPresent()
            ? WorkspacePaths.resolve(workspace, request.workingDir().get())
            : workspace;
    ProcessBuilder builder = new ProcessBuilder(command(dir, cwd, request));
    builder.environment().clear();
    if (bubblewrap) {
      // bwrap hands its own environment on: values (secrets among them) never appear on a
      // command line, which anyone on the host can read in /proc/<pid>/cmdline.
      builder.environment().putAll(sandboxEnvironment(request.env()));
      builder.directory(dir.toFile());
    } else {
      builder.environment().putAll(plainEnvironment(dir, request.env()));
      builder.directory(cwd.toFile());
    }
    Set<LocalProcess> processes =
        running.computeIfAbsent(sandboxId, k -> ConcurrentHashMap.newKeySet());
    if (processes.size() >= limits.concurrentCommands()) {
      throw new ProviderException(
          ProviderException.Kind.BUSY,
          limits.concurrentCommands()
              + " commands are already running in this sandbox; wait for one to end");
    }
    boolean hostClone = runAs.isPresent() && !request.readOnlyPaths().isEmpty();
    // Inside the sandbox's disk when it has one: it counts there, and moves without copying.
    Path volume = disks.isPresent() ? dir.resolve(WorkspaceDisks.MOUNT) : dir;
    Path staging = volume.resolve(CLONE_STAGING);
    if (hostClone) {
      // The clone runs as the gateway's user without its privileges (see command()): it writes
      // into a directory of its own, handed to the sandbox when it is done.
      try {
        deleteTree(staging);
        Files.createDirectory(
            staging,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (IOException e) {
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE, "cannot prepare the clone", e);
      }
    }
    try {
      return (ExecHandle)
          LocalProcess.start(
              builder,
              request.stdin(),
              request.timeout(),
              request.maxOutputBytes(),
              processes::add,
              process -> {
                processes.remove(process);
                if (hostClone) {
                  // Cloned from this host's files as root (see command()): hand it to the sandbox.
                  HostUsers.moveInto(staging, volume.resolve("workspace"), runAs.get());
                  deleteTree(staging);
                }
              });
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot start a process in the sandbox", e);
    }
  }

  private List<String> command(Path dir, Path cwd, ExecRequest request) {
    if (!bubblewrap) {
      return request.command();
    }
    String sandboxId = dir.getFileName().toString();
    List<String> cmd = new ArrayList<>();
    List<Path> groups = cgroups.prepare(sandboxId);
    if (!groups.isEmpty()) {
      // Joins the sandbox's cgroups before anything of the tenant's runs: nothing escapes them.
      cmd.addAll(List.of("sh", "-c", JOIN_CGROUPS, "sh", Integer.toString(groups.size())));
      groups.forEach(g -> cmd.add(g.toString()));
    }
    if (runAs.isPresent() && !request.readOnlyPaths().isEmpty()) {
      // A clone from a path of this host that the sandbox user may not read: done as the gateway,
      // without network, in namespaces of its own; the result is then handed to the sandbox user.
      cmd.addAll(limits.rlimits());
      cmd.addAll(List.of("bwrap", "--unshare-net"));
    } else {
      cmd.addAll(namespaces.get().asSandboxUser());
      cmd.addAll(namespaces.get().enter(sandboxId, dir));
      cmd.addAll(limits.rlimits());
      cmd.add("bwrap");
    }
    cmd.addAll(
        List.of(
            "--die-with-parent",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-user",
            "--uid",
            "1000",
            "--gid",
            "1000",
            "--hostname",
            "sandbox",
            "--new-session",
            "--ro-bind",
            "/usr",
            "/usr"));
    for (String link : List.of("bin", "lib", "lib64", "sbin")) {
      Path target = Path.of("/usr", link);
      if (Files.isDirectory(target)) {
        cmd.addAll(List.of("--symlink", "usr/" + link, "/" + link));
      }
    }
    boolean hostClone = runAs.isPresent() && !request.readOnlyPaths().isEmpty();
    if (!hostClone
        && namespaces.map(n -> n.network() == SandboxNamespaces.Network.PASTA).orElse(false)) {
      // The host's resolver may sit on its loopback or in a closed range: pasta forwards to it.
      cmd.addAll(List.of("--ro-bind", resolvConf.toString(), "/etc/resolv.conf"));
    } else {
      cmd.addAll(List.of("--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"));
    }
    for (String etc :
        List.of(
            "/etc/hosts",
            "/etc/ssl",
            "/etc/ca-certificates",
            "/etc/alternatives",
            "/etc/gitconfig",
            "/etc/nsswitch.conf")) {
      cmd.addAll(List.of("--ro-bind-try", etc, etc));
    }
    cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
    cmd.addAll(List.of("--size", Long.toString(limits.tmpBytes()), "--tmpfs", "/tmp"));
    if (runAs.isPresent() && !request.readOnlyPaths().isEmpty()) {
      // The host clone writes into a directory of the gateway's, moved into the workspace after.
      Path volume = disks.isPresent() ? dir.resolve(WorkspaceDisks.MOUNT) : dir;
      cmd.addAll(List.of("--bind", volume.resolve(CLONE_STAGING).toString(), SANDBOX_WORKSPACE));
      cmd.addAll(List.of("--tmpfs", SANDBOX_HOME));
    } else {
      cmd.addAll(List.of("--bind", dir.resolve("workspace").toString(), SANDBOX_WORKSPACE));
      cmd.addAll(List.of("--bind", dir.resolve("home").toString(), SANDBOX_HOME));
    }
    if (Files.exists(claudeBinary)) {
      cmd.addAll(List.of("--ro-bind", claudeBinary.toString(), SANDBOX_CLAUDE));
    }
    for (Path readable : request.readOnlyPaths()) {
      if (!Files.exists(readable)) {
        continue; // the process will find nothing there, as it would without isolation
      }
      cmd.addAll(List.of("--ro-bind", readable.toString(), readable.toString()));
    }
    String inside = SANDBOX_WORKSPACE;
    Path relative = dir.resolve("workspace").relativize(cwd);
    if (!relative.toString().isEmpty()) {
      inside = SANDBOX_WORKSPACE + "/" + relative;
    }
    cmd.addAll(List.of("--chdir", inside));
    cmd.add("--");
    cmd.addAll(request.command());
    return cmd;
  }

  /** The environment of a process inside bubblewrap (the process's view of its sandbox). */
  private static Map<String, String> sandboxEnvironment(Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("HOME", SANDBOX_HOME);
    env.put("USER", "sandbox");
    env.put("LANG", "C.UTF-8");
    env.put("PATH", "/opt/claude/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.putAll(extra);
    return env;
  }

  private Map<String, String> plainEnvironment(Path dir, Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("HOME", dir.resolve("home").toString());
    env.put("USER", "sandbox");
    env.put("LANG", "C.UTF-8");
    env.put(
        "PATH",
        claudeBinary.getParent() + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    // Claude Code refuses to skip permissions as root unless told it is in a sandbox.
    env.put("IS_SANDBOX", "1");
    env.putAll(extra);
    return env;
  }

  /**
   * Reads a file of the workspace. With bubblewrap, a process inside the sandbox reads it, so every
   * link on the path resolves in the sandbox's own view: a link swapped in after the path was
   * checked (a race) can lead only where the sandbox itself can go, never to the gateway's files or
   * another sandbox's.
   */
  @Override
  public Uni<byte[]> readFile(String sandboxId, String path, int maxBytes) {
    if (!bubblewrap) {
      return readOnHost(sandboxId, path, maxBytes);
    }
    String inside = WorkspacePaths.inSandbox(SANDBOX_WORKSPACE, path);
    ExecRequest read =
        ExecRequest.of(
                List.of("sh", "-c", READ_FILE, "sh", inside, Long.toString(maxBytes + 1L)),
                FILE_TIMEOUT)
            .withMaxOutputBytes(maxBytes + 1L);
    return inSandbox(sandboxId, path, read)
        .map(
            done -> {
              switch (done.exitCode()) {
                case 0 -> {}
                case NOT_A_FILE ->
                    throw new ProviderException(
                        ProviderException.Kind.NOT_FOUND, "no such file: " + path);
                default ->
                    throw new ProviderException(
                        ProviderException.Kind.UNAVAILABLE, "cannot read " + path);
              }
              byte[] content = done.stdout();
              if (content.length > maxBytes) {
                throw new ProviderException(
                    ProviderException.Kind.INVALID, "file is larger than " + maxBytes + " bytes");
              }
              return content;
            });
  }

  /** Writes a file of the workspace; with bubblewrap, from inside the sandbox (see readFile). */
  @Override
  public Uni<Void> writeFile(String sandboxId, String path, byte[] content) {
    if (!bubblewrap) {
      return writeOnHost(sandboxId, path, content);
    }
    String inside = WorkspacePaths.inSandbox(SANDBOX_WORKSPACE, path);
    ExecRequest write =
        ExecRequest.of(List.of("sh", "-c", WRITE_FILE, "sh", inside), FILE_TIMEOUT)
            .withStdin(content);
    return inSandbox(sandboxId, path, write)
        .map(
            done -> {
              if (done.exitCode() == NOT_A_FILE) {
                throw new ProviderException(
                    ProviderException.Kind.INVALID, path + " is a directory");
              }
              if (done.exitCode() != 0) {
                throw new ProviderException(ProviderException.Kind.INVALID, "cannot write " + path);
              }
              return null;
            });
  }

  /** What a process of the gateway's own (a file read or write) left behind. */
  private record Done(int exitCode, byte[] stdout) {}

  /**
   * Runs a file operation inside the sandbox, after the same path checks as on the host (a path
   * that leaves the workspace through a link is still the caller's 400): the checks give the clear
   * answer, running inside gives the guarantee.
   */
  private Uni<Done> inSandbox(String sandboxId, String path, ExecRequest request) {
    return blocking(
            () -> {
              Path dir = existing(sandboxId);
              WorkspacePaths.resolve(dir.resolve("workspace"), path);
              return start(sandboxId, dir, request);
            })
        .chain(
            handle -> {
              ByteArrayOutputStream stdout = new ByteArrayOutputStream();
              return handle
                  .events()
                  .onItem()
                  .invoke(
                      event -> {
                        if (event instanceof ExecEvent.Stdout out) {
                          stdout.writeBytes(out.bytes());
                        }
                      })
                  .collect()
                  .last()
                  .map(
                      last ->
                          last instanceof ExecEvent.Exit exit && !exit.timedOut()
                              ? new Done(exit.exitCode(), stdout.toByteArray())
                              : new Done(-1, new byte[0]));
            });
  }

  private Uni<byte[]> readOnHost(String sandboxId, String path, int maxBytes) {
    return blocking(
        () -> {
          Path file = WorkspacePaths.resolve(existing(sandboxId).resolve("workspace"), path);
          if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
            throw new ProviderException(ProviderException.Kind.NOT_FOUND, "no such file: " + path);
          }
          try {
            if (Files.size(file) > maxBytes) {
              throw new ProviderException(
                  ProviderException.Kind.INVALID, "file is larger than " + maxBytes + " bytes");
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
              return in.readNBytes(maxBytes);
            }
          } catch (IOException e) {
            throw new ProviderException(
                ProviderException.Kind.UNAVAILABLE, "cannot read " + path, e);
          }
        });
  }

  private Uni<Void> writeOnHost(String sandboxId, String path, byte[] content) {
    return blocking(
        () -> {
          Path workspace = existing(sandboxId).resolve("workspace");
          Path file = WorkspacePaths.resolve(workspace, path);
          try {
            Files.createDirectories(file.getParent());
            // The parent now exists: check again that no link was slipped in along the way.
            WorkspacePaths.resolve(workspace, path);
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
              throw new ProviderException(ProviderException.Kind.INVALID, path + " is a directory");
            }
            try (OutputStream out =
                Files.newOutputStream(
                    file,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
              out.write(content);
            }
          } catch (IOException e) {
            throw new ProviderException(ProviderException.Kind.INVALID, "cannot write " + path, e);
          }
          return null;
        });
  }

  @Override
  public Uni<Void> extendTtl(String sandboxId, Duration ttl) {
    // Local sandboxes live until terminated; there is nothing to extend.
    return status(sandboxId).replaceWithVoid();
  }

  @Override
  public Uni<Snapshot> snapshot(String sandboxId) {
    return blocking(() -> snapshots.take(existing(sandboxId)));
  }

  @Override
  public Uni<Void> deleteSnapshot(String snapshotId) {
    return blocking(
        () -> {
          snapshots.delete(snapshotId);
          return null;
        });
  }

  @Override
  public Uni<List<dev.remoteclaude.gateway.provider.ProvidedSandbox>> list() {
    return blocking(
        () -> {
          List<dev.remoteclaude.gateway.provider.ProvidedSandbox> held = new ArrayList<>();
          for (String id : existingSandboxes()) {
            try {
              java.nio.file.attribute.BasicFileAttributes attributes =
                  Files.readAttributes(
                      sandboxes.resolve(id), java.nio.file.attribute.BasicFileAttributes.class);
              held.add(
                  new dev.remoteclaude.gateway.provider.ProvidedSandbox(
                      id, attributes.creationTime().toInstant()));
            } catch (IOException e) {
              Log.debugf("sandbox %s went while listing: %s", id, e.getMessage());
            }
          }
          return held;
        });
  }

  /** The sandboxes that exist on disk. */
  Set<String> existingSandboxes() {
    try (Stream<Path> dirs = Files.list(sandboxes)) {
      return dirs.map(p -> p.getFileName().toString())
          .filter(name -> name.matches("lsb-[0-9a-f-]{36}"))
          .collect(java.util.stream.Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Object lockOf(String sandboxId) {
    return sandboxLocks[Math.floorMod(sandboxId.hashCode(), sandboxLocks.length)];
  }

  private void killAll(String sandboxId) {
    Set<LocalProcess> processes = running.remove(sandboxId);
    if (processes != null) {
      processes.forEach(LocalProcess::killTree);
    }
    namespaces.ifPresent(n -> n.stop(sandboxId, dirOf(sandboxId)));
  }

  private Path dirOf(String sandboxId) {
    if (!sandboxId.matches("lsb-[0-9a-f-]{36}")) {
      throw new ProviderException(ProviderException.Kind.NOT_FOUND, "not a local sandbox id");
    }
    return sandboxes.resolve(sandboxId);
  }

  private Path existing(String sandboxId) {
    Path dir = dirOf(sandboxId);
    if (!Files.isDirectory(dir)) {
      throw new ProviderException(ProviderException.Kind.NOT_FOUND, "sandbox is gone");
    }
    disks.ifPresent(d -> d.mount(dir)); // after a reboot
    return dir;
  }

  private static void touch(Path file) {
    try {
      Files.writeString(file, "", StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot remove the sandbox", e);
    }
  }

  private static <T> Uni<T> blocking(Supplier<T> work) {
    return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }
}
