package dev.remoteclaude.launcher;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web dashboard (module {@code dashboard}, on the launcher's classpath) served by the edge at
 * {@code /}: {@code /} is its page, {@code /<name>.<js|css|svg|html>} its other files. Only those
 * names are looked up (no directories, no dots in names), so nothing else on the classpath is
 * reachable. Every answer carries a Content-Security-Policy that allows scripts, styles and
 * connections to this origin only: text shown by the page never runs as code.
 *
 * <p>{@code /config.json} tells the page how to sign in: the file the launcher writes into the
 * platform's home ({@link #LOCAL_CONFIG}: paste a token of the local key), or one naming an OIDC
 * issuer and client id ({@code {"mode":"oidc","issuer":…,"clientId":…}}, as Kubernetes mounts it
 * from a ConfigMap). It is read on every request, so a changed file takes effect at once; the
 * policy then also lets the page connect to the issuer's origin (discovery, the token endpoint).
 */
final class DashboardFiles {

  static final String ROOT = "dev/remoteclaude/dashboard/static/";

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none';"
          + " frame-ancestors 'none'; form-action 'self'";

  /** The sign-in of the local platform: a token of the launcher's key. */
  static final String LOCAL_CONFIG = "{\"mode\":\"local\"}";

  private static final Pattern NAME = Pattern.compile("^/([a-z0-9-]+)\\.(html|js|css|svg)$");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml");

  private final ClassLoader loader;
  private final Optional<Path> config;
  private final Map<String, Optional<Buffer>> cache = new ConcurrentHashMap<>();

  /**
   * {@code config}: the file served as {@code /config.json}; without one, {@link #LOCAL_CONFIG}.
   */
  DashboardFiles(ClassLoader loader, Optional<Path> config) {
    this.loader = loader;
    this.config = config;
  }

  /** Answers the request when it asks for one of the dashboard's files; false otherwise. */
  boolean serve(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      return false;
    }
    JsonObject settings = settings();
    String policy = policy(settings);
    if (request.path().equals("/config.json")) {
      answer(request, "application/json", policy, settings.toBuffer());
      return true;
    }
    String path = request.path().equals("/") ? "/index.html" : request.path();
    Matcher name = NAME.matcher(path);
    if (!name.matches()) {
      return false;
    }
    Optional<Buffer> content = cache.computeIfAbsent(path, p -> read(ROOT + p.substring(1)));
    if (content.isEmpty()) {
      return false;
    }
    answer(request, TYPES.get(name.group(2)), policy, content.get());
    return true;
  }

  private static void answer(
      HttpServerRequest request, String type, String policy, Buffer content) {
    request
        .response()
        .putHeader("content-type", type)
        .putHeader("content-security-policy", policy)
        .putHeader("x-content-type-options", "nosniff")
        // The sign-in's answer (?code=…&state=…) is in the page's address: never sent on.
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("cache-control", "no-cache");
    if (request.method() == HttpMethod.HEAD) {
      request.response().putHeader("content-length", String.valueOf(content.length())).end();
    } else {
      request.response().end(content);
    }
  }

  /**
   * The sign-in settings: the configured file, or {@link #LOCAL_CONFIG} when there is none or it is
   * not a JSON object (the page then offers the key sign-in).
   */
  JsonObject settings() {
    if (config.isEmpty()) {
      return new JsonObject(LOCAL_CONFIG);
    }
    try {
      return new JsonObject(Files.readString(config.get()));
    } catch (NoSuchFileException | DecodeException | ClassCastException e) {
      return new JsonObject(LOCAL_CONFIG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The policy, letting the page connect to the OIDC issuer's origin when one is configured. */
  static String policy(JsonObject settings) {
    if (!"oidc".equals(settings.getValue("mode"))
        || !(settings.getValue("issuer") instanceof String)) {
      return CONTENT_SECURITY_POLICY;
    }
    try {
      URI issuer = new URI(settings.getString("issuer"));
      // Only a plain scheme://host[:port] goes into the header (nothing that could end a
      // directive).
      if (issuer.getScheme() == null
          || !issuer.getScheme().matches("https?")
          || issuer.getHost() == null
          || !issuer.getHost().matches("[A-Za-z0-9.-]+")) {
        return CONTENT_SECURITY_POLICY;
      }
      String origin =
          issuer.getScheme()
              + "://"
              + issuer.getHost()
              + (issuer.getPort() == -1 ? "" : ":" + issuer.getPort());
      return CONTENT_SECURITY_POLICY.replace(
          "connect-src 'self' ws: wss:", "connect-src 'self' " + origin + " ws: wss:");
    } catch (URISyntaxException e) {
      return CONTENT_SECURITY_POLICY;
    }
  }

  private Optional<Buffer> read(String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
