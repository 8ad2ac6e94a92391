package dev.remoteclaude.gateway.stream;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.gateway.sandbox.Sandboxes;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Refuses a stream upgrade with 404 unless the caller owns the session (another user's session
 * looks exactly like one that does not exist), and with 400 for a malformed cursor. A session the
 * gateway has not heard of yet (created a moment ago) is waited for briefly.
 */
@ApplicationScoped
public class StreamUpgradeCheck implements HttpUpgradeCheck {

  private static final Duration WAIT_FOR_NEW_SESSION = Duration.ofSeconds(5);

  private final Sandboxes sandboxes;
  private final StreamHub hub;

  public StreamUpgradeCheck(Sandboxes sandboxes, StreamHub hub) {
    this.sandboxes = sandboxes;
    this.hub = hub;
  }

  @Override
  public boolean appliesTo(String endpointId) {
    return endpointId.equals(SessionStreamSocket.class.getName());
  }

  @Override
  public Uni<CheckResult> perform(HttpUpgradeContext context) {
    UUID sessionId;
    try {
      sessionId = UUID.fromString(context.pathParam("id"));
      after(context.httpRequest().query());
    } catch (IllegalArgumentException e) {
      return CheckResult.rejectUpgrade(400);
    }
    return context
        .securityIdentity()
        .chain(
            identity -> {
              if (identity == null || identity.isAnonymous()) {
                return CheckResult.rejectUpgrade(401);
              }
              String user = CurrentUser.userId(identity);
              return ownerOf(sessionId, System.nanoTime() + WAIT_FOR_NEW_SESSION.toNanos())
                  .chain(
                      owner ->
                          user.equals(owner)
                              ? CheckResult.permitUpgrade()
                              : CheckResult.rejectUpgrade(404));
            });
  }

  /**
   * The session's owner; for a session the gateway has not heard of yet, waits (on the log's
   * notifications, not by polling) until it has, or the deadline passes.
   */
  private Uni<String> ownerOf(UUID sessionId, long deadline) {
    return sandboxes
        .ownerOf(sessionId)
        .chain(
            owner -> {
              long left = deadline - System.nanoTime();
              if (owner != null || left <= 0) {
                return Uni.createFrom().item(owner);
              }
              return hub.awaitActivity(sessionId, Duration.ofNanos(left))
                  .chain(() -> ownerOf(sessionId, deadline));
            });
  }

  /** The {@code after} cursor of a query string (0 when absent); fails when malformed. */
  static long after(String query) {
    if (query == null || query.isEmpty()) {
      return 0;
    }
    List<String> values =
        new QueryStringDecoder(query, false).parameters().getOrDefault("after", List.of());
    if (values.isEmpty()) {
      return 0;
    }
    long after = Long.parseLong(values.get(0));
    if (after < 0) {
      throw new IllegalArgumentException("after must not be negative");
    }
    return after;
  }
}
