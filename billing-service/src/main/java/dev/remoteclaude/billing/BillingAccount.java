package dev.remoteclaude.billing;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A user billing has seen: their plan and when their quota was last published. */
@Entity
@Table(name = "billing_account")
public class BillingAccount extends PanacheEntityBase {

  @Id
  @Column(name = "user_id")
  public String userId;

  @Column(nullable = false)
  public String plan;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "plan_changed_at", nullable = false)
  public Instant planChangedAt;

  @Column(name = "quota_published_at")
  public Instant quotaPublishedAt;

  /** The user's Stripe customer (cus_...), created on their first checkout or portal visit. */
  @Column(name = "stripe_customer_id")
  public String stripeCustomerId;

  /** The user's Stripe subscription (sub_...), from a completed checkout. */
  @Column(name = "stripe_subscription_id")
  public String stripeSubscriptionId;

  /**
   * When the grace period after a failed payment ends (null: no payment problem); a paid invoice
   * clears it.
   */
  @Column(name = "payment_due_by")
  public Instant paymentDueBy;

  /**
   * The grace period ran out without a payment: published to session-service, which refuses new
   * sessions with 402 until a payment succeeds.
   */
  @Column(name = "payment_blocked", nullable = false)
  public boolean paymentBlocked;
}
