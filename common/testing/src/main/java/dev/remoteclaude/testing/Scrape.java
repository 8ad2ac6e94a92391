package dev.remoteclaude.testing;

import static io.restassured.RestAssured.given;

import java.net.URL;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a service's Prometheus endpoint ({@code /q/metrics} on the management port: inject
 * it with {@code @TestHTTPResource(value = "metrics", management = true) URL metrics}: the path is
 * relative to the management root, /q), read the way a test asserts on it: the value of a series by
 * name and label values.
 */
public record Scrape(String text) {

  /** Scrapes the endpoint; fails unless it answers 200. */
  public static Scrape of(URL metrics) {
    return new Scrape(given().when().get(metrics).then().statusCode(200).extract().asString());
  }

  /**
   * The value of the first series named {@code name} whose labels include every {@code label="v"}
   * given (as {@code "label", "value"} pairs), or NaN when there is none.
   */
  public double value(String name, String... labels) {
    Pattern series =
        // name{labels} value, then maybe an exemplar: " # {trace_id=...,span_id=...} value ts"
        Pattern.compile(
            "^" + Pattern.quote(name) + "(\\{([^}]*)})? (\\S+)(?: # .*)?$", Pattern.MULTILINE);
    Matcher m = series.matcher(text);
    while (m.find()) {
      String found = m.group(2) == null ? "" : m.group(2);
      boolean all = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        all &= found.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        return Double.parseDouble(m.group(3));
      }
    }
    return Double.NaN;
  }

  /** The value, or 0 when the series does not exist yet (a counter nothing has counted). */
  public double valueOrZero(String name, String... labels) {
    double value = value(name, labels);
    return Double.isNaN(value) ? 0 : value;
  }

  /** The metric families (names of {@code # TYPE} lines) this scrape exports. */
  public List<String> names() {
    return text.lines().filter(l -> l.startsWith("# TYPE ")).map(l -> l.split(" ")[2]).toList();
  }
}
