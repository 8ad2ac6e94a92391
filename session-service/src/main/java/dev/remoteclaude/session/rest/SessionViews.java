package dev.remoteclaude.session.rest;

import dev.remoteclaude.api.SessionView;
import dev.remoteclaude.session.Session;
import java.util.List;

/** A stored session as its owner sees it ({@link SessionView}, the API's record). */
final class SessionViews {
  private SessionViews() {}

  static SessionView of(Session session) {
    return new SessionView(
        session.id,
        session.state,
        session.stateReason,
        session.stateChangedAt,
        session.repositoryUrl,
        session.branch,
        session.provider,
        session.idleTimeout(),
        session.maxLifetime(),
        session.environment == null
            ? List.of()
            : session.environment.keySet().stream().sorted().toList(),
        session.setupCommands == null ? 0 : session.setupCommands.size(),
        session.createdAt,
        session.lastActivityAt,
        session.expiresAt,
        session.lifetimeEndsAt,
        session.idlePauseAt,
        session.lastSnapshotAt);
  }
}
