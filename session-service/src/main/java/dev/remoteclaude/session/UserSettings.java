package dev.remoteclaude.session;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A user's own settings. A user without a row has none (the platform's defaults apply). */
@Entity
@Table(name = "user_settings")
public class UserSettings extends PanacheEntityBase {

  @Id
  @Column(name = "user_id")
  public String userId;

  /** The provider of the user's sessions that name none; null: the platform's default. */
  @Column(name = "default_provider")
  public String defaultProvider;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
