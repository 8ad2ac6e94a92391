package dev.remoteclaude.billing.messaging;

import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.PoisonMessageException;

/** The user a metered event is charged to. */
final class Owners {

  private Owners() {}

  /**
   * The envelope's user id; an event without one cannot be charged to anyone, and no retry will
   * change that (a poison message).
   */
  static String of(EventEnvelope envelope) {
    if (envelope.userId() == null || envelope.userId().isBlank()) {
      throw new PoisonMessageException(
          envelope.type() + " " + envelope.id() + " names no user to charge");
    }
    return envelope.userId();
  }
}
