package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.PoisonMessageException;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionSnapshotRequested;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.log.SessionLog;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Session lifecycle requests from session-service (each answered by an event), and the session's
 * state changes and notices, which go onto its stream.
 */
@ApplicationScoped
public class SessionEventsListener {

  private final Inbox inbox;
  private final ProvisioningService provisioning;
  private final EventHandlers handlers;

  public SessionEventsListener(
      Inbox inbox,
      ProvisioningService provisioning,
      LifecycleService lifecycle,
      SessionLog sessionLog) {
    this.inbox = inbox;
    this.provisioning = provisioning;
    this.handlers =
        EventHandlers.create()
            .on(SessionRequested.class, provisioning::request)
            .on(SessionPauseRequested.class, (e, p) -> lifecycle.pause(e, p.reason()))
            .on(SessionResumeRequested.class, (e, p) -> lifecycle.resume(e))
            .on(SessionTerminateRequested.class, (e, p) -> lifecycle.terminate(e, p.reason()))
            .on(SessionSnapshotRequested.class, (e, p) -> lifecycle.snapshot(e))
            .on(
                SessionStateChanged.class,
                (e, change) -> {
                  Map<String, Object> data = new LinkedHashMap<>();
                  data.put("from", change.from());
                  data.put("to", change.to());
                  data.put("reason", change.reason());
                  data.put("expiresAt", change.expiresAt());
                  return sessionLog
                      .append(UUID.fromString(e.subject()), LogTypes.SESSION_STATE, null, data)
                      .replaceWithVoid();
                })
            .on(
                SessionNotice.class,
                (e, notice) ->
                    sessionLog
                        .append(UUID.fromString(e.subject()), LogTypes.SESSION_NOTICE, null, notice)
                        .replaceWithVoid());
  }

  @Incoming("session-events")
  @Retry(maxRetries = 3, delay = 200, jitter = 100, abortOn = PoisonMessageException.class)
  public Uni<Void> onSessionEvent(String raw) {
    return inbox.consume(raw, handlers).invoke(provisioning::kick);
  }
}
