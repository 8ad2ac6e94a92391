package dev.remoteclaude.gateway.stream;

import dev.remoteclaude.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What streams may hold on this replica: open streams per user, and stream requests waiting for a
 * session the gateway does not know as the caller's (per user and in all). Counts drop out of the
 * maps when they reach zero, so users who come and go leave nothing behind.
 */
@ApplicationScoped
public class StreamLimits {

  private final GatewayConfig config;
  private final Map<String, Integer> streams = new ConcurrentHashMap<>();
  private final Map<String, Integer> waiting = new ConcurrentHashMap<>();
  private final AtomicInteger waitingTotal = new AtomicInteger();

  public StreamLimits(GatewayConfig config) {
    this.config = config;
  }

  /** Takes one of the user's streams; false when the user has all of them open. */
  public boolean openStream(String user) {
    return acquire(streams, user, config.stream().maxStreamsPerUser());
  }

  public void closeStream(String user) {
    release(streams, user);
  }

  /** Whether the user has every stream they may have open. */
  public boolean streamsFull(String user) {
    return streams.getOrDefault(user, 0) >= config.stream().maxStreamsPerUser();
  }

  public int streams(String user) {
    return streams.getOrDefault(user, 0);
  }

  /** Lets one more request of the user wait; false when the user, or everyone, waits enough. */
  public boolean startWaiting(String user) {
    if (waitingTotal.incrementAndGet() > config.stream().maxWaiting()) {
      waitingTotal.decrementAndGet();
      return false;
    }
    if (!acquire(waiting, user, config.stream().maxWaitingPerUser())) {
      waitingTotal.decrementAndGet();
      return false;
    }
    return true;
  }

  public void stopWaiting(String user) {
    release(waiting, user);
    waitingTotal.decrementAndGet();
  }

  /** Requests waiting now, all users together. */
  public int waiting() {
    return waitingTotal.get();
  }

  private static boolean acquire(Map<String, Integer> counts, String user, int max) {
    boolean[] taken = {false};
    counts.compute(
        user,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= max) {
            return n;
          }
          taken[0] = true;
          return now + 1;
        });
    return taken[0];
  }

  private static void release(Map<String, Integer> counts, String user) {
    counts.computeIfPresent(user, (k, n) -> n <= 1 ? null : n - 1);
  }
}
