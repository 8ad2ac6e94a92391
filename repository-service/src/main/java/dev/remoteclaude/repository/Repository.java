package dev.remoteclaude.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A git repository a user registered; its credential is sealed and never leaves this service. */
@Entity
@Table(name = "repository")
public class Repository extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(nullable = false)
  public String url;

  @Column(name = "default_branch", nullable = false)
  public String defaultBranch;

  @Column(name = "sealed_credential")
  public String sealedCredential;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
