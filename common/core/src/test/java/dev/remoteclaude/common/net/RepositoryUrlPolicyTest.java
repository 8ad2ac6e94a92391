package dev.remoteclaude.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.common.problem.ProblemException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Host names are resolved: a public-looking name that points inside is refused too. */
class RepositoryUrlPolicyTest {

  record Repository(
      Optional<Set<String>> extraSchemes,
      boolean allowPrivateHosts,
      boolean resolveHosts,
      Duration resolveTimeout)
      implements RepositoryUrlPolicy.Rules {}

  private static final Repository PROD =
      new Repository(Optional.empty(), false, true, Duration.ofMillis(300));

  private static final Map<String, String> DNS =
      Map.of(
          "github.com", "140.82.112.3",
          "evil.example.com", "127.0.0.1",
          "intranet.example.com", "10.20.30.40",
          "metadata.example.com", "169.254.169.254",
          "v6.example.com", "fd12::1");

  private static List<InetAddress> resolve(String host) throws UnknownHostException {
    String address = DNS.get(host);
    if (address == null) {
      throw new UnknownHostException(host);
    }
    return List.of(InetAddress.getByName(address));
  }

  private static void check(RepositoryUrlPolicy policy, String url) {
    policy.check(url).await().atMost(Duration.ofSeconds(5));
  }

  @Test
  void publicHostIsAccepted() {
    check(
        new RepositoryUrlPolicy(PROD, RepositoryUrlPolicyTest::resolve, "repositoryUrl"),
        "https://github.com/acme/app.git");
  }

  @Test
  void nameThatResolvesToAPrivateOrLocalAddressIsRefused() {
    RepositoryUrlPolicy policy =
        new RepositoryUrlPolicy(PROD, RepositoryUrlPolicyTest::resolve, "repositoryUrl");
    for (String host :
        List.of(
            "evil.example.com", "intranet.example.com", "metadata.example.com", "v6.example.com")) {
      assertThatThrownBy(() -> check(policy, "https://" + host + "/repo.git"))
          .as(host)
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.getMessage()).startsWith("repositoryUrl: ");
              });
    }
  }

  @Test
  void unresolvableNamesAreLeftToTheCloneToReport() {
    check(
        new RepositoryUrlPolicy(PROD, RepositoryUrlPolicyTest::resolve, "repositoryUrl"),
        "https://nowhere.example.org/r.git");
  }

  @Test
  void aLookupThatDoesNotAnswerInTimeFailsClosed() {
    CountDownLatch never = new CountDownLatch(1);
    RepositoryUrlPolicy slow =
        new RepositoryUrlPolicy(
            PROD,
            host -> {
              try {
                never.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return List.of(InetAddress.getByName("140.82.112.3"));
            },
            "repositoryUrl");
    try {
      assertThatThrownBy(() -> check(slow, "https://slow.example.org/r.git"))
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.getMessage())
                    .contains("slow.example.org")
                    .contains("could not be resolved in time");
              });
    } finally {
      never.countDown();
    }
  }

  @Test
  void localProfileMayAllowFileUrlsAndPrivateHosts() {
    RepositoryUrlPolicy local =
        new RepositoryUrlPolicy(
            new Repository(Optional.of(Set.of("file")), true, true, Duration.ofMillis(300)),
            RepositoryUrlPolicyTest::resolve,
            "repositoryUrl");
    check(local, "file:///srv/repos/app");
    check(local, "https://localhost/repo.git");
    check(local, "https://evil.example.com/repo.git");
    assertThatThrownBy(() -> check(local, "ssh://git@example.com/r.git"))
        .isInstanceOf(ProblemException.class);

    RepositoryUrlPolicy prod =
        new RepositoryUrlPolicy(PROD, RepositoryUrlPolicyTest::resolve, "repositoryUrl");
    assertThatThrownBy(() -> check(prod, "file:///srv/repos/app"))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> assertThat(e.getMessage()).contains("must be an https URL"));
  }

  @Test
  void internalAddressesAreRecognised() throws Exception {
    for (String address :
        List.of(
            "127.0.0.1",
            "10.0.0.1",
            "172.31.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fc00::1",
            "::ffff:10.0.0.1",
            "224.0.0.1",
            "255.255.255.255")) {
      assertThat(HostAddressPolicy.isInternal(InetAddress.getByName(address))).as(address).isTrue();
    }
    for (String address : List.of("140.82.112.3", "8.8.8.8", "2606:4700::1111")) {
      assertThat(HostAddressPolicy.isInternal(InetAddress.getByName(address)))
          .as(address)
          .isFalse();
    }
  }
}
