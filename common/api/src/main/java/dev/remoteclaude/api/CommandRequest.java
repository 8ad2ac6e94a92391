package dev.remoteclaude.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * A command for a session's sandbox: {@code argv} (run as is) or {@code script} (run with {@code
 * bash -lc} inside the sandbox); {@code stream: true} answers 202 at once ({@link CommandStarted})
 * and sends the output to the session's stream instead of answering with a {@link CommandResult}.
 */
public record CommandRequest(
    @Size(min = 1, max = 256) List<@NotNull @Size(max = 65536) String> argv,
    @Size(max = 65536) String script,
    @Size(max = 1024) String workingDir,
    @Min(1) @Max(86400) Integer timeoutSeconds,
    Boolean stream) {

  /** A validation rule, not a member of the JSON. */
  @JsonIgnore
  @AssertTrue(message = "give either argv or script")
  public boolean isEitherArgvOrScript() {
    boolean hasArgv = argv != null && !argv.isEmpty();
    boolean hasScript = script != null && !script.isBlank();
    return hasArgv ^ hasScript;
  }
}
