package dev.remoteclaude.gateway.log;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Hears of the events this replica has just made durable, each session's in order, before the
 * session's next batch can be written (the live stream implements it). Declared here so that the
 * log does not depend on its readers.
 */
public interface AppendListener {

  /** Called once per committed batch; must not block. */
  void appended(Map<UUID, List<LogEvent>> bySession);
}
