package dev.remoteclaude.gateway.command;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.sandbox.SandboxAccess;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

/** Runs commands in the caller's sandbox. */
@Path("/api/v1/sessions/{id}/commands")
@Authenticated
public class CommandResource {

  /**
   * A command: {@code argv} (run as is) or {@code script} (run with {@code bash -lc} inside the
   * sandbox); {@code stream: true} answers 202 at once and sends the output to the session's stream
   * instead.
   */
  public record CommandRequest(
      @Size(min = 1, max = 256) List<@NotNull @Size(max = 65536) String> argv,
      @Size(max = 65536) String script,
      @Size(max = 1024) String workingDir,
      @Min(1) @Max(86400) Integer timeoutSeconds,
      Boolean stream) {

    @AssertTrue(message = "give either argv or script")
    public boolean isEitherArgvOrScript() {
      boolean hasArgv = argv != null && !argv.isEmpty();
      boolean hasScript = script != null && !script.isBlank();
      return hasArgv ^ hasScript;
    }
  }

  /** The outcome of a buffered command. */
  public record CommandResult(
      UUID commandId,
      int exitCode,
      String stdout,
      String stderr,
      long durationMs,
      boolean timedOut,
      boolean truncated) {}

  /** A started streamed command; its output arrives on the stream as command.* events. */
  public record CommandStarted(UUID commandId) {}

  private final SandboxAccess access;
  private final CommandService commands;
  private final CurrentUser user;

  public CommandResource(SandboxAccess access, CommandService commands, CurrentUser user) {
    this.access = access;
    this.commands = commands;
    this.user = user;
  }

  @POST
  @Operation(summary = "Run a command in the session's sandbox")
  public Uni<RestResponse<Object>> run(
      @PathParam("id") UUID sessionId, @Valid @NotNull CommandRequest request) {
    UUID commandId = UUID.randomUUID();
    CommandService.Command command =
        new CommandService.Command(
            request.argv(),
            request.script(),
            request.workingDir(),
            request.timeoutSeconds() == null ? null : Duration.ofSeconds(request.timeoutSeconds()),
            Boolean.TRUE.equals(request.stream()));
    return access
        .ownedWithRequest(sessionId, user.id())
        .chain(
            owned -> {
              if (command.stream()) {
                return commands
                    .start(owned, commandId, command)
                    .map(ok -> RestResponse.accepted((Object) new CommandStarted(commandId)));
              }
              return commands
                  .run(owned, commandId, command)
                  .map(result -> RestResponse.ok((Object) toResult(commandId, result)));
            });
  }

  private static CommandResult toResult(UUID commandId, ExecResult result) {
    return new CommandResult(
        commandId,
        result.exitCode(),
        result.stdout(),
        result.stderr(),
        result.durationMs(),
        result.timedOut(),
        result.truncated());
  }
}
