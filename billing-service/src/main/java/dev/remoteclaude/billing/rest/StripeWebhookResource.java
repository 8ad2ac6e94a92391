package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.service.StripeService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Stripe's webhook deliveries. No bearer token: a delivery is authenticated by its {@code
 * Stripe-Signature} (HMAC of the raw body with the endpoint's signing secret), the only path of the
 * API the permission config lets in without one.
 */
@Path("/api/v1/billing/stripe/webhook")
@Tag(name = "stripe")
@PermitAll
public class StripeWebhookResource {

  private final StripeService stripe;

  public StripeWebhookResource(StripeService stripe) {
    this.stripe = stripe;
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  @Operation(
      summary = "Stripe webhook endpoint",
      description =
          "204 once the event is handled (or was before); 400 when the signature does not match"
              + " the body; 409 when billing is metering-only.")
  public Uni<Void> receive(@HeaderParam("Stripe-Signature") String signature, String payload) {
    return stripe.webhook(payload == null ? "" : payload, signature);
  }
}
