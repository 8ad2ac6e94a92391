package dev.remoteclaude.repository.rest;

import dev.remoteclaude.api.CreatePullRequestRequest;
import dev.remoteclaude.api.PullRequestView;
import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.repository.PullRequest;
import dev.remoteclaude.repository.service.PullRequestService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * A session's pull (merge) requests on its repository's forge. Another user's session answers 404,
 * like a missing one.
 */
@Path("/api/v1/sessions/{sessionId}/pull-requests")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Pull requests")
public class PullRequestResource {

  private final PullRequestService pullRequests;
  private final CurrentUser user;

  public PullRequestResource(PullRequestService pullRequests, CurrentUser user) {
    this.pullRequests = pullRequests;
    this.user = user;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Open a pull request from the session's branch on the repository's forge")
  @APIResponse(responseCode = "201", description = "opened")
  @APIResponse(responseCode = "400", description = "invalid request, naming the field")
  @APIResponse(
      responseCode = "409",
      description =
          "the repository is not registered or has no credential, nothing was pushed, or a pull"
              + " request for the branch is open already")
  @APIResponse(
      responseCode = "422",
      description = "the forge refused the credential or the pull request, or has no such branch")
  @APIResponse(responseCode = "503", description = "the forge is unavailable")
  public Uni<RestResponse<PullRequestView>> open(
      @PathParam("sessionId") UUID sessionId, @Valid @NotNull CreatePullRequestRequest request) {
    return pullRequests
        .open(user.id(), sessionId, request)
        .map(
            pr ->
                RestResponse.ResponseBuilder.<PullRequestView>created(
                        URI.create("/api/v1/sessions/" + sessionId + "/pull-requests"))
                    .entity(view(pr))
                    .build());
  }

  @GET
  @Operation(summary = "The session's pull requests with their state, newest first")
  public Uni<List<PullRequestView>> list(@PathParam("sessionId") UUID sessionId) {
    return pullRequests
        .list(user.id(), sessionId)
        .map(list -> list.stream().map(PullRequestResource::view).toList());
  }

  static PullRequestView view(PullRequest pr) {
    return new PullRequestView(
        pr.id,
        pr.sessionId,
        pr.repositoryId,
        pr.forge.name(),
        pr.number,
        pr.url,
        pr.title,
        pr.head,
        pr.base,
        pr.draft,
        pr.state.name(),
        pr.taskId,
        pr.createdAt,
        pr.updatedAt);
  }
}
