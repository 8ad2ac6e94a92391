package dev.remoteclaude.session.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** Everything session-service can be tuned with; defaults suit production. */
@ConfigMapping(prefix = "session")
public interface SessionConfig {

  Providers providers();

  Repository repository();

  Idle idle();

  Lifetime lifetime();

  Snapshot snapshot();

  Recovery recovery();

  Quota quota();

  Timers timers();

  Paging paging();

  Environment environment();

  Audit audit();

  /** The users' audit trail (GET /api/v1/audit). */
  interface Audit {
    /** How long an entry is kept; older ones are deleted. */
    @WithDefault("365d")
    Duration retention();

    /** How often entries past the retention are deleted. */
    @WithDefault("1h")
    Duration purgeEvery();
  }

  /** What a session's environment may hold. */
  interface Environment {
    /**
     * The most a session's environment may hold in all: names and values, in UTF-8 bytes. The
     * environment travels sealed (encrypted, base64: a third larger) inside the session.requested
     * event; 256 KiB keeps that event far below the broker's default limit of 1 MiB per record.
     * Raise it only with the broker's and the producer's limits ({@code message.max.bytes}, {@code
     * max.request.size}).
     */
    @WithDefault("262144")
    int maxTotalBytes();
  }

  /** Sandbox providers a session may ask for (the gateway implements them). */
  interface Providers {
    /** The provider used when a request names none. */
    @WithDefault("local")
    String defaultProvider();

    @WithDefault("local")
    Set<String> allowed();

    /**
     * The regions a session may ask for ({@code region} on create); unset: none. The gateway's
     * {@code gateway.providers.order[i].regions} says which provider serves which.
     */
    Optional<Set<String>> regions();
  }

  /**
   * What a repository URL may look like: the rules of {@link
   * dev.remoteclaude.common.net.RepositoryUrlPolicy}, with their defaults.
   */
  interface Repository extends dev.remoteclaude.common.net.RepositoryUrlPolicy.Rules {
    @Override
    @WithDefault("false")
    boolean allowPrivateHosts();

    @Override
    @WithDefault("true")
    boolean resolveHosts();

    @Override
    @WithDefault("2s")
    Duration resolveTimeout();
  }

  /** Idle auto-pause. */
  interface Idle {
    @WithDefault("5m")
    Duration defaultTimeout();

    @WithDefault("1m")
    Duration minTimeout();

    @WithDefault("8h")
    Duration maxTimeout();

    /**
     * How long before the pause the idle warning is given (at most half the idle timeout); any
     * activity or an extend in that time cancels it.
     */
    @WithDefault("60s")
    Duration warningLead();
  }

  /** Expiry: auto-extended by activity, extendable by the user, never past the maximum lifetime. */
  interface Lifetime {
    /** The maximum lifetime of a session whose request names none. */
    @WithDefault("12h")
    Duration defaultMax();

    @WithDefault("10m")
    Duration min();

    @WithDefault("24h")
    Duration max();

    /** Activity keeps {@code expiresAt} at least this far ahead (up to the maximum lifetime). */
    @WithDefault("2h")
    Duration activityWindow();

    /** How long before the end a lifetime warning is given. */
    @WithDefault("10m")
    Duration warningLead();

    /** The longest single extension a user may ask for. */
    @WithDefault("4h")
    Duration extendMax();

    @WithDefault("1m")
    Duration extendMin();
  }

  /** Periodic workspace snapshots of READY sessions (RPO). */
  interface Snapshot {
    @WithDefault("5m")
    Duration interval();

    /** Providers that can snapshot a workspace. */
    @WithDefault("local")
    Set<String> providers();
  }

  /** Re-provisioning of sessions whose sandbox was lost. */
  interface Recovery {
    @WithDefault("true")
    boolean enabled();

    /** Re-provisioning attempts before the session fails (reset once it is READY again). */
    @WithDefault("3")
    int maxAttempts();
  }

  /** Limits used until billing publishes a user's own. */
  interface Quota {
    @WithDefault("3")
    int defaultMaxActiveSessions();

    /** 50 hours. */
    @WithDefault("180000")
    long defaultSessionSecondsPerMonth();

    /**
     * Most sessions a user may keep PAUSING or PAUSED (they hold a snapshot and a volume though no
     * active-session limit counts them). Pausing one more, or creating a session while at it,
     * answers 429; idle pauses by the service itself are not refused.
     */
    @WithDefault("10")
    @Min(0)
    int maxPausedSessions();
  }

  /** The idle, lifetime and snapshot jobs. */
  interface Timers {
    /**
     * A session still PAUSING, RESUMING or TERMINATING this long after it asked the gateway asks
     * again (the request or its answer was lost); each further ask waits twice as long, at most an
     * hour. The gateway answers a repeated request again, so asking twice is harmless.
     */
    @WithDefault("2m")
    Duration transitionRetryAfter();

    /** How often each job looks for due sessions (a Quarkus scheduler {@code every} value). */
    @WithDefault("5s")
    String interval();

    /** Sessions one job round handles in one transaction. */
    @WithDefault("100")
    int batchSize();
  }

  /** Pages of the session list; a page index is at most 1,000,000, a page at most 1000. */
  interface Paging {
    @WithDefault("20")
    @Min(1)
    @Max(dev.remoteclaude.api.Paging.MAX_SIZE)
    int defaultSize();

    @WithDefault("100")
    @Min(1)
    @Max(dev.remoteclaude.api.Paging.MAX_SIZE)
    int maxSize();
  }
}
