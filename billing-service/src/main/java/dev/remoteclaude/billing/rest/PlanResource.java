package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.service.AccountService;
import dev.remoteclaude.common.auth.CurrentUser;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The caller's plan and what they used of it. */
@Path("/api/v1/billing/plan")
@Authenticated
public class PlanResource {

  private final AccountService accounts;
  private final CurrentUser user;

  public PlanResource(AccountService accounts, CurrentUser user) {
    this.accounts = accounts;
    this.user = user;
  }

  @GET
  @Operation(summary = "The caller's plan, its monthly allowances and what was used this month")
  public Uni<PlanViews.PlanView> plan() {
    return accounts.planUsage(user.id()).map(PlanViews.PlanView::of);
  }
}
