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
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * Gitea's REST API (v1, https://docs.gitea.com/api/): create and list a repository's pull requests
 * (Forgejo and Codeberg answer the same).
 */
@RegisterRestClient(configKey = "gitea")
@Path("/repos/{owner}/{repo}/pulls")
interface GiteaClient {

  @POST
  Uni<Pull> create(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @HeaderParam("Authorization") String authorization,
      NewPull body);

  /**
   * One page (from 1) of the open pull requests, newest first, {@code limit} to a page (Gitea's
   * list takes no head filter; 50 is its default most per page).
   */
  @GET
  @ClientQueryParam(name = "state", value = "open")
  Uni<List<Pull>> list(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @HeaderParam("Authorization") String authorization,
      @QueryParam("page") int page,
      @QueryParam("limit") int limit);

  record NewPull(String head, String base, String title, String body) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Pull(
      long number,
      @JsonProperty("html_url") String htmlUrl,
      String state,
      boolean merged,
      boolean draft,
      String title,
      Ref head,
      Ref base) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Ref(String ref) {}
}
