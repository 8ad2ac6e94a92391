package dev.remoteclaude.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.gateway.provider.ProviderRateLimits.RateLimited;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The one 429 policy of the HTTP providers: Retry-After read, capped and waited out. */
class ProviderRateLimitsTest {
  private static final Duration CALL = Duration.ofSeconds(10);
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void retryAfterInSecondsIsThatLong() {
    assertThat(ProviderRateLimits.retryAfter("120", NOW)).isEqualTo(Duration.ofSeconds(120));
    assertThat(ProviderRateLimits.retryAfter(" 7 ", NOW)).isEqualTo(Duration.ofSeconds(7));
    assertThat(ProviderRateLimits.retryAfter("0", NOW)).isZero();
    assertThat(ProviderRateLimits.retryAfter("-5", NOW)).isZero();
  }

  @Test
  void retryAfterAsAnHttpDateIsTheTimeUntilThen() {
    assertThat(ProviderRateLimits.retryAfter(httpDate(NOW.plusSeconds(90)), NOW))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(ProviderRateLimits.retryAfter("Sun, 01 Mar 2026 12:00:45 GMT", NOW))
        .isEqualTo(Duration.ofSeconds(45));
    assertThat(ProviderRateLimits.retryAfter(httpDate(NOW.minusSeconds(30)), NOW))
        .as("a date gone by")
        .isZero();
  }

  @Test
  void aMissingOrUnreadableRetryAfterWaitsOneSecond() {
    for (String header : new String[] {null, "", "  ", "soon", "12.5", "2026-03-01T12:01:00Z"}) {
      assertThat(ProviderRateLimits.retryAfter(header, NOW))
          .as("Retry-After: %s", header)
          .isEqualTo(Duration.ofSeconds(1));
    }
  }

  @Test
  void aRateLimitedFailureIsUnavailableAndSaysWhenToTryAgain() {
    assertThat(new RateLimited("X is rate limiting (status)", Duration.ofSeconds(42)))
        .hasMessage("X is rate limiting (status); try again in 42s")
        .extracting(ProviderException::kind)
        .isEqualTo(ProviderException.Kind.UNAVAILABLE);
    assertThat(new RateLimited("X is rate limiting", Duration.ZERO))
        .hasMessage("X is rate limiting; try again in 1s");
  }

  @Test
  void rateLimitedCallsAreTriedAgainAfterTheWaitTheyName() {
    Attempts attempts = new Attempts(2, Duration.ofMillis(200));
    long start = System.nanoTime();

    String answer =
        ProviderRateLimits.honouringRetryAfter(attempts, 3, Duration.ofSeconds(1))
            .await()
            .atMost(CALL);

    assertThat(answer).isEqualTo("answer 3");
    assertThat(attempts.made()).isEqualTo(3);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("waited twice")
        .isGreaterThanOrEqualTo(Duration.ofMillis(400));
  }

  @Test
  void aRetryAfterOfNothingIsTriedAgainAtOnce() {
    Attempts attempts = new Attempts(1, Duration.ZERO);

    assertThat(
            ProviderRateLimits.honouringRetryAfter(attempts, 1, Duration.ofSeconds(1))
                .await()
                .atMost(CALL))
        .isEqualTo("answer 2");
  }

  @Test
  void aWaitOverTheCapFailsAtOnce() {
    Attempts attempts = new Attempts(1, Duration.ofSeconds(120));
    long start = System.nanoTime();

    assertThatThrownBy(
            () ->
                ProviderRateLimits.honouringRetryAfter(attempts, 3, Duration.ofSeconds(30))
                    .await()
                    .atMost(CALL))
        .isInstanceOf(RateLimited.class)
        .hasMessageEndingWith("try again in 120s");
    assertThat(attempts.made()).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void rateLimitingThatOutlastsTheRetriesFailsWithTheLast429() {
    Attempts attempts = new Attempts(Integer.MAX_VALUE, Duration.ofMillis(10));

    assertThatThrownBy(
            () ->
                ProviderRateLimits.honouringRetryAfter(attempts, 3, Duration.ofSeconds(1))
                    .await()
                    .atMost(CALL))
        .isInstanceOf(RateLimited.class)
        .satisfies(
            f ->
                assertThat(((ProviderException) f).kind())
                    .isEqualTo(ProviderException.Kind.UNAVAILABLE));
    assertThat(attempts.made()).as("the call and its 3 retries").isEqualTo(4);

    Attempts once = new Attempts(Integer.MAX_VALUE, Duration.ofMillis(10));
    assertThatThrownBy(
            () ->
                ProviderRateLimits.honouringRetryAfter(once, 0, Duration.ofSeconds(1))
                    .await()
                    .atMost(CALL))
        .isInstanceOf(RateLimited.class);
    assertThat(once.made()).as("no retries configured").isEqualTo(1);
  }

  @Test
  void otherFailuresAreNotTriedAgain() {
    AtomicInteger made = new AtomicInteger();
    Supplier<Uni<String>> outage =
        () -> {
          made.incrementAndGet();
          return Uni.createFrom()
              .failure(new ProviderException(ProviderException.Kind.UNAVAILABLE, "down"));
        };

    assertThatThrownBy(
            () ->
                ProviderRateLimits.honouringRetryAfter(outage, 3, Duration.ofSeconds(1))
                    .await()
                    .atMost(CALL))
        .hasMessage("down");
    assertThat(made).hasValue(1);
  }

  private static String httpDate(Instant at) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atOffset(ZoneOffset.UTC));
  }

  /** A call rate limited {@code limited} times (asking for {@code wait}), then answered. */
  private static final class Attempts implements Supplier<Uni<String>> {
    private final AtomicInteger made = new AtomicInteger();
    private final int limited;
    private final Duration wait;

    Attempts(int limited, Duration wait) {
      this.limited = limited;
      this.wait = wait;
    }

    @Override
    public Uni<String> get() {
      int attempt = made.incrementAndGet();
      return attempt <= limited
          ? Uni.createFrom()
              .failure(new RateLimited("rate limited (attempt " + attempt + ")", wait))
          : Uni.createFrom().item("answer " + attempt);
    }

    int made() {
      return made.get();
    }
  }
}
