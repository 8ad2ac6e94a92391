package dev.remoteclaude.gateway.provider.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Connect envelopes from envd, which runs inside the tenant's sandbox and may be replaced. */
class ConnectFramesTest {

  @Test
  void framesArriveWholeHoweverTheStreamIsChunked() {
    List<ConnectFrames.Frame> frames = new ArrayList<>();
    RecordParser parser = ConnectFrames.parser(frames::add);
    Buffer stream =
        ConnectFrames.frame(0, new JsonObject().put("n", 1))
            .appendBuffer(ConnectFrames.frame(ConnectFrames.END_STREAM, new JsonObject()));
    for (int i = 0; i < stream.length(); i++) {
      parser.handle(stream.getBuffer(i, i + 1));
    }
    assertThat(frames).hasSize(2);
    assertThat(frames.get(0).message().getInteger("n")).isEqualTo(1);
    assertThat(frames.get(1).endOfStream()).isTrue();
  }

  @Test
  void aMessageLongerThanTheLimitEndsTheStreamAndNothingAfterItIsBuffered() {
    List<ConnectFrames.Frame> frames = new ArrayList<>();
    RecordParser parser = ConnectFrames.parser(frames::add);
    parser.handle(
        Buffer.buffer().appendByte((byte) 0).appendInt(ConnectFrames.MAX_MESSAGE_BYTES + 1));
    parser.handle(Buffer.buffer(new byte[1024]));
    parser.handle(ConnectFrames.frame(0, new JsonObject().put("n", 2)));

    assertThat(frames).hasSize(1);
    assertThat(frames.getFirst().endOfStream()).isTrue();
    assertThat(frames.getFirst().message().getJsonObject("error").getString("code"))
        .isEqualTo(ConnectFrames.TOO_LARGE);
  }

  @Test
  void aNegativeLengthEndsTheStream() {
    List<ConnectFrames.Frame> frames = new ArrayList<>();
    RecordParser parser = ConnectFrames.parser(frames::add);
    parser.handle(Buffer.buffer().appendByte((byte) 0).appendInt(-5));
    assertThat(frames).singleElement().satisfies(f -> assertThat(f.endOfStream()).isTrue());
  }
}
