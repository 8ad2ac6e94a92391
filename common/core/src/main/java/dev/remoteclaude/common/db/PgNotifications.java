package dev.remoteclaude.common.db;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * PostgreSQL LISTEN/NOTIFY for the whole application, over one connection of its own: a Vert.x
 * {@link PgSubscriber} built from the datasource's URL and credentials. When the connection drops,
 * the subscriber reconnects and listens again; subscribers hear about it ({@code onConnected}) so
 * they can catch up on what they may have missed.
 */
@ApplicationScoped
public class PgNotifications {

  private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final long RECONNECT_MILLIS = 500;

  private final PgSubscriber subscriber;
  private volatile boolean connecting;
  private volatile boolean stopped;

  public PgNotifications(
      Vertx vertx,
      @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
      @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
      @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
    // A reactive URL may list several hosts and carry Quarkus' "vertx-reactive:" prefix.
    String first = url.replaceFirst("^vertx-reactive:", "").split(",")[0];
    PgConnectOptions options = PgConnectOptions.fromUri(first);
    user.ifPresent(options::setUser);
    password.ifPresent(options::setPassword);
    this.subscriber =
        PgSubscriber.subscriber(vertx, options)
            .reconnectPolicy(attempt -> stopped ? -1L : RECONNECT_MILLIS);
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
    subscriber.channel(channel).subscribeHandler(onConnected).handler(onNotification);
    connect();
  }

  /** Connects once; a failed first connection is retried (later drops: the reconnect policy). */
  private synchronized void connect() {
    if (connecting || stopped) {
      return;
    }
    connecting = true;
    Uni.createFrom()
        .deferred(subscriber::connect)
        .onFailure()
        .call(
            failure -> {
              Log.debugf("LISTEN connection unavailable (%s); retrying", failure.getMessage());
              return subscriber.close();
            })
        .onFailure(failure -> !stopped)
        .retry()
        .withBackOff(Duration.ofMillis(RECONNECT_MILLIS), Duration.ofSeconds(5))
        .indefinitely()
        .subscribe()
        .with(
            ok -> {},
            failure -> Log.debugf("LISTEN connection abandoned: %s", failure.getMessage()));
  }

  void onStop(@Observes ShutdownEvent event) {
    stopped = true;
    subscriber.close().onFailure().recoverWithNull().subscribe().with(ok -> {});
  }
}
