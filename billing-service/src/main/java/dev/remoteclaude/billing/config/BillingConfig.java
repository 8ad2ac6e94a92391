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
import java.util.Optional;

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

  Stripe stripe();

  /** The rate card: what a second of a sandbox and a million tokens of a model cost, in USD. */
  interface Rates {
    /** Compute rates of providers without their own entry in {@link #providers()}. */
    @WithName("default-provider")
    ComputeRate defaultProvider();

    /** Compute rates per sandbox provider ({@code local}, {@code kubernetes}, ...). */
    Map<String, ComputeRate> providers();

    // Model prices: rc-common's ModelPrices (billing.rates.default-model, billing.rates.models).
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

  /** What a plan allows each calendar month (UTC). */
  interface Plan {
    /** Sessions holding a running sandbox at once. */
    @Min(0)
    int maxActiveSessions();

    /** Session hours per month: every state but PAUSED counts. */
    @Min(0)
    long sessionHoursPerMonth();

    /**
     * The Stripe price (price_...) a checkout for this plan subscribes to; a plan without one
     * cannot be bought (the default plan needs none).
     */
    Optional<String> stripePriceId();
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

  /**
   * Stripe. Without both keys billing is metering-only: the Stripe endpoints answer 409 and nothing
   * calls Stripe.
   */
  interface Stripe {
    /** The secret API key (sk_live_... / sk_test_...). */
    Optional<String> secretKey();

    /** The webhook endpoint's signing secret (whsec_...). */
    Optional<String> webhookSecret();

    /** Where Stripe's API is (tests point it at a stub). */
    @WithDefault("https://api.stripe.com")
    String apiBase();

    /** After a failed payment, how long sessions may still start before 402 refuses them. */
    @WithDefault("P7D")
    Duration gracePeriod();

    /**
     * A metered price (price_...) on the meter {@link #meterEventName()} feeds, added to every
     * checkout's subscription so reported usage is invoiced; none: usage is reported but only
     * invoiced if the subscription carries such a price otherwise.
     */
    Optional<String> usagePriceId();

    /** The event_name of the Billing Meter usage is reported to. */
    @WithDefault("remote_claude_usage")
    String meterEventName();

    /** Where Checkout sends the user after paying, unless the request names a page. */
    @WithDefault("http://localhost:8080/billing/success")
    String successUrl();

    /** Where Checkout sends the user who cancels, unless the request names a page. */
    @WithDefault("http://localhost:8080/billing/cancel")
    String cancelUrl();

    /** Where the Billing Portal's "return" link leads. */
    @WithDefault("http://localhost:8080/billing")
    String portalReturnUrl();

    /** How often the meter relay and the grace-period check run. */
    @WithDefault("10s")
    Duration relayInterval();

    /** Meter events one relay round sends, at most. */
    @WithDefault("100")
    @Min(1)
    @Max(1000)
    int relayBatchSize();

    /** Tries of one meter event before the relay gives up on it (kept, with its last error). */
    @WithDefault("20")
    @Min(1)
    int relayMaxAttempts();

    /** The wait after a failed send, doubled per failure up to {@link #relayBackoffMax()}. */
    @WithDefault("5s")
    Duration relayBackoff();

    @WithDefault("1h")
    Duration relayBackoffMax();

    /** true when both keys are set: checkout, portal, invoices, webhooks and meter events work. */
    default boolean enabled() {
      return secretKey().filter(k -> !k.isBlank()).isPresent()
          && webhookSecret().filter(k -> !k.isBlank()).isPresent();
    }
  }
}
