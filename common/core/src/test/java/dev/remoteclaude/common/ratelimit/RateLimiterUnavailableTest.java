package dev.remoteclaude.common.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.infra.Ports;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** A limiter whose database is down refuses plainly (503), never with a 500 or a JDBC message. */
class RateLimiterUnavailableTest {

  @Test
  void withoutItsDatabaseALimitedRequestIsRefusedAsUnavailable() {
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setServerNames(new String[] {"127.0.0.1"});
    nowhere.setPortNumbers(new int[] {Ports.free()}); // nothing listens there
    nowhere.setDatabaseName("gone");
    nowhere.setConnectTimeout(2);
    RateLimiter limiter = new RateLimiter(config(), nowhere, Optional.of("gone"));

    Throwable refused =
        catchThrowable(
            () ->
                limiter.take("alice", RateLimitClass.TASKS).await().atMost(Duration.ofSeconds(30)));

    assertThat(refused).isInstanceOf(ProblemException.class);
    ProblemException problem = (ProblemException) refused;
    assertThat(problem.status()).isEqualTo(503);
    assertThat(problem.getMessage()).doesNotContainIgnoringCase("jdbc").doesNotContain("127.0.0.1");
  }

  private static RateLimitConfig config() {
    RateLimitConfig.Limit limit =
        new RateLimitConfig.Limit() {
          @Override
          public int capacity() {
            return 10;
          }

          @Override
          public Duration window() {
            return Duration.ofMinutes(1);
          }
        };
    return new RateLimitConfig() {
      @Override
      public boolean enabled() {
        return true;
      }

      @Override
      public Duration cleanupInterval() {
        return Duration.ofMinutes(5);
      }

      @Override
      public Limit sessions() {
        return limit;
      }

      @Override
      public Limit tasks() {
        return limit;
      }

      @Override
      public Limit commands() {
        return limit;
      }

      @Override
      public Limit streams() {
        return limit;
      }

      @Override
      public Limit files() {
        return limit;
      }
    };
  }
}
