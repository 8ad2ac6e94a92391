package dev.remoteclaude.common.testapp;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

@Entity
@Table(name = "received_notice")
public class ReceivedNotice extends PanacheEntityBase {
  @Id
  @Column(name = "event_id")
  public UUID eventId;

  public String subject;
  public String message;
}
