package dev.remoteclaude.task.messaging;

import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.PoisonMessageException;
import java.util.UUID;

/** Checks on incoming envelopes that no retry can cure: they fail as poison messages. */
final class Envelopes {
  private Envelopes() {}

  static String userId(EventEnvelope envelope) {
    if (envelope.userId() == null || envelope.userId().isBlank()) {
      throw new PoisonMessageException(envelope.type() + " " + envelope.id() + " has no user id");
    }
    return envelope.userId();
  }

  static UUID taskId(EventEnvelope envelope, UUID taskId) {
    if (taskId == null) {
      throw new PoisonMessageException(envelope.type() + " " + envelope.id() + " has no task id");
    }
    return taskId;
  }
}
