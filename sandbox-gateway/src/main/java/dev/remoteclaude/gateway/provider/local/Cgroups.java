package dev.remoteclaude.gateway.provider.local;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One control group per sandbox, holding all of its processes to a memory, process and CPU limit
 * together. cgroup v2 where this process's group is delegated to it (a systemd unit with {@code
 * Delegate=yes}, a container), cgroup v1 where its hierarchies are writable (root), otherwise none:
 * then only the rlimits of {@link SandboxLimits} apply.
 */
final class Cgroups {

  /** Sandbox groups are created under this name in the gateway's own group. */
  static final String PARENT = "rc-sandboxes";

  private static final long CPU_PERIOD_MICROS = 100_000;

  private final SandboxLimits limits;

  /** v2: the one parent directory; v1: the parent directory of each controller. */
  private final Map<String, Path> parents;

  private final boolean v2;

  private Cgroups(SandboxLimits limits, Map<String, Path> parents, boolean v2) {
    this.limits = limits;
    this.parents = parents;
    this.v2 = v2;
  }

  /** Finds what this host lets the gateway use, from {@code /proc/self/cgroup}. */
  static Cgroups detect(SandboxLimits limits, Path sysFsCgroup, Path procSelfCgroup) {
    List<String> lines;
    try {
      lines = Files.readAllLines(procSelfCgroup);
    } catch (IOException e) {
      return none(limits);
    }
    Optional<Cgroups> found =
        Files.exists(sysFsCgroup.resolve("cgroup.controllers"))
            ? v2(limits, sysFsCgroup, lines)
            : v1(limits, sysFsCgroup, lines);
    return found.orElseGet(() -> none(limits));
  }

  private static Cgroups none(SandboxLimits limits) {
    return new Cgroups(limits, Map.of(), false);
  }

  private static Optional<Cgroups> v2(SandboxLimits limits, Path root, List<String> lines) {
    Optional<String> own =
        lines.stream().filter(l -> l.startsWith("0::")).map(l -> l.substring(3)).findFirst();
    if (own.isEmpty()) {
      return Optional.empty();
    }
    Path group = root.resolve(own.get().replaceFirst("^/", ""));
    try {
      String available = Files.readString(group.resolve("cgroup.controllers"));
      if (!available.contains("memory") || !available.contains("pids")) {
        return Optional.empty();
      }
      Path parent = group.resolve(PARENT);
      if (!Files.isDirectory(parent)) {
        // A group with processes cannot hand controllers to children ("no internal processes"):
        // the gateway moves itself into a leaf of its own group first.
        Path leaf = group.resolve("rc-gateway");
        Files.createDirectories(leaf);
        Files.writeString(
            leaf.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
        enable(group, available);
        Files.createDirectories(parent);
      }
      Path offered = parent.resolve("cgroup.controllers");
      enable(parent, Files.exists(offered) ? Files.readString(offered) : available);
      return Optional.of(new Cgroups(limits, Map.of("v2", parent), true));
    } catch (IOException | RuntimeException e) {
      Log.debugf("cgroup v2 not delegated to the gateway: %s", e.getMessage());
      return Optional.empty();
    }
  }

  private static void enable(Path group, String available) throws IOException {
    StringBuilder wanted = new StringBuilder();
    for (String controller : List.of("memory", "pids", "cpu")) {
      if (available.contains(controller)) {
        wanted.append(" +").append(controller);
      }
    }
    Files.writeString(group.resolve("cgroup.subtree_control"), wanted.toString().strip());
  }

  private static Optional<Cgroups> v1(SandboxLimits limits, Path root, List<String> lines) {
    Map<String, Path> parents = new LinkedHashMap<>();
    for (String controller : List.of("memory", "pids", "cpu")) {
      for (String line : lines) {
        String[] parts = line.split(":", 3);
        if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
          Path parent =
              root.resolve(controller).resolve(parts[2].replaceFirst("^/", "")).resolve(PARENT);
          try {
            Files.createDirectories(parent);
            parents.put(controller, parent);
          } catch (IOException | RuntimeException e) {
            Log.debugf("cgroup v1 %s not writable: %s", controller, e.getMessage());
          }
        }
      }
    }
    if (!parents.containsKey("memory") || !parents.containsKey("pids")) {
      return Optional.empty();
    }
    return Optional.of(new Cgroups(limits, parents, false));
  }

  boolean active() {
    return !parents.isEmpty();
  }

  String describe() {
    if (!active()) {
      return "no cgroups (rlimits only: no memory or CPU limit)";
    }
    return (v2 ? "cgroup v2 " : "cgroup v1 ") + parents.values().iterator().next();
  }

  /**
   * Creates the sandbox's group (or finds it) with its limits; returns the {@code cgroup.procs}
   * files a process writes its pid to, to join it, before it starts anything of the tenant's.
   */
  List<Path> prepare(String sandboxId) {
    if (!active()) {
      return List.of();
    }
    // Set up once per sandbox and gateway process, not rewritten on every command.
    return prepared.computeIfAbsent(sandboxId, this::create);
  }

  private final java.util.Map<String, List<Path>> prepared =
      new java.util.concurrent.ConcurrentHashMap<>();

  private List<Path> create(String sandboxId) {
    List<Path> procs = new ArrayList<>();
    try {
      if (v2) {
        Path group = Files.createDirectories(parents.get("v2").resolve(sandboxId));
        write(group, "memory.max", Long.toString(limits.memoryBytes()));
        write(group, "memory.swap.max", "0");
        write(group, "pids.max", Integer.toString(limits.processes()));
        write(group, "cpu.max", cpuQuota() + " " + CPU_PERIOD_MICROS);
        procs.add(group.resolve("cgroup.procs"));
      } else {
        for (Map.Entry<String, Path> parent : parents.entrySet()) {
          Path group = Files.createDirectories(parent.getValue().resolve(sandboxId));
          switch (parent.getKey()) {
            case "memory" -> write(group, "memory.limit_in_bytes", "" + limits.memoryBytes());
            case "pids" -> write(group, "pids.max", Integer.toString(limits.processes()));
            default -> {
              write(group, "cpu.cfs_period_us", Long.toString(CPU_PERIOD_MICROS));
              write(group, "cpu.cfs_quota_us", Long.toString(cpuQuota()));
            }
          }
          procs.add(group.resolve("cgroup.procs"));
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot set up the sandbox's cgroup", e);
    }
    return List.copyOf(procs);
  }

  /** Removes the sandbox's groups (its processes have been killed; a straggler is retried). */
  void remove(String sandboxId) {
    prepared.remove(sandboxId);
    for (Path parent : parents.values()) {
      Path group = parent.resolve(sandboxId);
      for (int attempt = 0; attempt < 50 && Files.isDirectory(group); attempt++) {
        try {
          Files.delete(group); // rmdir: the kernel refuses while a process is still in it
        } catch (IOException e) {
          java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
      }
      if (Files.isDirectory(group)) {
        Log.warnf("cgroup %s still has processes; left for the next start", group);
      }
    }
  }

  private long cpuQuota() {
    return Math.max(1000, Math.round(limits.cpus() * CPU_PERIOD_MICROS));
  }

  private static void write(Path group, String file, String value) throws IOException {
    Path target = group.resolve(file);
    if (Files.exists(target)) {
      Files.writeString(target, value);
    }
  }
}
