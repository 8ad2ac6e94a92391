package dev.remoteclaude.session.rest;

import dev.remoteclaude.api.UpdateSettingsRequest;
import dev.remoteclaude.api.UserSettingsView;
import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.session.UserSettings;
import dev.remoteclaude.session.service.UserSettingsService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The calling user's own settings; nobody reads or changes another user's. */
@Path("/api/v1/settings")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Settings")
public class SettingsResource {

  private final UserSettingsService settings;
  private final CurrentUser user;

  public SettingsResource(UserSettingsService settings, CurrentUser user) {
    this.settings = settings;
    this.user = user;
  }

  @GET
  @Operation(summary = "The caller's settings: the default provider of their sessions")
  public Uni<UserSettingsView> get() {
    return settings.get(user.id()).map(this::view);
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary =
          "Set the caller's default provider (used when a create request names none; null clears"
              + " it)")
  @APIResponse(responseCode = "200", description = "the settings as stored")
  @APIResponse(responseCode = "400", description = "defaultProvider is not an allowed provider")
  public Uni<UserSettingsView> put(@Valid @NotNull UpdateSettingsRequest request) {
    return settings.setDefaultProvider(user.id(), request.defaultProvider()).map(this::view);
  }

  private UserSettingsView view(UserSettings row) {
    return new UserSettingsView(
        row.defaultProvider,
        settings.effectiveDefault(row),
        settings.allowedProviders(),
        row.updatedAt);
  }
}
