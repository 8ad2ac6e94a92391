package dev.remoteclaude.repository.rest;

import dev.remoteclaude.repository.service.WebhookService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The forges' webhook deliveries for a registered repository. No bearer token: a delivery is
 * authenticated by the repository's webhook secret (GitHub {@code X-Hub-Signature-256}, Gitea
 * {@code X-Gitea-Signature}, Bitbucket {@code X-Hub-Signature}, GitLab {@code X-Gitlab-Token}), the
 * only path of this service the permission config lets in without one.
 */
@Path("/api/v1/webhooks/{forge}/{repositoryId}")
@Tag(name = "Webhooks")
@PermitAll
public class WebhookResource {

  private final WebhookService webhooks;

  public WebhookResource(WebhookService webhooks) {
    this.webhooks = webhooks;
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  @Operation(
      summary = "A forge's webhook delivery (github, gitlab, gitea, bitbucket)",
      description =
          "204 once handled (events that concern no pull request of the platform are ignored);"
              + " 401 when the delivery is not signed with the repository's webhook secret.")
  public Uni<RestResponse<Void>> receive(
      @PathParam("forge") String forge,
      @PathParam("repositoryId") UUID repositoryId,
      @Context HttpHeaders headers,
      byte[] body) {
    return webhooks
        .receive(forge, repositoryId, headers::getHeaderString, body == null ? new byte[0] : body)
        .map(ignored -> RestResponse.noContent());
  }
}
