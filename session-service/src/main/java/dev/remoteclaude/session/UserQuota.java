package dev.remoteclaude.session;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A user's limits as billing last published them (the quota read-model). */
@Entity
@Table(name = "user_quota")
public class UserQuota extends PanacheEntityBase {

  @Id
  @Column(name = "user_id")
  public String userId;

  @Column(name = "max_active_sessions", nullable = false)
  public int maxActiveSessions;

  @Column(name = "session_seconds_per_month", nullable = false)
  public long sessionSecondsPerMonth;

  @Column(name = "used_session_seconds", nullable = false)
  public long usedSessionSeconds;

  /** A failed payment's grace period ran out: sessions may not start or resume. */
  @Column(name = "payment_overdue", nullable = false)
  public boolean paymentOverdue;

  /** When billing computed these numbers; older updates never overwrite newer ones. */
  @Column(name = "as_of", nullable = false)
  public Instant asOf;
}
