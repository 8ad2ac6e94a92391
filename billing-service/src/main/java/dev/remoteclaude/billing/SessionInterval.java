package dev.remoteclaude.billing;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** A stretch of time a session spent in one state; the meter billing charges from. */
@Entity
@Table(name = "session_interval")
@IdClass(SessionInterval.Key.class)
public class SessionInterval extends PanacheEntityBase {

  /** Composite key: a session enters a state at most once at a given instant. */
  public record Key(UUID sessionId, Instant startedAt) implements Serializable {
    public Key() {
      this(null, null);
    }
  }

  @Id
  @Column(name = "session_id")
  public UUID sessionId;

  @Id
  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(nullable = false)
  public String state;

  @Column(name = "ended_at")
  public Instant endedAt;

  /** Length of the interval, up to {@code now} while it is open. */
  public Duration length(Instant now) {
    return Duration.between(startedAt, endedAt == null ? now : endedAt);
  }
}
