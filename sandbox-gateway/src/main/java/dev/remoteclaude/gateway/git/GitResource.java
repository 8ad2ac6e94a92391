package dev.remoteclaude.gateway.git;

import dev.remoteclaude.api.GitBranchView;
import dev.remoteclaude.api.GitRequests;
import dev.remoteclaude.api.GitResults;
import dev.remoteclaude.api.GitStatusView;
import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.ratelimit.RateLimitClass;
import dev.remoteclaude.common.ratelimit.RateLimited;
import dev.remoteclaude.gateway.sandbox.SandboxAccess;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The git state of the caller's session, and the everyday git operations on it, run by git inside
 * the session's sandbox. Only in a ready session (409 otherwise), like commands.
 */
@Path("/api/v1/sessions/{id}/git")
@Authenticated
public class GitResource {

  private final SandboxAccess access;
  private final GitService git;
  private final CurrentUser user;

  public GitResource(SandboxAccess access, GitService git, CurrentUser user) {
    this.access = access;
    this.git = git;
    this.user = user;
  }

  @GET
  @Operation(summary = "The workspace's branch, its ahead/behind counts and changed files")
  @RateLimited(RateLimitClass.COMMANDS)
  public Uni<GitStatusView> status(@PathParam("id") UUID sessionId) {
    return owned(sessionId).chain(git::status);
  }

  @GET
  @Path("/branches")
  @Operation(summary = "The workspace's local branches, the current one marked")
  @RateLimited(RateLimitClass.COMMANDS)
  public Uni<List<GitBranchView>> branches(@PathParam("id") UUID sessionId) {
    return owned(sessionId).chain(git::branches);
  }

  @POST
  @Path("/branches")
  @Operation(summary = "Create a branch (from HEAD or a given start point); 409 if it exists")
  @RateLimited(RateLimitClass.COMMANDS)
  public Uni<RestResponse<GitBranchView>> createBranch(
      @PathParam("id") UUID sessionId, @Valid @NotNull GitRequests.CreateBranch request) {
    String name = GitNames.branch("name", request.name());
    String from = request.from() == null ? null : GitNames.startPoint("from", request.from());
    return owned(sessionId)
        .chain(owned -> git.createBranch(owned, name, from))
        .map(branch -> RestResponse.status(RestResponse.Status.CREATED, branch));
  }

  @POST
  @Path("/checkout")
  @Operation(summary = "Switch to a branch; 409 with git's reason if local changes are in the way")
  @RateLimited(RateLimitClass.COMMANDS)
  public Uni<GitStatusView> checkout(
      @PathParam("id") UUID sessionId, @Valid @NotNull GitRequests.Checkout request) {
    String branch = GitNames.branch("branch", request.branch());
    return owned(sessionId).chain(owned -> git.checkout(owned, branch));
  }

  @POST
  @Path("/commit")
  @Operation(
      summary =
          "Commit every change (or only the staged ones); without a message, one is written from"
              + " the changes; 409 when there is nothing to commit")
  @RateLimited(RateLimitClass.COMMANDS)
  public Uni<RestResponse<GitResults.Committed>> commit(
      @PathParam("id") UUID sessionId, @Valid GitRequests.Commit request) {
    String message =
        request == null || request.message() == null
            ? null
            : GitNames.message("message", request.message());
    boolean all = request == null || request.all() == null || request.all();
    return owned(sessionId)
        .chain(owned -> git.commit(owned, message, all))
        .map(commit -> RestResponse.status(RestResponse.Status.CREATED, commit));
  }

  @POST
  @Path("/push")
  @Operation(
      summary =
          "Push a branch (default: the current one) to origin and set it as upstream; 409 with"
              + " git's reason when the remote rejects it, 502 when it cannot be reached")
  @RateLimited(RateLimitClass.COMMANDS)
  public Uni<GitResults.Pushed> push(
      @PathParam("id") UUID sessionId, @Valid GitRequests.Push request) {
    String branch =
        request == null || request.branch() == null
            ? null
            : GitNames.branch("branch", request.branch());
    return owned(sessionId).chain(owned -> git.push(owned, branch));
  }

  @POST
  @Path("/pull")
  @Operation(
      summary =
          "Fast-forward the current branch to its upstream; 409 with the paths when local changes"
              + " are in the way or the branches diverged")
  @RateLimited(RateLimitClass.COMMANDS)
  public Uni<GitResults.Pulled> pull(@PathParam("id") UUID sessionId) {
    return owned(sessionId).chain(git::pull);
  }

  private Uni<SandboxAccess.Owned> owned(UUID sessionId) {
    return access.ownedWithRequest(sessionId, user.id());
  }
}
