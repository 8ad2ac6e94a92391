package dev.remoteclaude.common.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "rc.outbox")
public interface OutboxConfig {

  /** Whether this instance relays its outbox to Kafka. */
  @WithDefault("true")
  boolean relayEnabled();

  /** Rows taken per transaction. */
  @WithDefault("200")
  int batchSize();

  /**
   * Rows of one key (one session) taken per transaction at most, so that a key whose first row
   * cannot be published never fills a batch and holds back the others.
   */
  @WithDefault("50")
  int rowsPerKey();

  /**
   * Failures after which a row is dead-lettered (set aside, see {@link OutboxRelay}). Errors that
   * can never succeed (a record larger than the broker takes, say) dead-letter it at once; a broker
   * that is down or times out counts only in rounds where other rows were published, so an outage
   * never dead-letters anything.
   */
  @WithDefault("10")
  int maxAttempts();

  /** Wait before a failed row's key is tried again; doubles with every failure. */
  @WithDefault("1s")
  Duration retryBackoff();

  /** The longest wait between two tries of a failing row. */
  @WithDefault("5m")
  Duration retryBackoffMax();

  /** Safety net besides LISTEN/NOTIFY: how often the relay looks for unpublished rows anyway. */
  @WithDefault("2s")
  Duration pollInterval();

  /**
   * How long one Kafka send may take before the row is left for the next round. Longer than the
   * producer's own {@code delivery.timeout.ms} (30 s): by then the producer has either delivered
   * the record or given it up for good, so a row left for the next round is never also delivered
   * late by the producer (a duplicate on the topic).
   */
  @WithDefault("40s")
  Duration sendTimeout();

  /** How long published outbox rows and handled inbox ids are kept. */
  @WithDefault("P7D")
  Duration retention();
}
