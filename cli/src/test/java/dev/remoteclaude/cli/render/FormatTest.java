package dev.remoteclaude.cli.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FormatTest {

  @ParameterizedTest
  @CsvSource({
    "90s, PT1M30S",
    "5m, PT5M",
    "1h30m, PT1H30M",
    "2d, PT48H",
    "PT5M, PT5M",
    "pt2h, PT2H",
    "1d2h3m4s, PT26H3M4S"
  })
  void parsesHumanAndIsoDurations(String text, String iso) {
    assertThat(Format.parseDuration(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource({"'', ", "5x, ", "m5, ", "P, "})
  void refusesWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> Format.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration");
  }

  @Test
  void writesDurationsShort() {
    assertThat(Format.millis(850)).isEqualTo("850ms");
    assertThat(Format.millis(12_345)).isEqualTo("12.3s");
    assertThat(Format.millis(125_000)).isEqualTo("2m 05s");
    assertThat(Format.millis(3_720_000)).isEqualTo("1h 02m");
    assertThat(Format.duration(Duration.ofHours(76))).isEqualTo("3d 4h");
    assertThat(Format.compactDuration(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Format.compactDuration(Duration.ofHours(12))).isEqualTo("12h");
  }

  @Test
  void writesMoneyAndTokens() {
    assertThat(Format.usd(new BigDecimal("0.036612"))).isEqualTo("$0.0366");
    assertThat(Format.usd(new BigDecimal("12.5"))).isEqualTo("$12.50");
    assertThat(Format.tokens(950)).isEqualTo("950");
    assertThat(Format.tokens(8_812)).isEqualTo("8.8k");
    assertThat(Format.tokens(1_250_000)).isEqualTo("1.3M");
  }

  @Test
  void writesRelativeTimes() {
    Instant now = Instant.parse("2025-06-01T12:00:00Z");

    assertThat(Format.relative(now.minusSeconds(42), now)).isEqualTo("42s ago");
    assertThat(Format.relative(now.minusSeconds(300), now)).isEqualTo("5m ago");
    assertThat(Format.relative(now.plusSeconds(7_140), now)).isEqualTo("in 1h 59m");
    assertThat(Format.relative(now.plusSeconds(3_600), now)).isEqualTo("in 1h");
    assertThat(Format.relative(now.minusSeconds(90_000), now)).isEqualTo("1d 1h ago");
  }
}
