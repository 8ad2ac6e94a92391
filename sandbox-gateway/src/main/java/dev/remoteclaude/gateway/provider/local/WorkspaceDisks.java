package dev.remoteclaude.gateway.provider.local;

import dev.remoteclaude.gateway.provider.ProviderException;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A disk of a fixed size per sandbox, so that one sandbox filling its workspace and home fills its
 * own disk, not the host's: a sparse ext4 image (costing only what is written), loop-mounted, its
 * {@code workspace/} and {@code home/} bound over the sandbox's. Needs root (mount); without it
 * sandboxes write to the host's file system, each file held to the file-size rlimit only.
 */
final class WorkspaceDisks {

  static final String IMAGE = "disk.img";
  static final String MOUNT = "disk";
  private static final List<String> PARTS = List.of("workspace", "home");

  private final long bytes;
  private final int owner;

  private WorkspaceDisks(long bytes, int owner) {
    this.bytes = bytes;
    this.owner = owner;
  }

  /** Disks of {@code bytes} owned by {@code owner} when this host allows them, else none. */
  static java.util.Optional<WorkspaceDisks> choose(long bytes, java.util.Optional<Integer> owner) {
    if (bytes <= 0 || owner.isEmpty()) {
      return java.util.Optional.empty();
    }
    boolean tools =
        SandboxNamespaces.installed("mkfs.ext4")
            && SandboxNamespaces.installed("mount")
            && Files.exists(Path.of("/dev/loop-control"));
    return tools
        ? java.util.Optional.of(new WorkspaceDisks(bytes, owner.get()))
        : java.util.Optional.empty();
  }

  long bytes() {
    return bytes;
  }

  /** Creates and mounts a new, empty sandbox's disk (before anything is written into it). */
  void create(Path dir) {
    Path image = dir.resolve(IMAGE);
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(bytes);
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot create the sandbox's disk", e);
    }
    run(
        List.of(
            "mkfs.ext4",
            "-q",
            "-F",
            "-m",
            "0",
            "-E",
            "root_owner=" + owner + ":" + owner + ",lazy_itable_init=1,nodiscard",
            image.toString()));
    mount(dir);
  }

  /** Mounts the sandbox's disk unless it is mounted (after a reboot); no disk, nothing to do. */
  void mount(Path dir) {
    Path image = dir.resolve(IMAGE);
    if (!Files.exists(image) || mounted(dir.resolve(PARTS.get(0)))) {
      return;
    }
    Path mount = dir.resolve(MOUNT);
    try {
      Files.createDirectories(mount);
      if (!mounted(mount)) {
        run(List.of("mount", "-o", "loop,nosuid,nodev", image.toString(), mount.toString()));
      }
      for (String part : PARTS) {
        Path inside = mount.resolve(part);
        if (!Files.isDirectory(inside)) {
          Files.createDirectory(inside);
          Files.setAttribute(inside, "unix:uid", owner);
          Files.setAttribute(inside, "unix:gid", owner);
          Files.setPosixFilePermissions(
              inside, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        Files.createDirectories(dir.resolve(part));
        run(List.of("mount", "--bind", inside.toString(), dir.resolve(part).toString()));
      }
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, "cannot mount the sandbox's disk", e);
    }
  }

  /** Unmounts the sandbox's disk (its processes are gone); the image stays unless deleted. */
  void unmount(Path dir) {
    List<Path> mounts = new ArrayList<>();
    PARTS.forEach(part -> mounts.add(dir.resolve(part)));
    mounts.add(dir.resolve(MOUNT));
    for (Path mount : mounts) {
      if (mounted(mount)) {
        // lazy: a process that is still leaving does not keep the sandbox from going
        run(List.of("umount", "-l", mount.toString()));
      }
    }
  }

  static boolean mounted(Path path) {
    try {
      String target = " " + path.toAbsolutePath().normalize() + " ";
      return Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8).stream()
          .anyMatch(line -> line.contains(target));
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        String said = new String(out, StandardCharsets.UTF_8).strip();
        Log.warnf("%s failed: %s", command.get(0), said);
        throw new ProviderException(
            ProviderException.Kind.UNAVAILABLE, command.get(0) + " failed for the sandbox's disk");
      }
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.UNAVAILABLE, command.get(0) + " failed for the sandbox's disk", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(ProviderException.Kind.UNAVAILABLE, "interrupted");
    }
  }
}
