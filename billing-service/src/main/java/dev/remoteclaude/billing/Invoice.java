package dev.remoteclaude.billing;

import java.time.Instant;
import java.util.List;

/**
 * One of a user's Stripe invoices.
 *
 * @param amountDue minor units of {@code currency} (cents)
 * @param amountPaid minor units of {@code currency} (cents)
 */
public record Invoice(
    String id,
    String number,
    String status,
    long amountDue,
    long amountPaid,
    String currency,
    Instant periodStart,
    Instant periodEnd,
    String hostedInvoiceUrl,
    Instant created) {

  /** A page of invoices, newest first; {@code hasMore} when the last one's id fetches more. */
  public record Page(List<Invoice> items, boolean hasMore) {}
}
