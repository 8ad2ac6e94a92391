package dev.remoteclaude.common.testapp;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.UUID;

@Entity
public class Note extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "owner_id")
  public String ownerId;

  public String text;

  @Column(name = "created_at")
  public Instant createdAt;
}
