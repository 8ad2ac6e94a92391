package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.service.BudgetService;
import dev.remoteclaude.common.auth.CurrentUser;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The caller's budgets: a monthly cap, a default cap per session and sessions' own caps, over
 * compute and model tokens together. The gateway's model proxy refuses a task's model requests once
 * a cap is spent, and the session is paused until the cap is raised.
 */
@Path("/api/v1/billing/budget")
@Authenticated
public class BudgetResource {

  private final BudgetService budgets;
  private final CurrentUser user;

  public BudgetResource(BudgetService budgets, CurrentUser user) {
    this.budgets = budgets;
    this.user = user;
  }

  @GET
  @Operation(
      summary = "The caller's caps and spend: this month's and each capped or running session's")
  public Uni<BudgetViews.BudgetView> budget() {
    return budgets.budget(user.id()).map(BudgetViews.BudgetView::of);
  }

  @PUT
  @Operation(
      summary = "Set the caller's monthly cap and default session cap (null: none)",
      description = "400 for a cap that is not a positive amount of at most 1000000 USD.")
  public Uni<BudgetViews.BudgetView> setBudget(@Valid @NotNull BudgetViews.SetBudget change) {
    return budgets
        .setCaps(user.id(), change.monthlyCapUsd(), change.sessionDefaultCapUsd())
        .chain(this::budget);
  }

  @PUT
  @Path("/sessions/{sessionId}")
  @Operation(
      summary = "Set a session's own cap (null: the default again)",
      description =
          "404 for a session billing does not know as the caller's (another user's, or one that"
              + " never ran).")
  public Uni<BudgetViews.BudgetView> setSessionCap(
      @PathParam("sessionId") UUID sessionId, @Valid @NotNull BudgetViews.SetSessionCap change) {
    return budgets.setSessionCap(user.id(), sessionId, change.capUsd()).chain(this::budget);
  }
}
