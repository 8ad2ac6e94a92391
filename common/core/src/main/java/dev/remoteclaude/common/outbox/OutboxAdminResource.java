package dev.remoteclaude.common.outbox;

import dev.remoteclaude.api.Paging;
import dev.remoteclaude.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Operators' view of this service's dead-lettered outbox rows (see {@link OutboxRelay}). Every
 * service with an outbox serves it; only callers whose token carries the operator role ({@code
 * rc.auth.operator-role}, {@code rc-operator} by default, in the token's {@code groups} claim) are
 * let in; anyone else gets 403.
 */
@Path("/api/v1/admin/outbox")
@Tag(name = "admin")
@RolesAllowed("${rc.auth.operator-role:rc-operator}")
public class OutboxAdminResource {

  /** What a replay answers: the row waits to be published again. */
  public record Replayed(long id, String state) {}

  private final DeadLetters deadLetters;

  public OutboxAdminResource(DeadLetters deadLetters) {
    this.deadLetters = deadLetters;
  }

  @GET
  @Path("/dead")
  @Operation(summary = "Dead-lettered outbox events of this service, oldest first (operators)")
  public Uni<DeadLetters.DeadEventPage> dead(
      @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Paging.MAX_PAGE) int page,
      @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
    return deadLetters.page(page, size);
  }

  @POST
  @Path("/dead/{id}/replay")
  @Operation(
      summary = "Publish a dead-lettered outbox event again (operators)",
      description =
          "The event goes back into its key's queue and is published after the events of its key"
              + " that were published while it was dead. 404 if no dead event has that id.")
  public Uni<RestResponse<Replayed>> replay(@PathParam("id") long id) {
    return deadLetters
        .replay(id)
        .map(
            replayed -> {
              if (!replayed) {
                throw ProblemException.notFound("dead outbox event " + id);
              }
              return RestResponse.accepted(new Replayed(id, "PENDING"));
            });
  }
}
