package dev.remoteclaude.session.messaging;

import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.PoisonMessageException;
import java.util.UUID;

/** The session an event is about: its envelope's subject. */
final class SessionIds {
  private SessionIds() {}

  static UUID of(EventEnvelope envelope) {
    try {
      return UUID.fromString(envelope.subject());
    } catch (IllegalArgumentException e) {
      throw new PoisonMessageException(
          envelope.type() + " " + envelope.id() + " has a subject that is not a session id");
    }
  }
}
