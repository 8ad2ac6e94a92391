package dev.remoteclaude.common.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Token buckets in PostgreSQL (Bucket4j over JDBC): every instance over the same table counts in
 * the same buckets, so replicas of a service share a user's limits. Each take is one short
 * transaction that locks the bucket's row ({@code SELECT ... FOR UPDATE}). Blocking: call it on a
 * worker thread.
 */
public final class TokenBuckets {

  /** A bucket untouched for this long after it is full again may be deleted. */
  private static final Duration KEEP_FULL = Duration.ofSeconds(10);

  private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

  /**
   * @param dataSource the JDBC pool of the service's database
   * @param table the bucket table, schema-qualified where the pool's search path does not lead to
   *     it
   */
  public TokenBuckets(DataSource dataSource, String table) {
    this.buckets =
        Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
            .primaryKeyMapper(PrimaryKeyMapper.STRING)
            .table(table)
            .expirationAfterWrite(
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL))
            .build();
  }

  /** Takes one token of the user's bucket of a class, or says when one will be there. */
  public RateDecision take(String user, RateLimitClass limited, long quota, Duration window) {
    // The policy is part of the key: a changed limit starts fresh buckets instead of keeping the
    // old limit in the stored ones.
    String key = limited.configName() + ":" + quota + "/" + window.toMillis() + "ms:" + user;
    BucketConfiguration configuration =
        BucketConfiguration.builder()
            .addLimit(Bandwidth.builder().capacity(quota).refillIntervally(quota, window).build())
            .build();
    ConsumptionProbe probe =
        buckets.builder().build(key, () -> configuration).tryConsumeAndReturnRemaining(1);
    return new RateDecision(
        probe.isConsumed(),
        limited,
        quota,
        window,
        probe.getRemainingTokens(),
        ceilSeconds(probe.getNanosToWaitForReset()),
        probe.isConsumed() ? 0 : Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill())));
  }

  /** Deletes up to {@code batch} buckets that are full again; returns how many it deleted. */
  public int removeExpired(int batch) {
    return buckets.removeExpired(batch);
  }

  private static long ceilSeconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
