package dev.remoteclaude.session;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One action of a user on the audit trail (append-only; see V1_6__audit_trail.sql). */
@Entity
@Table(name = "audit_entry")
public class AuditEntry extends PanacheEntityBase {

  /** The id of the audit.recorded event: a redelivered event is the same entry. */
  @Id
  @Column(name = "event_id")
  public UUID eventId;

  @Column(name = "user_id", nullable = false)
  public String userId;

  @Column(nullable = false)
  public Instant at;

  @Column(nullable = false)
  public String service;

  @Column(nullable = false)
  public String action;

  /** The route's parameters as a JSON object. */
  @Column(nullable = false)
  public String target;

  @Column(name = "target_id")
  public String targetId;

  @Column(nullable = false)
  public int status;

  @Column(nullable = false)
  public String outcome;

  @Column(name = "client_address")
  public String clientAddress;

  @Column(name = "user_agent")
  public String userAgent;
}
