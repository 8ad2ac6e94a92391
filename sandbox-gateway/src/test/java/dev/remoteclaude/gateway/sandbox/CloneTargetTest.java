package dev.remoteclaude.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.net.HostAddressPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The gateway's own lookup right before a clone. */
class CloneTargetTest {

  private static final Duration TIMEOUT = Duration.ofMillis(300);

  private static HostAddressPolicy.Resolver answers(String... addresses) {
    return host -> {
      List<InetAddress> out = new java.util.ArrayList<>();
      for (String a : addresses) {
        out.add(InetAddress.getByName(a));
      }
      return out;
    };
  }

  @Test
  void aPublicHostIsClonedPinnedToTheAddressesChecked() {
    CloneTarget target =
        new CloneTarget(false, TIMEOUT, answers("140.82.112.3", "2606:4700::1111"));
    assertThat(target.checkNow("https://github.com/acme/app.git"))
        .containsExactly(
            "-c", "http.curloptResolve=github.com:443:140.82.112.3,[2606:4700:0:0:0:0:0:1111]");
    assertThat(target.checkNow("http://git.example.com:8080/r.git"))
        .containsExactly(
            "-c",
            "http.curloptResolve=git.example.com:8080:140.82.112.3,[2606:4700:0:0:0:0:0:1111]");
  }

  @Test
  void aNameThatNowPointsInsideIsRefused() {
    // Public when the session was asked for; private by the time the gateway clones.
    AtomicInteger lookups = new AtomicInteger();
    HostAddressPolicy.Resolver rebinding =
        host ->
            List.of(
                InetAddress.getByName(
                    lookups.getAndIncrement() == 0 ? "140.82.112.3" : "169.254.169.254"));
    new HostAddressPolicy(rebinding).lookUp("rebind.example.com", TIMEOUT);
    CloneTarget target = new CloneTarget(false, TIMEOUT, rebinding);
    for (String url :
        List.of("https://rebind.example.com/r.git", "https://127.0.0.1/r.git", "https://[::1]/r")) {
      assertThatThrownBy(() -> target.checkNow(url))
          .as(url)
          .isInstanceOfSatisfying(
              ProvisioningFailure.class,
              e -> {
                assertThat(e.code()).isEqualTo(SandboxFailed.BAD_REPOSITORY_URL);
                assertThat(e.getMessage()).contains("resolves to a private or local address");
              });
    }
    CloneTarget mixed = new CloneTarget(false, TIMEOUT, answers("140.82.112.3", "10.0.0.7"));
    assertThatThrownBy(() -> mixed.checkNow("https://mixed.example.com/r.git"))
        .isInstanceOf(ProvisioningFailure.class);
  }

  @Test
  void aLookupThatDoesNotAnswerInTimeIsNotCloned() {
    CountDownLatch never = new CountDownLatch(1);
    CloneTarget slow =
        new CloneTarget(
            false,
            TIMEOUT,
            host -> {
              try {
                never.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return List.of(InetAddress.getByName("140.82.112.3"));
            });
    try {
      assertThatThrownBy(() -> slow.checkNow("https://slow.example.com/r.git"))
          .isInstanceOfSatisfying(
              ProvisioningFailure.class,
              e -> assertThat(e.getMessage()).contains("could not be resolved in time"));
    } finally {
      never.countDown();
    }
    CloneTarget unknown =
        new CloneTarget(
            false,
            TIMEOUT,
            host -> {
              throw new UnknownHostException(host);
            });
    assertThatThrownBy(() -> unknown.checkNow("https://nowhere.example.com/r.git"))
        .isInstanceOfSatisfying(
            ProvisioningFailure.class,
            e -> assertThat(e.getMessage()).contains("does not resolve"));
  }

  @Test
  void theLocalSwitchAllowsPrivateHostsAndFileUrls() {
    CloneTarget local = new CloneTarget(true, TIMEOUT, answers("127.0.0.1"));
    assertThat(local.check("http://localhost:8080/r.git").await().indefinitely()).isEmpty();
    CloneTarget prod = new CloneTarget(false, TIMEOUT, answers("127.0.0.1"));
    assertThat(prod.checkNow("file:///srv/repos/app")).isEmpty();
  }
}
