package dev.remoteclaude.cli.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

/** The outcome of a command run in a sandbox (sandbox-gateway's buffered command). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommandResult(
    UUID commandId,
    int exitCode,
    String stdout,
    String stderr,
    long durationMs,
    boolean timedOut,
    boolean truncated) {

  public static CommandResult of(JsonNode node) {
    return Json.convert(node, CommandResult.class);
  }
}
