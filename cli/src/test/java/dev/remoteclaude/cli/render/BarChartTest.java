package dev.remoteclaude.cli.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarChartTest {

  private static final List<BarChart.Bar> BARS =
      List.of(
          new BarChart.Bar("a", new BigDecimal("4")),
          new BarChart.Bar("b", new BigDecimal("1")),
          new BarChart.Bar("c", new BigDecimal("0.0001")));

  @Test
  void inAsciiTheBarsAreWholeColumnsAndATinyValueStillShows() {
    assertThat(BarChart.render(BARS, 8, Style.ascii()))
        .containsExactly("a  ########  $4.00", "b  ##        $1.00", "c  #         $0.0001");
  }

  @Test
  void withUnicodeTheBarsAreDrawnInEighths() {
    assertThat(BarChart.bar(new BigDecimal("1"), new BigDecimal("3"), 10, true))
        .isEqualTo("███▍"); // 10/3 columns: 27 eighths
    assertThat(BarChart.bar(BigDecimal.ZERO, BigDecimal.ZERO, 10, true)).isEmpty();
  }

  @Test
  void theWidthIsWhatTheTerminalLeavesOrForty() {
    assertThat(BarChart.barWidth(null, BARS)).isEqualTo(40);
    // 30 columns less the label (1), the widest value (7) and two gaps of two
    assertThat(BarChart.barWidth(30, BARS)).isEqualTo(18);
    assertThat(BarChart.barWidth(12, BARS)).isEqualTo(10);
  }
}
