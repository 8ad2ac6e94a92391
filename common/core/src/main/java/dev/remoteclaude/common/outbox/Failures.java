package dev.remoteclaude.common.outbox;

import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;

/** How the relay judges a failed send. */
final class Failures {

  private static final int MAX_ERROR = 1000;

  private Failures() {}

  /**
   * Errors no retry can cure, because of the record itself: larger than the producer or broker
   * takes, or not serialisable. (Other lasting errors, an invalid topic or a refused authorisation,
   * may be mended by an operator: they count as attempts.)
   */
  static boolean fatal(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof RecordTooLargeException
          || cause instanceof RecordBatchTooLargeException
          || cause instanceof SerializationException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Errors that a broker that is down or overloaded gives every record alike: Kafka's retriable
   * errors (its timeouts included) and the relay's own send timeout.
   */
  static boolean transientFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof RetriableException
          || cause instanceof io.smallrye.mutiny.TimeoutException
          || cause instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The error for the operators' list: its kind and message, never a payload. */
  static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    String text =
        root.getClass().getSimpleName()
            + (message == null || message.isBlank() ? "" : ": " + message);
    return text.length() > MAX_ERROR ? text.substring(0, MAX_ERROR) : text;
  }
}
