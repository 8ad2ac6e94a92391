package dev.remoteclaude.repository.service.forge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
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
 * Bitbucket Cloud's REST API (2.0,
 * https://developer.atlassian.com/cloud/bitbucket/rest/api-group-pullrequests/): create and list
 * pull requests.
 */
@RegisterRestClient(configKey = "bitbucket")
@Path("/repositories/{workspace}/{repo}/pullrequests")
interface BitbucketClient {

  @POST
  Uni<Pull> create(
      @PathParam("workspace") String workspace,
      @PathParam("repo") String repo,
      @HeaderParam("Authorization") String authorization,
      NewPull body);

  /** {@code q} filters ({@code source.branch.name="x"}); every state is asked for. */
  @GET
  Uni<Page> list(
      @PathParam("workspace") String workspace,
      @PathParam("repo") String repo,
      @QueryParam("q") String q,
      @QueryParam("state") List<String> states,
      @HeaderParam("Authorization") String authorization);

  record NewPull(
      String title, String description, Endpoint source, Endpoint destination, boolean draft) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Endpoint(Branch branch) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Branch(String name) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Pull(
      long id,
      String title,
      String state,
      boolean draft,
      Endpoint source,
      Endpoint destination,
      Links links) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Links(Link html) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Link(String href) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Page(List<Pull> values) {}
}
