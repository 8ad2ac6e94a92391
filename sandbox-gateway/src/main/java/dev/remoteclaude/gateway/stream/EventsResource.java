package dev.remoteclaude.gateway.stream;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.gateway.log.LogEvent;
import dev.remoteclaude.gateway.log.OutputLog;
import dev.remoteclaude.gateway.sandbox.SandboxAccess;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The session's log over REST: for gap filling and clients without WebSockets. */
@Path("/api/v1/sessions/{id}/events")
@Authenticated
public class EventsResource {

  private final SandboxAccess access;
  private final OutputLog log;
  private final CurrentUser user;

  public EventsResource(SandboxAccess access, OutputLog log, CurrentUser user) {
    this.access = access;
    this.log = log;
    this.user = user;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Events of a session after a sequence number",
      description =
          "Returns {events: [{seq, type, taskId, at, data}], next}. Pass next as after to continue.")
  public Uni<String> events(
      @PathParam("id") UUID sessionId,
      @QueryParam("after") @DefaultValue("0") @Min(0) long after,
      @QueryParam("limit") @DefaultValue("200") @Min(1) @Max(1000) int limit) {
    return access
        .owned(sessionId, user.id())
        .chain(sandbox -> log.read(sessionId, after, limit))
        .map(events -> render(events, after));
  }

  private static String render(List<LogEvent> events, long after) {
    StringBuilder out = new StringBuilder("{\"events\":[");
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(events.get(i).json());
    }
    long next = events.isEmpty() ? after : events.get(events.size() - 1).seq();
    return out.append("],\"next\":").append(next).append('}').toString();
  }
}
