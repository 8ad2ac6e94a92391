package dev.remoteclaude.common.db;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * PostgreSQL LISTEN/NOTIFY for the whole application over one connection taken from the
 * application's own pool, so it has the datasource's credentials and TLS settings. When the
 * connection drops it is re-established and every channel listened again; subscribers hear about it
 * ({@code onConnected}) so they can catch up on what they may have missed.
 */
@ApplicationScoped
public class PgNotifications {

  private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final long RECONNECT_MILLIS = 500;

  private record Subscription(Consumer<String> onNotification, Runnable onConnected) {}

  private final Pool pool;
  private final Vertx vertx;
  private final Map<String, List<Subscription>> channels = new ConcurrentHashMap<>();
  private final java.util.Set<String> listened = ConcurrentHashMap.newKeySet();
  private volatile PgConnection connection;
  private volatile boolean connecting;
  private volatile boolean stopped;

  public PgNotifications(Pool pool, Vertx vertx) {
    this.pool = pool;
    this.vertx = vertx;
  }

  /**
   * Calls {@code onNotification} with the payload of every notification on {@code channel}; {@code
   * onConnected} runs each time listening (re)starts.
   */
  public synchronized void subscribe(
      String channel, Consumer<String> onNotification, Runnable onConnected) {
    if (!CHANNEL.matcher(channel).matches()) {
      throw new IllegalArgumentException("not a channel name: " + channel);
    }
    Subscription subscription = new Subscription(onNotification, onConnected);
    channels.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(subscription);
    if (connection == null) {
      connect();
    } else if (listened.contains(channel)) {
      onConnected.run();
    } else {
      listenToNewChannels();
    }
  }

  /** LISTENs to the channels subscribed to since the connection was made. */
  private synchronized void listenToNewChannels() {
    PgConnection current = connection;
    if (current == null) {
      return;
    }
    for (String channel : channels.keySet()) {
      if (listened.add(channel)) {
        current
            .query("LISTEN " + channel)
            .execute()
            .subscribe()
            .with(
                ok -> channels.get(channel).forEach(s -> s.onConnected().run()),
                failure -> {
                  listened.remove(channel);
                  lost(failure);
                });
      }
    }
  }

  private synchronized void connect() {
    if (connecting || stopped) {
      return;
    }
    connecting = true;
    pool.getConnection()
        .subscribe()
        .with(
            this::listen,
            failure -> {
              connecting = false;
              retry(failure);
            });
  }

  private void listen(SqlConnection sql) {
    PgConnection pg = PgConnection.cast(sql);
    pg.notificationHandler(
        notification -> {
          List<Subscription> subscriptions = channels.get(notification.getChannel());
          if (subscriptions != null) {
            subscriptions.forEach(s -> s.onNotification().accept(notification.getPayload()));
          }
        });
    pg.closeHandler(
        () -> {
          if (connection == pg) {
            connection = null;
            listened.clear();
          }
          retry(null);
        });
    synchronized (this) {
      listened.clear();
      connection = pg;
      connecting = false;
    }
    listenToNewChannels();
  }

  private void lost(Throwable failure) {
    PgConnection current = connection;
    connection = null;
    listened.clear();
    if (current != null) {
      current.closeAndForget();
    }
    retry(failure);
  }

  private void retry(Throwable failure) {
    if (stopped) {
      return;
    }
    if (failure != null) {
      Log.debugf("LISTEN connection unavailable (%s); retrying", failure.getMessage());
    }
    vertx.setTimer(RECONNECT_MILLIS, id -> connect());
  }

  /** Whether notifications are being received now. */
  public boolean listening() {
    return connection != null;
  }

  void onStop(@Observes ShutdownEvent event) {
    stopped = true;
    PgConnection current = connection;
    connection = null;
    if (current != null) {
      current.closeAndForget();
    }
  }
}
