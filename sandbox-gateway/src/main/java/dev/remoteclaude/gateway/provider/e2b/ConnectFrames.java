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

  /**
   * The largest message accepted from envd (which runs inside the tenant's sandbox and so may be
   * replaced by its code): its data events carry a few KiB of output each.
   */
  static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** The error code of the end frame the parser makes up for a message past the limit. */
  static final String TOO_LARGE = "resource_exhausted";

  /**
   * Splits a byte stream into envelopes, however it is chunked (Vert.x' record parser). A length
   * that is negative or past {@link #MAX_MESSAGE_BYTES} ends the stream: an end frame with error
   * {@link #TOO_LARGE} is handed on and everything after it is ignored, so nothing is buffered.
   */
  static RecordParser parser(Handler<Frame> frames) {
    RecordParser parser = RecordParser.newFixed(5);
    int[] flags = new int[] {-1};
    boolean[] broken = new boolean[] {false};
    parser.handler(
        bytes -> {
          if (broken[0]) {
            return;
          }
          if (flags[0] < 0) {
            flags[0] = bytes.getUnsignedByte(0);
            int length = bytes.getInt(1);
            if (length < 0 || length > MAX_MESSAGE_BYTES) {
              broken[0] = true;
              frames.handle(
                  new Frame(
                      END_STREAM,
                      new JsonObject()
                          .put(
                              "error",
                              new JsonObject()
                                  .put("code", TOO_LARGE)
                                  .put("message", "envd sent a message of " + length + " bytes"))));
              return;
            }
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
