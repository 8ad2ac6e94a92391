package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.Invoice;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;

/** What the Stripe endpoints take and answer. */
public final class StripeViews {

  private StripeViews() {}

  /**
   * A checkout for a plan.
   *
   * @param successUrl where Stripe sends the user after paying (absolute http(s) URL); the
   *     configured page if absent
   * @param cancelUrl where Stripe sends a user who cancels; the configured page if absent
   */
  public record Checkout(
      @NotBlank @Size(max = 64) String plan,
      @Size(max = 2048) String successUrl,
      @Size(max = 2048) String cancelUrl) {}

  /** A Stripe-hosted page to send the user to (Checkout or the Billing Portal). */
  public record Redirect(String url) {}

  /**
   * A page of the caller's invoices, newest first.
   *
   * @param nextStartingAfter the {@code startingAfter} of the next page; null on the last one
   */
  public record InvoicePage(List<Invoice> items, boolean hasMore, String nextStartingAfter) {

    static InvoicePage of(Invoice.Page page) {
      String next = page.hasMore() && !page.items().isEmpty() ? page.items().getLast().id() : null;
      return new InvoicePage(page.items(), page.hasMore(), next);
    }
  }
}
