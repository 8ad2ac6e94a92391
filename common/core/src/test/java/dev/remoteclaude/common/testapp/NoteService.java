package dev.remoteclaude.common.testapp;

import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/** Writes a note and announces it through the outbox, in one transaction. */
@ApplicationScoped
public class NoteService {

  private final Outbox outbox;

  public NoteService(Outbox outbox) {
    this.outbox = outbox;
  }

  @WithTransaction
  public Uni<Note> create(String owner, String subject, String text, boolean failAfterWrite) {
    Note note = new Note();
    note.id = UUID.randomUUID();
    note.ownerId = owner;
    note.text = text;
    note.createdAt = Instant.now();
    return note.<Note>persist()
        .call(
            () -> outbox.emit(new SessionNotice("NOTE", text, Instant.now(), null), subject, owner))
        .invoke(
            () -> {
              if (failAfterWrite) {
                throw new IllegalStateException("failing after the write, as asked");
              }
            });
  }
}
