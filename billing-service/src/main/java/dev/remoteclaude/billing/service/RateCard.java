package dev.remoteclaude.billing.service;

import dev.remoteclaude.billing.config.BillingConfig;
import dev.remoteclaude.common.pricing.ModelPrices;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Prices usage from the configured rate card ({@code billing.rates.*}): compute per second by
 * provider and session state, tokens per million by model and kind. Amounts are US dollars with 10
 * decimal places.
 */
@ApplicationScoped
public class RateCard {

  /** The provider name a compute line carries when its provider has no rate of its own. */
  public static final String DEFAULT_PROVIDER = "default";

  /** Decimal places of a line's amount. */
  public static final int SCALE = ModelPrices.SCALE;

  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  private static final String PAUSED = "PAUSED";

  private final BillingConfig.Rates rates;
  private final ModelPrices prices;

  public RateCard(BillingConfig config, ModelPrices prices) {
    this.rates = config.rates();
    this.prices = prices;
  }

  /** The provider whose rate prices a sandbox of {@code provider} (null: unknown). */
  public String rateProvider(String provider) {
    return provider != null && rates.providers().containsKey(provider)
        ? provider
        : DEFAULT_PROVIDER;
  }

  /** What {@code seconds} of a sandbox of {@code provider} in {@code state} cost. */
  public BigDecimal compute(String provider, String state, long seconds) {
    BillingConfig.ComputeRate rate =
        rates.providers().getOrDefault(rateProvider(provider), rates.defaultProvider());
    BigDecimal perHour = PAUSED.equals(state) ? rate.pausedUsdPerHour() : rate.runningUsdPerHour();
    return perHour
        .multiply(BigDecimal.valueOf(seconds))
        .divide(SECONDS_PER_HOUR, SCALE, RoundingMode.HALF_EVEN);
  }

  /** What one model answer's tokens cost, by the longest configured prefix of the model's name. */
  public BigDecimal model(String model, long input, long output, long cacheRead, long cacheWrite) {
    return prices.price(model, input, output, cacheRead, cacheWrite);
  }
}
