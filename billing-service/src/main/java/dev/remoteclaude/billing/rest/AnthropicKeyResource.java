package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.service.AnthropicKeyService;
import dev.remoteclaude.common.auth.CurrentUser;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The caller's own Anthropic API key: with one set, the model proxy sends the caller's sessions'
 * model requests with it (the caller pays Anthropic; the tokens are metered at no price and do not
 * count against budgets). Write-only: only whether one is set, its last four characters and when it
 * was set are answered.
 */
@Path("/api/v1/billing/anthropic-key")
@Authenticated
public class AnthropicKeyResource {

  private final AnthropicKeyService keys;
  private final CurrentUser user;

  public AnthropicKeyResource(AnthropicKeyService keys, CurrentUser user) {
    this.keys = keys;
    this.user = user;
  }

  @GET
  @Operation(summary = "Whether the caller has set a key of their own (its last 4 characters)")
  public Uni<AnthropicKeyViews.KeyView> key() {
    return keys.find(user.id()).map(AnthropicKeyViews.KeyView::of);
  }

  @PUT
  @Operation(
      summary = "Set the caller's own Anthropic API key (replacing theirs)",
      description = "400 for a value that is not an Anthropic API key (sk-ant-...).")
  public Uni<AnthropicKeyViews.KeyView> setKey(@Valid @NotNull AnthropicKeyViews.SetKey change) {
    return keys.set(user.id(), change.apiKey())
        .map(info -> AnthropicKeyViews.KeyView.of(Optional.of(info)));
  }

  @DELETE
  @Operation(summary = "Remove the caller's own key: the platform's key is used again (204)")
  public Uni<Void> removeKey() {
    return keys.remove(user.id());
  }
}
