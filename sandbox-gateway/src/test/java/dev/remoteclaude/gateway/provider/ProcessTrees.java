package dev.remoteclaude.gateway.provider;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Ends a process with everything it started, as a provider's VM or container ends: no process of
 * the tree survives. Killing a tree from a snapshot of its descendants lets a child forked after
 * the snapshot escape once its parent is killed (it is reparented out of the tree and keeps the
 * pipes open). So the tree is first stopped (SIGSTOP, which a process cannot catch) until a fresh
 * look finds no process that is not yet stopped, and only then killed.
 */
public final class ProcessTrees {
  private ProcessTrees() {}

  private static final int MAX_ROUNDS = 100;

  public static void kill(Process process) {
    if (process != null) {
      kill(process.toHandle());
    }
  }

  public static void kill(ProcessHandle root) {
    Set<Long> stopped = new HashSet<>();
    List<ProcessHandle> tree = new ArrayList<>();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      List<ProcessHandle> fresh =
          Stream.concat(Stream.of(root), root.descendants())
              .filter(ProcessHandle::isAlive)
              .filter(p -> !stopped.contains(p.pid()))
              .toList();
      if (fresh.isEmpty()) {
        break;
      }
      stop(fresh);
      fresh.forEach(
          p -> {
            stopped.add(p.pid());
            tree.add(p);
          });
    }
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  /** SIGSTOP by kill(1): the JDK sends only TERM and KILL. Arguments are process ids. */
  private static void stop(List<ProcessHandle> processes) {
    List<String> command = new ArrayList<>(List.of("kill", "-s", "STOP", "--"));
    processes.forEach(p -> command.add(Long.toString(p.pid())));
    try {
      new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
