package dev.remoteclaude.cli.config;

import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/**
 * Where to talk to and as whom, resolved with the precedence flag &gt; environment ({@code
 * RCLAUDE_URL}, {@code RCLAUDE_TOKEN}) &gt; config file, each value on its own.
 *
 * @param urlSource and {@code tokenSource}: where each value came from ("--url", "RCLAUDE_URL", the
 *     config file's path), for messages
 */
public record Connection(URI baseUrl, String token, String urlSource, String tokenSource) {

  public static final String URL_VARIABLE = "RCLAUDE_URL";
  public static final String TOKEN_VARIABLE = "RCLAUDE_TOKEN";

  /** Resolves URL and token; fails with exit code 3 (not logged in) when one is missing. */
  public static Connection resolve(
      String urlFlag, String tokenFlag, Map<String, String> env, ConfigFile file) {
    StoredConfig stored = null;
    String url;
    String urlSource;
    if (present(urlFlag)) {
      url = urlFlag;
      urlSource = "--url";
    } else if (present(env.get(URL_VARIABLE))) {
      url = env.get(URL_VARIABLE);
      urlSource = URL_VARIABLE;
    } else {
      stored = file.read();
      url = stored.url();
      urlSource = file.path().toString();
    }
    String token;
    String tokenSource;
    if (present(tokenFlag)) {
      token = tokenFlag;
      tokenSource = "--token";
    } else if (present(env.get(TOKEN_VARIABLE))) {
      token = env.get(TOKEN_VARIABLE);
      tokenSource = TOKEN_VARIABLE;
    } else {
      if (stored == null) {
        stored = file.read();
      }
      token = stored.token();
      tokenSource = file.path().toString();
    }
    if (!present(url)) {
      throw new CliException(
          ExitCodes.AUTH,
          "not logged in: no platform URL (run `rclaude login --url URL --token TOKEN`, or set "
              + URL_VARIABLE
              + ")");
    }
    if (!present(token)) {
      throw new CliException(
          ExitCodes.AUTH,
          "not logged in: no token (run `rclaude login`, or set " + TOKEN_VARIABLE + ")");
    }
    return new Connection(parseUrl(url), token.strip(), urlSource, tokenSource);
  }

  /** A base URL: http(s), with a host; a trailing slash or path is kept as the API's prefix. */
  public static URI parseUrl(String raw) {
    String value = raw.strip();
    try {
      URI uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        throw new CliException(
            ExitCodes.USAGE, "the URL must look like http(s)://host[:port], not '" + raw + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new CliException(ExitCodes.USAGE, "'" + raw + "' is not a URL");
    }
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  @Override
  public String toString() {
    return "Connection[" + baseUrl + ", token from " + tokenSource + "]";
  }
}
