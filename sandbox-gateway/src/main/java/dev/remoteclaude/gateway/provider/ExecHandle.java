package dev.remoteclaude.gateway.provider;

import io.smallrye.mutiny.Multi;

/** A started process. */
public interface ExecHandle {

  /**
   * Output chunks then the exit, once (a unicast stream: subscribe exactly once). The process runs
   * whether or not anyone has subscribed yet; chunks wait in a bounded buffer.
   */
  Multi<ExecEvent> events();

  /** Kills the whole process tree; the stream then ends with an exit flagged cancelled. */
  void cancel();
}
