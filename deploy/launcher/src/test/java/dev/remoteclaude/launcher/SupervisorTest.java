package dev.remoteclaude.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisorTest {

  /** A component whose life the test decides. */
  static final class Fake implements Supervisor.Component {
    boolean alive = true;
    boolean failsToStart;
    int starts;
    long pid = 100;

    @Override
    public String name() {
      return "sandbox-gateway";
    }

    @Override
    public String kind() {
      return "process";
    }

    @Override
    public String address() {
      return "127.0.0.1:8085";
    }

    @Override
    public boolean alive() {
      return alive;
    }

    @Override
    public long pid() {
      return pid;
    }

    @Override
    public Optional<Integer> exitCode() {
      return alive ? Optional.empty() : Optional.of(137);
    }

    @Override
    public void restart() {
      starts++;
      if (failsToStart) {
        throw new IllegalStateException("port in use");
      }
      alive = true;
      pid++;
    }

    @Override
    public Optional<Path> log() {
      return Optional.empty();
    }
  }

  final List<String> notices = new ArrayList<>();
  final AtomicReference<String> gaveUp = new AtomicReference<>();
  final Fake gateway = new Fake();
  final Instant t0 = Instant.parse("2026-12-06T10:00:00Z");

  Supervisor supervisor(Path home) {
    return new Supervisor(new Object(), List.of(gateway), home, notices::add, gaveUp::set);
  }

  @Test
  void aComponentThatExitsIsStartedAgainAfterItsBackOff(@TempDir Path home) {
    Supervisor supervisor = supervisor(home);
    gateway.alive = false;
    supervisor.tick(t0);
    assertThat(notices).containsExactly("sandbox-gateway exited (code 137); restarting in 1 s");
    assertThat(gateway.starts).isZero();

    supervisor.tick(t0.plusMillis(500));
    assertThat(gateway.starts).isZero();
    supervisor.tick(t0.plusSeconds(1));
    assertThat(gateway.starts).isOne();
    assertThat(gateway.alive).isTrue();
    assertThat(notices).last().isEqualTo("sandbox-gateway restarted (1 so far)");

    // Its status, for ./rc status: the new pid, one restart, up since the restart.
    Properties status = Supervisor.readStatus(home).orElseThrow();
    assertThat(status.getProperty("component.0.pid")).isEqualTo("101");
    assertThat(status.getProperty("component.0.restarts")).isEqualTo("1");
    assertThat(status.getProperty("component.0.since")).isEqualTo(t0.plusSeconds(1).toString());
  }

  @Test
  void theBackOffDoublesWhileItKeepsExitingAndResetsOnceItStaysUp(@TempDir Path home) {
    Supervisor supervisor = supervisor(home);
    Instant now = t0;
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      gateway.alive = false;
      supervisor.tick(now);
      Instant died = now;
      while (gateway.starts == i) {
        now = now.plusMillis(500);
        supervisor.tick(now);
      }
      waits.add(Duration.between(died, now).toSeconds());
      now = now.plusSeconds(5); // up a little while, not long enough to count as stable
      supervisor.tick(now);
    }
    assertThat(waits).containsExactly(1L, 2L, 4L);

    now = now.plus(Supervisor.STABLE);
    supervisor.tick(now);
    gateway.alive = false;
    supervisor.tick(now);
    assertThat(notices).last().asString().endsWith("restarting in 1 s");
  }

  @Test
  void aComponentThatKeepsCrashingStopsThePlatformWithTheReason(@TempDir Path home) {
    Supervisor supervisor = supervisor(home);
    Instant now = t0;
    for (int i = 0; i < 200 && gaveUp.get() == null; i++) {
      gateway.alive = false;
      now = now.plusSeconds(1);
      supervisor.tick(now);
    }
    assertThat(gateway.starts).isEqualTo(Supervisor.MAX_RESTARTS);
    assertThat(gaveUp.get()).startsWith("sandbox-gateway keeps crashing (5 restarts within 5 min)");
    int starts = gateway.starts;
    supervisor.tick(now.plusSeconds(60));
    assertThat(gateway.starts).as("nothing is restarted once it gave up").isEqualTo(starts);
  }

  @Test
  void aFailedStartIsTriedAgainLater(@TempDir Path home) {
    Supervisor supervisor = supervisor(home);
    gateway.alive = false;
    gateway.failsToStart = true;
    supervisor.tick(t0);
    supervisor.tick(t0.plusSeconds(1));
    assertThat(gateway.starts).isOne();
    assertThat(notices)
        .last()
        .isEqualTo("sandbox-gateway did not start: port in use; trying again in 2 s");
    gateway.failsToStart = false;
    supervisor.tick(t0.plusSeconds(2));
    assertThat(gateway.starts).isOne();
    supervisor.tick(t0.plusSeconds(3));
    assertThat(gateway.starts).isEqualTo(2);
    assertThat(gateway.alive).isTrue();
  }

  @Test
  void closingRemovesTheStatusFile(@TempDir Path home) {
    Supervisor supervisor = supervisor(home);
    supervisor.tick(t0);
    assertThat(home.resolve(Supervisor.STATUS_FILE)).exists();
    supervisor.close();
    assertThat(Files.exists(home.resolve(Supervisor.STATUS_FILE))).isFalse();
  }
}
