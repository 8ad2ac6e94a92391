package dev.remoteclaude.gateway.command;

import dev.remoteclaude.api.CommandRequest;
import dev.remoteclaude.api.CommandResult;
import dev.remoteclaude.api.CommandStarted;
import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.ratelimit.RateLimitClass;
import dev.remoteclaude.common.ratelimit.RateLimited;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.sandbox.SandboxAccess;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

/** Runs commands in the caller's sandbox. */
@Path("/api/v1/sessions/{id}/commands")
@Authenticated
public class CommandResource {

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
  @RateLimited(RateLimitClass.COMMANDS)
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
