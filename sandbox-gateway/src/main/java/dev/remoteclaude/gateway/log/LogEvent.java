package dev.remoteclaude.gateway.log;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.remoteclaude.common.events.EventCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

/**
 * One entry of a session's output log, as stored and as sent to clients. {@link #json()} is the
 * wire message {@code {seq, type, taskId, at, data}}, built once and shared by every subscriber.
 */
public final class LogEvent {

  private final UUID sessionId;
  private final long seq;
  private final String type;
  private final UUID taskId;
  private final Instant at;
  private final String data;
  private volatile String json;

  public LogEvent(UUID sessionId, long seq, String type, UUID taskId, Instant at, String data) {
    this.sessionId = sessionId;
    this.seq = seq;
    this.type = type;
    this.taskId = taskId;
    this.at = at;
    this.data = data;
  }

  public UUID sessionId() {
    return sessionId;
  }

  public long seq() {
    return seq;
  }

  public String type() {
    return type;
  }

  public UUID taskId() {
    return taskId;
  }

  public Instant at() {
    return at;
  }

  /** The event's data as a JSON object text. */
  public String data() {
    return data;
  }

  public String json() {
    String result = json;
    if (result == null) {
      result = render();
      json = result;
    }
    return result;
  }

  private String render() {
    StringWriter out = new StringWriter(data.length() + 96);
    try (JsonGenerator gen = EventCodec.mapper().getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeNumberField("seq", seq);
      gen.writeStringField("type", type);
      gen.writeStringField("taskId", taskId == null ? null : taskId.toString());
      gen.writeStringField("at", at.toString());
      gen.writeFieldName("data");
      gen.writeRawValue(data);
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
