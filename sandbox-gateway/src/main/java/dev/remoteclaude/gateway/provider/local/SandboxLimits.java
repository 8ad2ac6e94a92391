package dev.remoteclaude.gateway.provider.local;

import dev.remoteclaude.gateway.config.GatewayConfig;
import java.util.List;

/** What one local sandbox may use of the host (see {@code gateway.local.limits}). */
record SandboxLimits(
    long memoryBytes,
    int processes,
    double cpus,
    long tmpBytes,
    long fileSizeBytes,
    int concurrentCommands,
    long diskBytes) {

  static SandboxLimits of(GatewayConfig.Local.Limits limits) {
    return new SandboxLimits(
        limits.memory().asLongValue(),
        limits.processes(),
        limits.cpus(),
        limits.tmp().asLongValue(),
        limits.fileSize().asLongValue(),
        limits.concurrentCommands(),
        limits.disk().asLongValue());
  }

  /**
   * prlimit's arguments, applied inside the sandbox's own user namespace: there the process count
   * is the sandbox's (all its commands together), not the host user's.
   */
  List<String> rlimits() {
    return List.of(
        "prlimit",
        "--nproc=" + processes + ":" + processes,
        "--fsize=" + fileSizeBytes + ":" + fileSizeBytes,
        "--core=0:0",
        "--");
  }
}
