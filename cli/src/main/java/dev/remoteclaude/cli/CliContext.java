package dev.remoteclaude.cli;

import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.config.ConfigFile;
import dev.remoteclaude.cli.config.Connection;
import dev.remoteclaude.cli.render.Style;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Everything one run of the CLI works with: its streams, environment, clock, Ctrl-C, the global
 * options, and (made on first use) the connection to the platform. Commands get it through their
 * constructor; nothing in the CLI reads {@code System.getenv} or {@code System.out} directly, so
 * tests run it in-process.
 */
public final class CliContext {

  private final PrintStream out;
  private final PrintStream err;
  private final InputStream in;
  private final Map<String, String> env;
  private final Clock clock;
  private final ZoneId zone;
  private final Interruption interruption;
  private final boolean terminal;

  private String urlFlag;
  private String tokenFlag;
  private Path configFlag;
  private OutputFormat output = OutputFormat.text;
  private boolean noColor;
  private HttpClient http;
  private ExecutorService httpThreads;
  private Api api;

  CliContext(
      PrintStream out,
      PrintStream err,
      InputStream in,
      Map<String, String> env,
      Clock clock,
      Interruption interruption,
      boolean terminal) {
    this.out = out;
    this.err = err;
    this.in = in;
    this.env = Map.copyOf(env);
    this.clock = clock;
    this.zone = clock.getZone();
    this.interruption = interruption;
    this.terminal = terminal;
  }

  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }

  public InputStream in() {
    return in;
  }

  public Map<String, String> env() {
    return env;
  }

  public Clock clock() {
    return clock;
  }

  public ZoneId zone() {
    return zone;
  }

  public Interruption interruption() {
    return interruption;
  }

  /** Whether stdout is an interactive terminal (colours, prompts). */
  public boolean terminal() {
    return terminal;
  }

  public boolean json() {
    return output == OutputFormat.json;
  }

  public String urlFlag() {
    return urlFlag;
  }

  public String tokenFlag() {
    return tokenFlag;
  }

  void urlFlag(String url) {
    this.urlFlag = url;
  }

  void tokenFlag(String token) {
    this.tokenFlag = token;
  }

  void configFlag(Path path) {
    this.configFlag = path;
  }

  void output(OutputFormat format) {
    this.output = format;
  }

  void noColor(boolean noColor) {
    this.noColor = noColor;
  }

  /** Unicode symbols if stdout can show them; colour only on a terminal without NO_COLOR. */
  public Style style() {
    boolean unicode =
        out.charset().equals(StandardCharsets.UTF_8) || out.charset().name().startsWith("UTF-");
    boolean color =
        terminal
            && !noColor
            && env.get("NO_COLOR") == null
            && !"dumb".equals(env.get("TERM"))
            && !json();
    return new Style(unicode, color);
  }

  public ConfigFile configFile() {
    return ConfigFile.locate(configFlag, env);
  }

  public HttpClient http() {
    if (http == null) {
      httpThreads =
          Executors.newCachedThreadPool(
              Thread.ofPlatform().name("rclaude-http-", 0).daemon(true).factory());
      http = Api.newHttpClient(httpThreads);
    }
    return http;
  }

  /** Releases the HTTP client and its threads (a run in-process leaves nothing behind). */
  void close() {
    if (http != null) {
      http.shutdownNow();
      httpThreads.shutdownNow();
      http = null;
      api = null;
    }
  }

  /** The platform's API with the resolved URL and token; fails (exit 3) when not logged in. */
  public Api api() {
    if (api == null) {
      ConfigFile file = configFile();
      Connection connection = Connection.resolve(urlFlag, tokenFlag, env, file);
      if (connection.tokenSource().equals(file.path().toString()) && file.tooOpen()) {
        err.println(
            "warning: "
                + file.path()
                + " can be read by other users; fix it with: chmod 600 "
                + file.path());
      }
      api = new Api(http(), connection);
    }
    return api;
  }

  /** Prints a value as pretty JSON on stdout. */
  public void printJson(Object value) {
    out.println(Json.pretty(value));
  }
}
