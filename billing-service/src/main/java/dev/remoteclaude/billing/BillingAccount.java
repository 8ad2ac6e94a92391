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
}
