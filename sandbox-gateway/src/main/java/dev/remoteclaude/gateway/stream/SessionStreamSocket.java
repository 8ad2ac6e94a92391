package dev.remoteclaude.gateway.stream;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.gateway.activity.ActivityService;
import io.quarkus.logging.Log;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import java.util.UUID;

/**
 * {@code WS /ws/sessions/{id}?after=N}: the session's log after seq N, then live. Authenticated
 * with a bearer token (header, or for browsers the {@code quarkus-http-upgrade} subprotocol);
 * {@link StreamUpgradeCheck} refuses the upgrade with 404 unless the caller owns the session.
 *
 * <p>Every message is JSON {@code {seq, type, taskId, at, data}}; heartbeats are {@code {type:
 * "heartbeat", at}} without a seq. Close codes: 4008 when the client reads too slowly (reconnect
 * with {@code ?after=} its last seq), 4029 when the user has every stream open it may have (the
 * upgrade check refuses most such requests with 429 already), 1001 when the server shuts down.
 */
@WebSocket(path = "/ws/sessions/{id}")
@Authenticated
public class SessionStreamSocket {

  static final UserData.TypedKey<Subscriber> SUBSCRIBER = new UserData.TypedKey<>("subscriber");
  static final UserData.TypedKey<String> USER = new UserData.TypedKey<>("user");

  /** Close code for a user with too many streams open. */
  public static final int TOO_MANY_STREAMS = 4029;

  private final StreamHub hub;
  private final ActivityService activity;
  private final SecurityIdentity identity;
  private final StreamLimits limits;

  public SessionStreamSocket(
      StreamHub hub, ActivityService activity, SecurityIdentity identity, StreamLimits limits) {
    this.hub = hub;
    this.activity = activity;
    this.identity = identity;
    this.limits = limits;
  }

  @OnOpen
  public Uni<Void> open(WebSocketConnection connection) {
    UUID sessionId = UUID.fromString(connection.pathParam("id"));
    long after = StreamUpgradeCheck.after(connection.handshakeRequest().query());
    String user = CurrentUser.userId(identity);
    if (!limits.openStream(user)) {
      return connection.close(
          new CloseReason(TOO_MANY_STREAMS, "too many streams open: close one and try again"));
    }
    connection.userData().put(USER, user);
    Subscriber subscriber = hub.subscribe(sessionId, after, new ConnectionSink(connection));
    connection.userData().put(SUBSCRIBER, subscriber);
    return activity.clientAttached(sessionId, user, connection.id());
  }

  @OnClose
  public Uni<Void> close(WebSocketConnection connection) {
    String user = connection.userData().get(USER);
    if (user != null) {
      limits.closeStream(user);
    }
    Subscriber subscriber = connection.userData().get(SUBSCRIBER);
    if (subscriber == null) {
      return Uni.createFrom().voidItem();
    }
    subscriber.closed();
    return activity.clientDetached(subscriber.sessionId(), connection.id());
  }

  @OnError
  public void error(WebSocketConnection connection, Throwable failure) {
    Log.debugf("stream connection %s failed: %s", connection.id(), failure.getMessage());
  }

  /** Sends through the WebSocket connection. */
  private record ConnectionSink(WebSocketConnection connection) implements StreamSink {
    @Override
    public Uni<Void> send(String message) {
      return connection.sendText(message);
    }

    @Override
    public void close(int code, String reason) {
      connection.close(new CloseReason(code, reason)).subscribe().with(ok -> {}, failure -> {});
    }
  }
}
