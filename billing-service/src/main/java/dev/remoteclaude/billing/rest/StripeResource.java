package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.service.StripeService;
import dev.remoteclaude.common.auth.CurrentUser;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Paying for a plan through Stripe: Checkout, the Billing Portal and invoices of the caller. 409
 * (metering-only) when this installation has no Stripe keys.
 */
@Path("/api/v1/billing")
@Authenticated
public class StripeResource {

  private final StripeService stripe;
  private final CurrentUser user;

  public StripeResource(StripeService stripe, CurrentUser user) {
    this.stripe = stripe;
    this.user = user;
  }

  @POST
  @Path("/checkout")
  @Operation(
      summary = "A Stripe Checkout page subscribing the caller to a plan",
      description =
          "Answers {url}: send the user there. The plan changes when Stripe reports the completed"
              + " checkout (webhook). 400 for a plan without a Stripe price, 409 when billing is"
              + " metering-only.")
  public Uni<StripeViews.Redirect> checkout(@Valid @NotNull StripeViews.Checkout checkout) {
    return stripe
        .checkout(user.id(), checkout.plan(), checkout.successUrl(), checkout.cancelUrl())
        .map(StripeViews.Redirect::new);
  }

  @POST
  @Path("/portal")
  @Operation(
      summary = "A Stripe Billing Portal page of the caller",
      description =
          "Answers {url}: payment methods, invoices, plan changes and cancellation at Stripe. 409"
              + " when billing is metering-only.")
  public Uni<StripeViews.Redirect> portal() {
    return stripe.portal(user.id()).map(StripeViews.Redirect::new);
  }

  @GET
  @Path("/invoices")
  @Operation(
      summary = "The caller's Stripe invoices, newest first",
      description =
          "Paged by cursor: pass the answer's nextStartingAfter as startingAfter for the next page."
              + " 409 when billing is metering-only.")
  public Uni<StripeViews.InvoicePage> invoices(
      @QueryParam("limit") @DefaultValue("20") @Min(1) @Max(100) int limit,
      @QueryParam("startingAfter") @Pattern(regexp = "in_[A-Za-z0-9]{1,250}")
          String startingAfter) {
    return stripe.invoices(user.id(), limit, startingAfter).map(StripeViews.InvoicePage::of);
  }
}
