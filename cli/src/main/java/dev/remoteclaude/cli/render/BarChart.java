package dev.remoteclaude.cli.render;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A horizontal bar chart for the terminal, one labelled bar per line with its value after it: the
 * largest value fills the whole width, the others in proportion. With Unicode the bars are drawn in
 * eighths of a column ({@code ▏▎▍▌▋▊▉█}), in ASCII in whole columns of {@code #}; a value above
 * zero always shows at least its smallest mark. Colour (cyan bars) only when the style has colour.
 */
public final class BarChart {

  /** Columns of the bars when the terminal's width is not known. */
  public static final int DEFAULT_WIDTH = 40;

  /** The narrowest bars drawn, however narrow the terminal. */
  static final int MIN_WIDTH = 10;

  private static final String EIGHTHS = " ▏▎▍▌▋▊▉";
  private static final char FULL = '█';

  /** One bar: its label and its value (an amount in US dollars). */
  public record Bar(String label, BigDecimal value) {}

  private BarChart() {}

  /**
   * How many columns the bars get: what a terminal {@code columns} wide leaves next to the labels
   * and the values (two spaces between them), at least {@link #MIN_WIDTH}; {@link #DEFAULT_WIDTH}
   * when the width is not known.
   */
  public static int barWidth(Integer columns, List<Bar> bars) {
    if (columns == null || columns <= 0) {
      return DEFAULT_WIDTH;
    }
    int label = 0;
    int value = 0;
    for (Bar bar : bars) {
      label = Math.max(label, bar.label().length());
      value = Math.max(value, Format.usd(bar.value()).length());
    }
    return Math.max(MIN_WIDTH, columns - label - value - 4);
  }

  /** The chart's lines, bars {@code width} columns at most. */
  public static List<String> render(List<Bar> bars, int width, Style style) {
    BigDecimal max = BigDecimal.ZERO;
    int label = 0;
    for (Bar bar : bars) {
      max = bar.value().compareTo(max) > 0 ? bar.value() : max;
      label = Math.max(label, bar.label().length());
    }
    List<String> lines = new ArrayList<>(bars.size());
    for (Bar bar : bars) {
      String drawn = bar(bar.value(), max, width, style.unicode());
      String padding = " ".repeat(width - drawn.length());
      lines.add(
          bar.label()
              + " ".repeat(label - bar.label().length() + 2)
              + style.cyan(drawn)
              + padding
              + "  "
              + Format.usd(bar.value()));
    }
    return lines;
  }

  /** One bar: {@code value / max} of {@code width} columns. */
  static String bar(BigDecimal value, BigDecimal max, int width, boolean unicode) {
    if (value.signum() <= 0 || max.signum() <= 0) {
      return "";
    }
    int steps = unicode ? 8 : 1;
    long units =
        value
            .multiply(BigDecimal.valueOf((long) width * steps))
            .divide(max, 0, RoundingMode.HALF_UP)
            .longValueExact();
    units = Math.max(1, Math.min(units, (long) width * steps));
    if (!unicode) {
      return "#".repeat((int) units);
    }
    String whole = String.valueOf(FULL).repeat((int) (units / 8));
    int rest = (int) (units % 8);
    return rest == 0 ? whole : whole + EIGHTHS.charAt(rest);
  }
}
