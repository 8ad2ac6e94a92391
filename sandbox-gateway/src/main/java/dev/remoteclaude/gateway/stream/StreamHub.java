package dev.remoteclaude.gateway.stream;

import dev.remoteclaude.common.db.PgNotifications;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.log.AppendListener;
import dev.remoteclaude.gateway.log.LogEvent;
import dev.remoteclaude.gateway.log.OutputLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Fans a session's log out to its subscribers on this replica. Events written here arrive through
 * {@link #appended}; events written by other replicas are announced by PostgreSQL notifications and
 * read from the log once per session, however many subscribers follow it.
 *
 * <p>A session's subscribers are grouped by the event loop their connection lives on, and each
 * group gets one task on its own loop per delivery: a thousand subscribers cost a handful of
 * cross-thread hand-offs instead of a thousand, and every write starts on its connection's thread.
 */
@ApplicationScoped
public class StreamHub implements AppendListener {

  private final OutputLog log;
  private final GatewayConfig config;
  private final Vertx vertx;
  private final PgNotifications notifications;
  private final Map<UUID, Channel> channels = new ConcurrentHashMap<>();
  private final Map<UUID, Set<Runnable>> waiters = new ConcurrentHashMap<>();
  private long heartbeatTimer = -1;

  /** The subscribers of one session and the highest seq seen for it. */
  private final class Channel {
    final UUID sessionId;
    final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    final Map<Object, Group> groups = new ConcurrentHashMap<>();
    final AtomicLong lastSeen = new AtomicLong();
    final AtomicBoolean fetching = new AtomicBoolean();
    final AtomicBoolean fetchAgain = new AtomicBoolean();

    Channel(UUID sessionId) {
      this.sessionId = sessionId;
    }
  }

  /** Subscribers whose connections live on one event loop (or, for {@link #NO_LOOP}, on none). */
  private record Group(Context loop, Set<Subscriber> subscribers) {}

  private static final Object NO_LOOP = new Object();

  public StreamHub(
      OutputLog log,
      GatewayConfig config,
      Vertx vertx,
      PgNotifications notifications,
      MeterRegistry registry) {
    this.log = log;
    this.config = config;
    this.vertx = vertx;
    this.notifications = notifications;
    Gauge.builder(
            "rc.stream.subscribers",
            channels,
            all -> all.values().stream().mapToInt(c -> c.subscribers.size()).sum())
        .description("Clients following a session's live stream on this replica")
        .register(registry);
  }

  void onStart(@Observes StartupEvent event) {
    // Other replicas' appends; after a reconnect, read whatever was missed meanwhile.
    notifications.subscribe(
        OutputLog.NOTIFY_CHANNEL,
        this::onNotification,
        () -> channels.values().forEach(this::fetch));
    heartbeatTimer = vertx.setPeriodic(config.stream().heartbeat().toMillis(), id -> heartbeat());
  }

  void onStop(@Observes ShutdownEvent event) {
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    channels
        .values()
        .forEach(c -> c.subscribers.forEach(s -> s.close(1001, "server shutting down")));
  }

  /** Follows a session from after {@code after}; the subscriber is replayed, then live. */
  public Subscriber subscribe(UUID sessionId, long after, StreamSink sink) {
    Channel channel = channels.computeIfAbsent(sessionId, Channel::new);
    Subscriber[] holder = new Subscriber[1];
    holder[0] =
        new Subscriber(
            sessionId,
            after,
            sink,
            log,
            config.stream().subscriberBufferBytes().asLongValue(),
            config.stream().replayBatch(),
            () -> unsubscribe(channel, holder[0]));
    channel.subscribers.add(holder[0]);
    Context current = io.vertx.core.Vertx.currentContext();
    boolean onLoop = current != null && Context.isOnEventLoopThread();
    channel
        .groups
        .computeIfAbsent(
            onLoop ? Thread.currentThread() : NO_LOOP,
            k ->
                new Group(
                    onLoop ? VertxContext.getRootContext(current) : null,
                    ConcurrentHashMap.newKeySet()))
        .subscribers()
        .add(holder[0]);
    holder[0].start();
    return holder[0];
  }

  /** Runs {@code action} for each subscriber of the channel, on its connection's event loop. */
  private static void forEach(Channel channel, Consumer<Subscriber> action) {
    channel
        .groups
        .values()
        .forEach(group -> run(group.loop(), List.of(() -> group.subscribers().forEach(action))));
  }

  /**
   * Queues {@code work} on its event loop, also from that loop's own thread: deliveries run in the
   * order they were queued, so a later batch never overtakes an earlier one.
   */
  private static void run(Context loop, List<Runnable> work) {
    if (loop == null) {
      work.forEach(Runnable::run);
    } else {
      loop.runOnContext(v -> work.forEach(Runnable::run));
    }
  }

  public int subscriberCount(UUID sessionId) {
    Channel channel = channels.get(sessionId);
    return channel == null ? 0 : channel.subscribers.size();
  }

  private void unsubscribe(Channel channel, Subscriber subscriber) {
    channel.subscribers.remove(subscriber);
    channel.groups.values().forEach(group -> group.subscribers().remove(subscriber));
    if (channel.subscribers.isEmpty()) {
      channels.remove(channel.sessionId, channel);
    }
  }

  /**
   * Events this replica just committed, of any number of sessions: each event loop gets one task
   * for all of them.
   */
  @Override
  public void appended(Map<UUID, List<LogEvent>> bySession) {
    Map<Object, List<Runnable>> perLoop = new HashMap<>();
    Map<Object, Context> loops = new HashMap<>();
    bySession.forEach(
        (sessionId, events) -> {
          if (events.isEmpty()) {
            return;
          }
          wake(sessionId);
          Channel channel = channels.get(sessionId);
          if (channel == null) {
            return;
          }
          channel.lastSeen.accumulateAndGet(events.get(events.size() - 1).seq(), Math::max);
          channel.groups.forEach(
              (key, group) -> {
                perLoop
                    .computeIfAbsent(key, k -> new ArrayList<>())
                    .add(() -> group.subscribers().forEach(s -> s.offer(events)));
                if (group.loop() != null) {
                  loops.putIfAbsent(key, group.loop());
                }
              });
        });
    perLoop.forEach((key, deliveries) -> run(loops.get(key), deliveries));
  }

  /**
   * A commit on any replica: "session:lastSeq", or "session:lastSeq:origin" from an output-log
   * append, which the appending process has delivered itself (reading it back would race that
   * delivery and double the work under load).
   */
  private void onNotification(String payload) {
    String[] parts = payload.split(":", 3);
    if (parts.length < 2 || (parts.length == 3 && log.isOwn(parts[2]))) {
      return;
    }
    UUID sessionId;
    long last;
    try {
      sessionId = UUID.fromString(parts[0]);
      last = Long.parseLong(parts[1]);
    } catch (IllegalArgumentException e) {
      return;
    }
    wake(sessionId);
    Channel channel = channels.get(sessionId);
    if (channel == null || channel.lastSeen.get() >= last) {
      return;
    }
    fetch(channel);
  }

  /** Reads what other replicas wrote, once for all subscribers of the session. */
  private void fetch(Channel channel) {
    if (!channel.fetching.compareAndSet(false, true)) {
      channel.fetchAgain.set(true);
      return;
    }
    channel.fetchAgain.set(false);
    long from = channel.lastSeen.get();
    for (Subscriber subscriber : channel.subscribers) {
      from = Math.max(from, subscriber.lastQueued());
    }
    log.read(channel.sessionId, from, config.stream().replayBatch())
        .subscribe()
        .with(
            rows -> {
              if (!rows.isEmpty()) {
                channel.lastSeen.accumulateAndGet(rows.get(rows.size() - 1).seq(), Math::max);
                forEach(channel, subscriber -> subscriber.offer(rows));
              }
              channel.fetching.set(false);
              if (channel.fetchAgain.get() || rows.size() == config.stream().replayBatch()) {
                fetch(channel);
              }
            },
            failure -> {
              channel.fetching.set(false);
              Log.warnf("reading session %s failed: %s", channel.sessionId, failure.getMessage());
            });
  }

  /**
   * Completes when the session's log gets its first (or next) event, or after {@code timeout}: lets
   * a client that connects right after creating a session wait for the gateway to know it.
   */
  public Uni<Void> awaitActivity(UUID sessionId, Duration timeout) {
    return Uni.createFrom()
        .<Void>emitter(
            emitter -> {
              Runnable done = () -> emitter.complete(null);
              waiters.compute(
                  sessionId,
                  (k, set) -> {
                    Set<Runnable> into = set == null ? ConcurrentHashMap.newKeySet() : set;
                    into.add(done);
                    return into;
                  });
              // A waiter that times out leaves nothing behind, nor does its session's entry.
              emitter.onTermination(
                  () ->
                      waiters.computeIfPresent(
                          sessionId,
                          (k, set) -> {
                            set.remove(done);
                            return set.isEmpty() ? null : set;
                          }));
            })
        .ifNoItem()
        .after(timeout)
        .recoverWithItem((Void) null);
  }

  /** Sessions that stream requests wait for on this replica. */
  public int waitedFor() {
    return waiters.size();
  }

  private void wake(UUID sessionId) {
    Set<Runnable> set = waiters.remove(sessionId);
    if (set != null) {
      set.forEach(Runnable::run);
    }
  }

  private void heartbeat() {
    String message = "{\"type\":\"heartbeat\",\"at\":\"" + Instant.now() + "\"}";
    for (Channel channel : channels.values()) {
      forEach(channel, subscriber -> subscriber.offerTransient(message));
    }
  }
}
