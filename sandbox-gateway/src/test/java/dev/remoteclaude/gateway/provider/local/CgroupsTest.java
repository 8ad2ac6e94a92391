package dev.remoteclaude.gateway.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the gateway writes to the kernel's cgroup files, against a directory laid out as {@code
 * /sys/fs/cgroup} is. This machine has cgroup v1, so {@code LocalIsolationTest} exercises v1 for
 * real; the v2 layout (a systemd unit with {@code Delegate=yes}, a container) is checked here: the
 * files are those the kernel creates in a new group, pre-created as the kernel would.
 */
class CgroupsTest {

  private static final SandboxLimits LIMITS =
      new SandboxLimits(256L << 20, 200, 1.5, 8L << 20, 16L << 20, 4, 0);

  private static final List<String> V2_FILES =
      List.of("memory.max", "memory.swap.max", "pids.max", "cpu.max", "cgroup.procs");

  @Test
  void aDelegatedV2GroupGetsALeafForTheGatewayAndEachSandboxItsLimits(@TempDir Path fs)
      throws IOException {
    Path unit = fs.resolve("system.slice/rc-gateway.service");
    Files.createDirectories(unit);
    Files.writeString(fs.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma");
    Files.writeString(unit.resolve("cgroup.controllers"), "cpu memory pids");
    Path self =
        Files.writeString(fs.resolve("self-cgroup"), "0::/system.slice/rc-gateway.service\n");

    Cgroups cgroups = Cgroups.detect(LIMITS, fs, self);

    assertThat(cgroups.active()).isTrue();
    assertThat(cgroups.describe()).startsWith("cgroup v2 ");
    // "No internal processes": the gateway leaves the unit's own group for a leaf first ...
    assertThat(Files.readString(unit.resolve("rc-gateway/cgroup.procs")))
        .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    // ... so that the unit can hand its controllers down to the sandboxes' parent and below.
    assertThat(Files.readString(unit.resolve("cgroup.subtree_control")))
        .isEqualTo("+memory +pids +cpu");
    Path parent = unit.resolve(Cgroups.PARENT);
    assertThat(Files.readString(parent.resolve("cgroup.subtree_control")))
        .isEqualTo("+memory +pids +cpu");

    Path group = parent.resolve("sb-1");
    kernelCreates(group, V2_FILES);
    assertThat(cgroups.prepare("sb-1")).containsExactly(group.resolve("cgroup.procs"));
    assertThat(Files.readString(group.resolve("memory.max"))).isEqualTo("268435456");
    assertThat(Files.readString(group.resolve("memory.swap.max"))).isEqualTo("0");
    assertThat(Files.readString(group.resolve("pids.max"))).isEqualTo("200");
    assertThat(Files.readString(group.resolve("cpu.max"))).isEqualTo("150000 100000");
  }

  @Test
  void aV2GroupWithoutTheMemoryOrPidsControllerIsNotUsed(@TempDir Path fs) throws IOException {
    Path unit = fs.resolve("user.slice");
    Files.createDirectories(unit);
    Files.writeString(fs.resolve("cgroup.controllers"), "cpu memory pids");
    Files.writeString(unit.resolve("cgroup.controllers"), "cpu"); // not delegated
    Path self = Files.writeString(fs.resolve("self-cgroup"), "0::/user.slice\n");

    Cgroups cgroups = Cgroups.detect(LIMITS, fs, self);

    assertThat(cgroups.active()).isFalse();
    assertThat(cgroups.describe()).contains("rlimits only");
    assertThat(cgroups.prepare("sb-1")).isEmpty();
    assertThat(unit.resolve(Cgroups.PARENT)).doesNotExist();
  }

  @Test
  void writableV1HierarchiesGetAGroupPerControllerWithItsLimit(@TempDir Path fs)
      throws IOException {
    for (String controller : List.of("memory", "pids", "cpu")) {
      Files.createDirectories(fs.resolve(controller));
    }
    Path self =
        Files.writeString(fs.resolve("self-cgroup"), "9:memory:/\n8:pids:/\n4:cpu,cpuacct:/\n");

    Cgroups cgroups = Cgroups.detect(LIMITS, fs, self);

    assertThat(cgroups.describe()).startsWith("cgroup v1 ");
    kernelCreates(
        fs.resolve("memory").resolve(Cgroups.PARENT).resolve("sb-1"),
        List.of("memory.limit_in_bytes", "cgroup.procs"));
    kernelCreates(
        fs.resolve("pids").resolve(Cgroups.PARENT).resolve("sb-1"),
        List.of("pids.max", "cgroup.procs"));
    kernelCreates(
        fs.resolve("cpu").resolve(Cgroups.PARENT).resolve("sb-1"),
        List.of("cpu.cfs_period_us", "cpu.cfs_quota_us", "cgroup.procs"));

    assertThat(cgroups.prepare("sb-1")).hasSize(3);
    Path memory = fs.resolve("memory").resolve(Cgroups.PARENT).resolve("sb-1");
    assertThat(Files.readString(memory.resolve("memory.limit_in_bytes"))).isEqualTo("268435456");
    Path pids = fs.resolve("pids").resolve(Cgroups.PARENT).resolve("sb-1");
    assertThat(Files.readString(pids.resolve("pids.max"))).isEqualTo("200");
    Path cpu = fs.resolve("cpu").resolve(Cgroups.PARENT).resolve("sb-1");
    assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us"))).isEqualTo("100000");
    assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us"))).isEqualTo("150000");
  }

  /** A new group's interface files, which the kernel creates with the directory. */
  private static void kernelCreates(Path group, List<String> files) throws IOException {
    Files.createDirectories(group);
    for (String file : files) {
      Files.writeString(group.resolve(file), "");
    }
  }
}
