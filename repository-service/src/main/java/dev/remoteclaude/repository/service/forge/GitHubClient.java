package dev.remoteclaude.repository.service.forge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.rest.client.reactive.ClientQueryParam;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * GitHub's REST API (v3, https://docs.github.com/en/rest/pulls/pulls): create and list pull
 * requests. The base is {@code https://api.github.com} or an Enterprise host's {@code /api/v3}.
 */
@RegisterRestClient(configKey = "github")
@Path("/repos/{owner}/{repo}/pulls")
@ClientHeaderParam(name = "X-GitHub-Api-Version", value = "2022-11-28")
interface GitHubClient {

  @POST
  Uni<Pull> create(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @HeaderParam("Authorization") String authorization,
      NewPull body);

  /** {@code head} is {@code owner:branch}. */
  @GET
  @ClientQueryParam(name = "state", value = "all")
  Uni<List<Pull>> list(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @QueryParam("head") String head,
      @HeaderParam("Authorization") String authorization);

  record NewPull(String title, String body, String head, String base, boolean draft) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Pull(
      long number,
      @JsonProperty("html_url") String htmlUrl,
      String state,
      boolean draft,
      @JsonProperty("merged_at") String mergedAt,
      String title,
      Ref head,
      Ref base) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Ref(String ref) {}
}
