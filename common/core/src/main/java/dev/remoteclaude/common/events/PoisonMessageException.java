package dev.remoteclaude.common.events;

/**
 * A message that can never be processed (not an envelope, malformed payload). It is not retried: it
 * goes straight to the consumer's dead-letter topic.
 */
public class PoisonMessageException extends RuntimeException {
  public PoisonMessageException(String message) {
    super(message, null, false, false);
  }
}
