package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.service.AccountService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Operators set a user's plan (until Stripe subscriptions do). Only callers whose token carries the
 * operator role ({@code rc.auth.operator-role}, {@code rc-operator} by default) are let in; anyone
 * else gets 403.
 */
@Path("/api/v1/billing/admin/users/{userId}/plan")
@Tag(name = "admin")
@RolesAllowed("${rc.auth.operator-role:rc-operator}")
public class PlanAdminResource {

  private final AccountService accounts;

  public PlanAdminResource(AccountService accounts) {
    this.accounts = accounts;
  }

  @PUT
  @Operation(
      summary = "Put a user on a plan (operators)",
      description =
          "Publishes the user's new quota to session-service at once. 400 for a plan that is not"
              + " configured.")
  public Uni<PlanViews.PlanView> setPlan(
      @PathParam("userId") @Pattern(regexp = "[^\\p{Cntrl}]{1,255}") String userId,
      @Valid @NotNull PlanViews.ChangePlan change) {
    return accounts.changePlan(userId, change.plan()).map(PlanViews.PlanView::of);
  }
}
