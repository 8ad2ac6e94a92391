package dev.remoteclaude.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PgNotificationsTest {

  @Inject PgNotifications notifications;
  @Inject Pool pool;

  private void notify(String channel, String payload) {
    pool.preparedQuery("SELECT pg_notify($1, $2)")
        .execute(Tuple.of(channel, payload))
        .await()
        .atMost(Duration.ofSeconds(10));
  }

  @Test
  void deliversNotificationsAndListensAgainAfterTheConnectionIsKilled() {
    String channel = "test_" + UUID.randomUUID().toString().replace("-", "");
    List<String> received = new CopyOnWriteArrayList<>();
    AtomicInteger connected = new AtomicInteger();
    notifications.subscribe(channel, received::add, connected::incrementAndGet);
    await().atMost(Duration.ofSeconds(10)).until(() -> connected.get() >= 1);

    notify(channel, "before");
    await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("before"));

    // The server ends the listening session (a failover, an idle-connection reaper).
    int killed =
        pool.preparedQuery(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE pid <> pg_backend_pid() AND query ILIKE $1")
            .execute(Tuple.of("%LISTEN%" + channel + "%"))
            .await()
            .atMost(Duration.ofSeconds(10))
            .iterator()
            .next()
            .getInteger(0);
    assertThat(killed).isPositive();

    // Listening starts again by itself, and subscribers are told so they can catch up.
    await().atMost(Duration.ofSeconds(20)).until(() -> connected.get() >= 2);
    notify(channel, "after");
    await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("after"));
  }

  @Test
  void refusesAChannelNameThatIsNotAnIdentifier() {
    assertThatThrownBy(() -> notifications.subscribe("x; DROP TABLE t", s -> {}, () -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
