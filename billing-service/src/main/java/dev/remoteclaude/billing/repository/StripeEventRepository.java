package dev.remoteclaude.billing.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Stripe webhook events already handled ({@code stripe_event}). */
@ApplicationScoped
public class StripeEventRepository {

  /**
   * Records an event as handled; false if it was already (a redelivery). Runs in the caller's
   * transaction, so a handler that fails leaves the event to be handled again.
   */
  public Uni<Boolean> record(String eventId, String type, Instant now) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO stripe_event (event_id, type, received_at) VALUES (?1, ?2, ?3)"
                            + " ON CONFLICT (event_id) DO NOTHING")
                    .setParameter(1, eventId)
                    .setParameter(2, type)
                    .setParameter(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                    .executeUpdate())
        .map(inserted -> inserted > 0);
  }
}
