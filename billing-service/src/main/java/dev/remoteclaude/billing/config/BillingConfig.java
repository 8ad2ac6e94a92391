package dev.remoteclaude.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * Everything billing-service can be tuned with: the rate card, the plans and the quota job. The
 * defaults of the maps (model prices, plans) are in application.properties.
 */
@ConfigMapping(prefix = "billing")
public interface BillingConfig {

  Rates rates();

  /** Plans by name (free, pro, team by default). */
  Map<String, Plan> plans();

  /** The plan of a user billing sees for the first time. */
  @WithDefault("free")
  String defaultPlan();

  Quota quota();

  Usage usage();

  /** The rate card: what a second of a sandbox and a million tokens of a model cost, in USD. */
  interface Rates {
    /** Compute rates of providers without their own entry in {@link #providers()}. */
    @WithName("default-provider")
    ComputeRate defaultProvider();

    /** Compute rates per sandbox provider ({@code local}, {@code kubernetes}, ...). */
    Map<String, ComputeRate> providers();

    /** Prices of models without an entry in {@link #models()}. */
    @WithName("default-model")
    ModelRate defaultModel();

    /**
     * Prices per model name prefix: a model is priced by the longest prefix it starts with ({@code
     * claude-sonnet-4} prices {@code claude-sonnet-4-5-20250929} unless a longer one matches).
     */
    Map<String, ModelRate> models();
  }

  /** USD per hour of a sandbox, charged per second. */
  interface ComputeRate {
    /** Every state but PAUSED: the sandbox holds CPU and memory. */
    @DecimalMin("0")
    BigDecimal runningUsdPerHour();

    /** PAUSED: the sandbox keeps only its snapshot and volume (storage). */
    @DecimalMin("0")
    BigDecimal pausedUsdPerHour();
  }

  /** USD per million tokens, by kind. */
  interface ModelRate {
    @DecimalMin("0")
    BigDecimal input();

    @DecimalMin("0")
    BigDecimal output();

    @DecimalMin("0")
    BigDecimal cacheRead();

    /** Cache creation (the 5-minute cache write rate). */
    @DecimalMin("0")
    BigDecimal cacheWrite();
  }

  /** What a plan allows each calendar month (UTC). */
  interface Plan {
    /** Sessions holding a running sandbox at once. */
    @Min(0)
    int maxActiveSessions();

    /** Session hours per month: every state but PAUSED counts. */
    @Min(0)
    long sessionHoursPerMonth();
  }

  /** Publishing users' quotas to session-service. */
  interface Quota {
    /**
     * How often the quota job runs: it republishes the used session seconds of users with a running
     * session whose quota was last published longer ago than this, and of users whose last
     * publication is from an earlier month (their month starts afresh).
     */
    @WithDefault("1m")
    Duration publishInterval();

    /** Users one round of the job publishes, at most. */
    @WithDefault("200")
    @Min(1)
    @Max(10_000)
    int batchSize();
  }

  /** The usage report. */
  interface Usage {
    /** The longest range one usage request may cover. */
    @WithDefault("P366D")
    Duration maxRange();
  }
}
