package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.config.ConfigFile;
import dev.remoteclaude.cli.config.Connection;
import dev.remoteclaude.cli.config.StoredConfig;
import dev.remoteclaude.cli.render.Format;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rclaude login}: checks the URL and token against the platform, then stores them. */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Store the platform's URL and a bearer token (config file, mode 0600).",
      "The token comes from --token, RCLAUDE_TOKEN, --token-stdin, or a prompt; it is checked"
          + " against the platform first unless --no-verify."
    },
    footer = {
      "",
      "Examples:",
      "  rclaude login --url http://localhost:8080 --token \"$(./rc token alice)\"",
      "  ./rc token alice | rclaude login --url http://localhost:8080 --token-stdin"
    })
public final class LoginCommand implements Callable<Integer> {

  private final CliContext context;

  @Option(names = "--token-stdin", description = "read the token from the first line of stdin")
  boolean tokenFromStdin;

  @Option(names = "--no-verify", description = "store without checking against the platform")
  boolean noVerify;

  LoginCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    ConfigFile file = context.configFile();
    StoredConfig stored = file.read();
    String url = first(context.urlFlag(), context.env().get(Connection.URL_VARIABLE), stored.url());
    if (url == null) {
      throw new CliException(
          ExitCodes.USAGE, "give the platform's URL: rclaude login --url http://localhost:8080");
    }
    URI baseUrl = Connection.parseUrl(url);
    String token = first(context.tokenFlag(), context.env().get(Connection.TOKEN_VARIABLE), null);
    if (token == null && tokenFromStdin) {
      token = readLine();
    }
    if (token == null && context.terminal() && System.console() != null) {
      char[] typed = System.console().readPassword("Token for %s: ", baseUrl);
      token = typed == null ? null : new String(typed).strip();
    }
    if (token == null || token.isBlank()) {
      throw new CliException(
          ExitCodes.USAGE,
          "give a token: --token TOKEN, --token-stdin, or RCLAUDE_TOKEN (locally: ./rc token)");
    }
    String subject = null;
    Instant expires = null;
    JsonNode claims = jwtClaims(token);
    if (claims != null) {
      subject = Json.text(claims, "sub");
      if (claims.path("exp").canConvertToLong()) {
        expires = Instant.ofEpochSecond(claims.path("exp").asLong());
      }
    }
    if (expires != null && expires.isBefore(context.clock().instant())) {
      throw new CliException(
          ExitCodes.AUTH,
          "the token expired " + Format.relative(expires, context.clock().instant()));
    }
    if (!noVerify) {
      Api api = new Api(context.http(), new Connection(baseUrl, token, "login", "login"));
      api.get("/api/v1/sessions?size=1");
    }
    file.write(new StoredConfig(baseUrl.toString(), token));
    if (context.json()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("url", baseUrl.toString());
      result.put("user", subject);
      result.put("expiresAt", expires == null ? null : expires.toString());
      result.put("config", file.path().toString());
      result.put("verified", !noVerify);
      context.printJson(result);
    } else {
      context
          .out()
          .println(
              (noVerify ? "Saved login for " : "Logged in to ")
                  + baseUrl
                  + (subject == null ? "" : " as " + subject)
                  + (expires == null
                      ? ""
                      : " (token expires "
                          + Format.relative(expires, context.clock().instant())
                          + ")")
                  + ".");
      context.out().println("Saved to " + file.path() + " (readable by you only).");
    }
    String envToken = context.env().get(Connection.TOKEN_VARIABLE);
    if (envToken != null && !envToken.isBlank() && !envToken.strip().equals(token)) {
      context.err().println("note: RCLAUDE_TOKEN is set; it still overrides the saved token");
    }
    return ExitCodes.OK;
  }

  private String readLine() {
    try {
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8));
      String line = reader.readLine();
      return line == null ? null : line.strip();
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.FAILED, "cannot read the token from stdin: " + e.getMessage());
    }
  }

  /** The claims of a JWT (not verified: only to say who and until when), or null. */
  static JsonNode jwtClaims(String token) {
    String[] parts = token.split("\\.");
    if (parts.length != 3) {
      return null;
    }
    try {
      byte[] json = Base64.getUrlDecoder().decode(parts[1]);
      JsonNode claims = Json.parseOrNull(new String(json, StandardCharsets.UTF_8));
      return claims != null && claims.isObject() ? claims : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String first(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return null;
  }
}
