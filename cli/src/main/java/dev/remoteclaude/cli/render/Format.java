package dev.remoteclaude.cli.render;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How the CLI writes and reads amounts: durations, money, token counts, times. */
public final class Format {

  private static final Pattern HUMAN_DURATION =
      Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");
  private static final DateTimeFormatter LOCAL_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  private Format() {}

  /**
   * Parses a duration given as {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 2d}, or ISO-8601
   * ({@code PT5M}).
   */
  public static Duration parseDuration(String text) {
    String value = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (value.startsWith("p")) {
      try {
        return Duration.parse(value.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 duration");
      }
    }
    Matcher m = HUMAN_DURATION.matcher(value);
    if (value.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (examples: 90s, 5m, 1h30m, 2d, PT5M)");
    }
    Duration d = Duration.ZERO;
    if (m.group(1) != null) {
      d = d.plusDays(Long.parseLong(m.group(1)));
    }
    if (m.group(2) != null) {
      d = d.plusHours(Long.parseLong(m.group(2)));
    }
    if (m.group(3) != null) {
      d = d.plusMinutes(Long.parseLong(m.group(3)));
    }
    if (m.group(4) != null) {
      d = d.plusSeconds(Long.parseLong(m.group(4)));
    }
    return d;
  }

  /**
   * A short human duration: {@code 850ms}, {@code 12.3s}, {@code 2m 05s}, {@code 1h 02m}, {@code 3d
   * 4h}.
   */
  public static String duration(Duration d) {
    if (d == null) {
      return "";
    }
    long ms = d.toMillis();
    if (ms < 0) {
      ms = 0;
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return BigDecimal.valueOf(ms).movePointLeft(3).setScale(1, RoundingMode.HALF_UP) + "s";
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh %02dm", s / 3600, (s % 3600) / 60);
    }
    return String.format(Locale.ROOT, "%dd %dh", s / 86_400, (s % 86_400) / 3600);
  }

  public static String millis(long ms) {
    return duration(Duration.ofMillis(ms));
  }

  /** A duration as the user would type it: {@code 5m}, {@code 12h}, {@code 1h30m}. */
  public static String compactDuration(Duration d) {
    if (d == null) {
      return "";
    }
    long s = d.toSeconds();
    if (s == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    if (s >= 86_400) {
      out.append(s / 86_400).append('d');
      s %= 86_400;
    }
    if (s >= 3600) {
      out.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      out.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0) {
      out.append(s).append('s');
    }
    return out.toString();
  }

  /** Money in US dollars: 4 decimals below a dollar, 2 above. */
  public static String usd(BigDecimal amount) {
    if (amount == null) {
      return "";
    }
    int scale = amount.abs().compareTo(BigDecimal.ONE) < 0 ? 4 : 2;
    return "$" + amount.setScale(scale, RoundingMode.HALF_UP).toPlainString();
  }

  /** Seconds as hours and minutes: {@code 50h}, {@code 3h 30m}, {@code 12m}, {@code 45s}. */
  public static String hours(long seconds) {
    long s = Math.max(0, seconds);
    if (s < 60) {
      return s + "s";
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    if (h == 0) {
      return m + "m";
    }
    return m == 0 ? h + "h" : h + "h " + m + "m";
  }

  /**
   * An amount in a currency's minor unit (Stripe's cents) as {@code 12.00 USD}; the currency's own
   * decimal places ({@code 1200 JPY}), two for a code the JDK does not know.
   */
  public static String minorUnits(long amount, String currency) {
    String code = currency == null ? "" : currency.strip().toUpperCase(Locale.ROOT);
    int digits = 2;
    try {
      digits = Math.max(0, java.util.Currency.getInstance(code).getDefaultFractionDigits());
    } catch (IllegalArgumentException e) {
      // not an ISO 4217 code the JDK knows: cents
    }
    String number = BigDecimal.valueOf(amount, digits).toPlainString();
    return code.isEmpty() ? number : number + " " + code;
  }

  /** A token count: {@code 950}, {@code 12.3k}, {@code 1.2M}. */
  public static String tokens(long count) {
    if (count < 1000) {
      return Long.toString(count);
    }
    if (count < 1_000_000) {
      return BigDecimal.valueOf(count).movePointLeft(3).setScale(1, RoundingMode.HALF_UP) + "k";
    }
    return BigDecimal.valueOf(count).movePointLeft(6).setScale(1, RoundingMode.HALF_UP) + "M";
  }

  /** {@code 5m ago} or {@code in 2h} relative to now. */
  public static String relative(Instant when, Instant now) {
    if (when == null) {
      return "";
    }
    Duration d = Duration.between(when, now);
    boolean past = !d.isNegative();
    long s = Math.abs(d.toSeconds());
    String amount;
    if (s < 60) {
      amount = s + "s";
    } else if (s < 3600) {
      amount = (s / 60) + "m";
    } else if (s < 86_400) {
      amount = (s / 3600) + "h" + (s % 3600 >= 60 ? " " + (s % 3600) / 60 + "m" : "");
    } else {
      amount = (s / 86_400) + "d" + (s % 86_400 >= 3600 ? " " + (s % 86_400) / 3600 + "h" : "");
    }
    return past ? amount + " ago" : "in " + amount;
  }

  /** A local date and time: {@code 2025-06-01 14:03:07}. */
  public static String time(Instant when, ZoneId zone) {
    return when == null ? "" : LOCAL_TIME.format(when.atZone(zone));
  }

  /** The first 8 characters of an id, as shown in running text. */
  public static String shortId(Object id) {
    if (id == null) {
      return "";
    }
    String text = id.toString();
    return text.length() > 8 ? text.substring(0, 8) : text;
  }

  /** Cuts text to {@code max} characters on one line, with an ellipsis when cut. */
  public static String oneLine(String text, int max, Style style) {
    if (text == null) {
      return "";
    }
    String line = text.replaceAll("\\s+", " ").strip();
    if (line.length() <= max) {
      return line;
    }
    return line.substring(0, Math.max(0, max - 1)) + style.ellipsis();
  }
}
