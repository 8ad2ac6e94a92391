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

  /** The newest pull requests in any state (Gitea's list takes no head filter). */
  @GET
  @ClientQueryParam(name = "state", value = "all")
  @ClientQueryParam(name = "limit", value = "50")
  Uni<List<Pull>> list(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @HeaderParam("Authorization") String authorization);

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
