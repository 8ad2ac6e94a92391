package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionSnapshotRequested;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.announce.Announcer.Entry;
import dev.remoteclaude.gateway.log.LogTypes;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Session lifecycle requests from session-service (each answered by an event), and the session's
 * state changes and notices, which go onto its stream (a session that reaches a final state has its
 * snapshots deleted).
 */
@ApplicationScoped
public class SessionEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public SessionEventsListener(
      Inbox inbox,
      ProvisioningService provisioning,
      LifecycleService lifecycle,
      Announcer announcer) {
    this.inbox = inbox;
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
                  Uni<Void> logged =
                      announcer.log(e.sessionId(), Entry.of(LogTypes.SESSION_STATE, data));
                  boolean over =
                      change.to() != null
                          && SessionState.named(change.to())
                              .filter(SessionState::isFinal)
                              .isPresent();
                  return over ? logged.chain(() -> lifecycle.ended(e)) : logged;
                })
            .on(
                SessionNotice.class,
                (e, notice) ->
                    announcer.log(e.sessionId(), Entry.of(LogTypes.SESSION_NOTICE, notice)));
  }

  @Incoming("session-events")
  public Uni<Void> onSessionEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
