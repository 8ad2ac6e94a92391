package dev.remoteclaude.gateway.stream;

import io.smallrye.mutiny.Uni;

/** Where a subscriber's messages go (a WebSocket connection, or a test double). */
public interface StreamSink {

  /** Sends one text message; completes when it is written. */
  Uni<Void> send(String message);

  /** Closes the stream with a code and a reason. */
  void close(int code, String reason);
}
