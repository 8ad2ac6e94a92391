package dev.remoteclaude.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.config.Connection;
import dev.remoteclaude.cli.support.FakePlatform;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SessionStreamTest {

  private final FakePlatform platform = new FakePlatform();

  @AfterEach
  void stop() {
    platform.close();
  }

  private Api api(String url, String token) {
    return new Api(Api.newHttpClient(), new Connection(URI.create(url), token, "test", "test"));
  }

  private SessionStream stream(UUID session, long after, SessionStream.Options options) {
    return new SessionStream(
        api(platform.url(), FakePlatform.TOKEN), session, after, options, Clock.systemUTC());
  }

  private static SessionStream.Options fast() {
    return SessionStream.Options.defaults()
        .withMaxOutage(Duration.ofSeconds(10))
        .withSilence(Duration.ofSeconds(10));
  }

  /** Reads until an event with seq {@code last} arrived; returns the events and other signals. */
  private static List<SessionStream.Signal> readUntil(SessionStream stream, long last)
      throws InterruptedException {
    List<SessionStream.Signal> signals = new ArrayList<>();
    while (true) {
      SessionStream.Signal signal = stream.next();
      signals.add(signal);
      if (signal instanceof SessionStream.Event(StreamEvent e) && e.seq() >= last) {
        return signals;
      }
    }
  }

  private static List<Long> seqs(List<SessionStream.Signal> signals) {
    return signals.stream()
        .filter(SessionStream.Event.class::isInstance)
        .map(s -> ((SessionStream.Event) s).event().seq())
        .toList();
  }

  private void events(UUID session, int count) {
    for (int i = 0; i < count; i++) {
      platform.append(session, "claude.text", null, Map.of("text", "line " + (i + 1)));
    }
  }

  @Test
  void replaysTheLogAfterTheCursorThenFollowsLive() throws Exception {
    UUID session = platform.session("READY");
    events(session, 5);
    try (SessionStream stream = stream(session, 2, fast())) {
      assertThat(seqs(readUntil(stream, 5))).containsExactly(3L, 4L, 5L);

      platform.append(session, "claude.text", null, Map.of("text", "live"));
      SessionStream.Signal live = stream.next();

      assertThat(live)
          .isInstanceOfSatisfying(
              SessionStream.Event.class,
              e -> {
                assertThat(e.event().seq()).isEqualTo(6);
                assertThat(e.event().text("text")).isEqualTo("live");
              });
      assertThat(platform.streamCursors()).containsExactly(2L);
      assertThat(stream.connections()).isEqualTo(1);
    }
  }

  @Test
  void resumesAfterTheLastSeqWithoutLossOrDuplicatesWhenConnectionsDrop() throws Exception {
    UUID session = platform.session("READY");
    events(session, 10);
    platform.drop(
        // the first connection is closed as a slow consumer after 3 events
        new FakePlatform.Drop(3, (short) 4008, false),
        // the second replays from the start (duplicates!) and goes away after 4 messages
        new FakePlatform.Drop(4, (short) 1001, true));
    try (SessionStream stream = stream(session, 0, fast())) {
      List<SessionStream.Signal> signals = readUntil(stream, 10);

      assertThat(seqs(signals)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      assertThat(signals)
          .filteredOn(SessionStream.Reconnecting.class::isInstance)
          .map(s -> (SessionStream.Reconnecting) s)
          .satisfiesExactly(
              first -> {
                assertThat(first.afterSeq()).isEqualTo(3);
                assertThat(first.delay()).isZero();
                assertThat(first.reason()).contains("4008");
              },
              second -> {
                assertThat(second.afterSeq()).isEqualTo(4);
                assertThat(second.delay()).isPositive();
                assertThat(second.reason()).contains("1001");
              });
      assertThat(platform.streamCursors()).containsExactly(0L, 3L, 4L);
      assertThat(stream.lastSeq()).isEqualTo(10);

      // and live events keep coming on the third connection
      platform.append(session, "task.started", null, Map.of());
      assertThat(seqs(readUntil(stream, 11))).containsExactly(11L);
    }
  }

  @Test
  void dropsEventsAlreadyDeliveredWhenTheServerRepeatsThem() throws Exception {
    UUID session = platform.session("READY");
    events(session, 4);
    platform.drop(
        new FakePlatform.Drop(2, (short) 4008, false), new FakePlatform.Drop(0, (short) 0, true));
    try (SessionStream stream = stream(session, 0, fast())) {
      assertThat(seqs(readUntil(stream, 4))).containsExactly(1L, 2L, 3L, 4L);
    }
  }

  @Test
  void heartbeatsAreSignalledButNotEvents() throws Exception {
    platform.heartbeats(50);
    UUID session = platform.session("READY");
    try (SessionStream stream = stream(session, 0, fast())) {
      SessionStream.Signal signal = stream.next();

      assertThat(signal).isInstanceOf(SessionStream.Heartbeat.class);
      assertThat(stream.lastSeq()).isZero();
    }
  }

  @Test
  void aRefusedTokenIsAnAuthenticationError() {
    UUID session = platform.session("READY");
    SessionStream stream =
        new SessionStream(api(platform.url(), "wrong"), session, 0, fast(), Clock.systemUTC());

    assertThatThrownBy(stream::next)
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.AUTH));
  }

  @Test
  void anUnknownSessionIsNotFound() {
    SessionStream stream = stream(UUID.randomUUID(), 0, fast());

    assertThatThrownBy(stream::next)
        .isInstanceOfSatisfying(
            CliException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
              assertThat(e.getMessage()).startsWith("no such session");
            });
  }

  @Test
  void waitsForASessionTheGatewayHasNotSeenYet() throws Exception {
    UUID session = UUID.randomUUID();
    try (SessionStream stream =
        stream(session, 0, fast().withNotFoundGrace(Duration.ofSeconds(20)))) {
      CompletableFuture<List<SessionStream.Signal>> reading =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return readUntil(stream, 1);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      await().until(() -> platform.rejections().contains(404));

      platform.session(session, "PROVISIONING");
      platform.append(session, "sandbox.progress", null, Map.of("step", "creating"));

      List<SessionStream.Signal> signals = reading.get();
      assertThat(seqs(signals)).containsExactly(1L);
      assertThat(signals)
          .filteredOn(SessionStream.Reconnecting.class::isInstance)
          .allSatisfy(s -> assertThat(((SessionStream.Reconnecting) s).expected()).isTrue());
    }
  }

  @Test
  void keepsGoingWhenReadFromAOneThreadForkJoinPool() throws Exception {
    // The JDK's HttpClient finishes a refused handshake on the common pool; a caller that blocks
    // the only thread of such a pool must not starve it.
    UUID session = UUID.randomUUID();
    ForkJoinPool pool = new ForkJoinPool(1);
    try (SessionStream stream =
        stream(session, 0, fast().withNotFoundGrace(Duration.ofSeconds(20)))) {
      SessionStream.Signal signal =
          pool.submit(
                  () -> {
                    SessionStream.Signal first = stream.next();
                    return first instanceof SessionStream.Reconnecting ? stream.next() : first;
                  })
              .get();

      assertThat(signal).isInstanceOf(SessionStream.Reconnecting.class);
      assertThat(platform.rejections()).containsExactly(404, 404);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reconnectsOnceThePlatformIsBack() throws Exception {
    int port = freePort();
    UUID session = UUID.randomUUID();
    Api api = api("http://127.0.0.1:" + port, FakePlatform.TOKEN);
    try (SessionStream stream = new SessionStream(api, session, 0, fast(), Clock.systemUTC())) {
      SessionStream.Signal first = stream.next();
      assertThat(first)
          .isInstanceOfSatisfying(
              SessionStream.Reconnecting.class,
              r -> assertThat(r.reason()).startsWith("cannot connect"));

      try (FakePlatform back = new FakePlatform(port)) {
        back.session(session, "READY");
        back.append(session, "session.state", null, Map.of("to", "READY"));

        assertThat(seqs(readUntil(stream, 1))).containsExactly(1L);
      }
    }
  }

  @Test
  void givesUpAfterTheMaximumOutage() throws Exception {
    int port = freePort();
    Api api = api("http://127.0.0.1:" + port, FakePlatform.TOKEN);
    SessionStream.Options options =
        SessionStream.Options.defaults().withMaxOutage(Duration.ofMillis(100));
    try (SessionStream stream =
        new SessionStream(api, UUID.randomUUID(), 7, options, Clock.systemUTC())) {
      assertThat(stream.next()).isInstanceOf(SessionStream.Reconnecting.class);

      assertThatThrownBy(
              () -> {
                while (true) {
                  stream.next();
                }
              })
          .isInstanceOfSatisfying(
              CliException.class,
              e -> {
                assertThat(e.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
                assertThat(e.getMessage()).contains("could not reconnect");
              });
    }
  }

  @Test
  void aSilentConnectionIsReplacedAndResumedFromTheLastSeq() throws Exception {
    UUID session = platform.session("READY");
    events(session, 2);
    SessionStream.Options options = fast().withSilence(Duration.ofMillis(300));
    try (SessionStream stream = stream(session, 0, options)) {
      assertThat(seqs(readUntil(stream, 2))).containsExactly(1L, 2L);

      SessionStream.Signal quiet = stream.next();

      assertThat(quiet)
          .isInstanceOfSatisfying(
              SessionStream.Reconnecting.class,
              r -> {
                assertThat(r.reason()).contains("nothing heard");
                assertThat(r.afterSeq()).isEqualTo(2);
              });
      platform.append(session, "claude.text", null, Map.of("text", "after the silence"));

      assertThat(seqs(readUntil(stream, 3))).containsExactly(3L);
      assertThat(platform.streamCursors()).startsWith(0L, 2L);
    }
  }

  @Test
  void detachEndsAWaitingRead() throws Exception {
    UUID session = platform.session("READY");
    try (SessionStream stream = stream(session, 0, fast())) {
      CompletableFuture<SessionStream.Signal> waiting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return stream.next();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      await().until(() -> platform.openStreams(session) == 1);

      stream.detach();

      assertThat(waiting.get()).isInstanceOf(SessionStream.Detached.class);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
