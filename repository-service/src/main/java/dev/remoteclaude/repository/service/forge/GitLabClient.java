package dev.remoteclaude.repository.service.forge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.rest.client.reactive.ClientQueryParam;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * GitLab's REST API (v4, https://docs.gitlab.com/api/merge_requests/): create and list merge
 * requests of a project named by its URL-encoded path ({@code group%2Fproject}).
 */
@RegisterRestClient(configKey = "gitlab")
@Path("/projects/{project}/merge_requests")
interface GitLabClient {

  /** {@code project} is already URL-encoded ({@code acme%2Fwidgets}). */
  @POST
  Uni<MergeRequest> create(
      @PathParam("project") @Encoded String project,
      @HeaderParam("PRIVATE-TOKEN") String token,
      NewMergeRequest body);

  @GET
  @ClientQueryParam(name = "state", value = "all")
  Uni<List<MergeRequest>> list(
      @PathParam("project") @Encoded String project,
      @QueryParam("source_branch") String sourceBranch,
      @HeaderParam("PRIVATE-TOKEN") String token);

  record NewMergeRequest(
      @JsonProperty("source_branch") String sourceBranch,
      @JsonProperty("target_branch") String targetBranch,
      String title,
      String description) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record MergeRequest(
      long iid,
      @JsonProperty("web_url") String webUrl,
      String state,
      boolean draft,
      String title,
      @JsonProperty("source_branch") String sourceBranch,
      @JsonProperty("target_branch") String targetBranch) {}
}
