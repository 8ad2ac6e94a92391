package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * The model proxy forwarded one Messages request of a task run and read its usage from the answer:
 * tokens per kind, for the model that answered. Keyed by session; metered once per event.
 *
 * @param userKey the request went to the model with the user's own Anthropic key (the user pays
 *     Anthropic): billing meters the tokens at no price and budgets do not count them (false in
 *     events published before the field existed)
 */
public record ModelUsage(
    UUID taskId,
    String model,
    long inputTokens,
    long outputTokens,
    long cacheReadTokens,
    long cacheCreationTokens,
    Instant at,
    boolean userKey)
    implements Event {

  /** Usage of a request made with the platform's key. */
  public ModelUsage(
      UUID taskId,
      String model,
      long inputTokens,
      long outputTokens,
      long cacheReadTokens,
      long cacheCreationTokens,
      Instant at) {
    this(taskId, model, inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens, at, false);
  }
}
