package dev.remoteclaude.gateway.provider.e2b;

import dev.remoteclaude.gateway.provider.ProviderException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;

/**
 * The Connect protocol's streaming envelopes (connectrpc.com/docs/protocol): a flags byte, the
 * message's length as 4 bytes big-endian, then the message (JSON here). The last envelope of a
 * response has flag {@link #END_STREAM} and carries {@code {"error"?: {...}}}.
 */
final class ConnectFrames {
  private ConnectFrames() {}

  static final int END_STREAM = 0x02;

  /** One envelope. */
  record Frame(int flags, JsonObject message) {
    boolean endOfStream() {
      return (flags & END_STREAM) != 0;
    }
  }

  static Buffer frame(int flags, JsonObject message) {
    Buffer json = message.toBuffer();
    return Buffer.buffer(5 + json.length())
        .appendByte((byte) flags)
        .appendInt(json.length())
        .appendBuffer(json);
  }

  /** Splits a byte stream into envelopes, however it is chunked (Vert.x' record parser). */
  static RecordParser parser(Handler<Frame> frames) {
    RecordParser parser = RecordParser.newFixed(5);
    int[] flags = new int[] {-1};
    parser.handler(
        bytes -> {
          if (flags[0] < 0) {
            flags[0] = bytes.getUnsignedByte(0);
            int length = bytes.getInt(1);
            if (length > 0) {
              parser.fixedSizeMode(length);
              return;
            }
            bytes = Buffer.buffer("{}");
          }
          int flag = flags[0];
          flags[0] = -1;
          parser.fixedSizeMode(5);
          frames.handle(new Frame(flag, new JsonObject(bytes)));
        });
    return parser;
  }

  /**
   * A Connect error ({@code {"code": "not_found", "message": "..."}}) as the platform's failure.
   */
  static ProviderException failure(Buffer body) {
    JsonObject error;
    try {
      error = body == null || body.length() == 0 ? new JsonObject() : new JsonObject(body);
    } catch (DecodeException e) {
      error = new JsonObject();
    }
    return failure(error);
  }

  static ProviderException failure(JsonObject error) {
    String code = error.getString("code", "unknown");
    String message = error.getString("message", "");
    if (message.length() > 300) {
      message = message.substring(0, 300) + "...";
    }
    String reason =
        "the sandbox's envd answered " + code + (message.isEmpty() ? "" : ": " + message);
    return switch (code) {
      case "not_found" -> new ProviderException(ProviderException.Kind.NOT_FOUND, reason);
      case "invalid_argument", "failed_precondition", "out_of_range", "already_exists" ->
          new ProviderException(ProviderException.Kind.INVALID, reason);
      case "resource_exhausted" -> new ProviderException(ProviderException.Kind.BUSY, reason);
      case "permission_denied", "unauthenticated" ->
          new ProviderException(
              ProviderException.Kind.UNAVAILABLE, "the sandbox's envd refused its access token");
      default -> new ProviderException(ProviderException.Kind.UNAVAILABLE, reason);
    };
  }
}
