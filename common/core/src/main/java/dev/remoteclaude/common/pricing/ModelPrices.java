package dev.remoteclaude.common.pricing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import jakarta.validation.constraints.DecimalMin;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.Map;

/**
 * The token prices, shared by billing (the ledger) and the gateway (the budgets its model proxy
 * enforces), so both price a model answer alike. The defaults are Anthropic's list prices, in
 * rc-common's META-INF/microprofile-config.properties; a service's configuration overrides them.
 */
@ConfigMapping(prefix = "billing.rates")
public interface ModelPrices {

  /** Decimal places of a priced amount. */
  int SCALE = 10;

  /** Prices of models without an entry in {@link #models()}. */
  @WithName("default-model")
  ModelRate defaultModel();

  /**
   * Prices per model name prefix: a model is priced by the longest prefix it starts with ({@code
   * claude-sonnet-4} prices {@code claude-sonnet-4-5-20250929} unless a longer one matches).
   */
  Map<String, ModelRate> models();

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

  /** The rate of {@code model}: the longest configured prefix of its name, else the default. */
  default ModelRate rate(String model) {
    if (model == null) {
      return defaultModel();
    }
    return models().entrySet().stream()
        .filter(e -> model.startsWith(e.getKey()))
        .max(Comparator.comparingInt(e -> e.getKey().length()))
        .map(Map.Entry::getValue)
        .orElse(defaultModel());
  }

  /** What one model answer's tokens cost, in USD with {@link #SCALE} decimal places. */
  default BigDecimal price(String model, long input, long output, long cacheRead, long cacheWrite) {
    ModelRate rate = rate(model);
    return rate.input()
        .multiply(BigDecimal.valueOf(input))
        .add(rate.output().multiply(BigDecimal.valueOf(output)))
        .add(rate.cacheRead().multiply(BigDecimal.valueOf(cacheRead)))
        .add(rate.cacheWrite().multiply(BigDecimal.valueOf(cacheWrite)))
        .divide(BigDecimal.valueOf(1_000_000), SCALE, RoundingMode.HALF_EVEN);
  }
}
