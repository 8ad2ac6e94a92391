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

  /** Safety net besides LISTEN/NOTIFY: how often the relay looks for unpublished rows anyway. */
  @WithDefault("2s")
  Duration pollInterval();

  /** How long one Kafka send may take before the row is left for the next round. */
  @WithDefault("15s")
  Duration sendTimeout();

  /** How long published outbox rows and handled inbox ids are kept. */
  @WithDefault("P7D")
  Duration retention();
}
