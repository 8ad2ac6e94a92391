package dev.remoteclaude.session;

import dev.remoteclaude.api.SessionState;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One move of a session's state machine, stored with the exact time it was emitted with. */
@Entity
@Table(name = "session_transition")
public class SessionTransition extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "session_id", nullable = false)
  public UUID sessionId;

  /** Null for the first state of a session. */
  @Enumerated(EnumType.STRING)
  @Column(name = "from_state")
  public SessionState fromState;

  @Enumerated(EnumType.STRING)
  @Column(name = "to_state", nullable = false)
  public SessionState toState;

  public String reason;

  @Column(nullable = false)
  public Instant at;
}
