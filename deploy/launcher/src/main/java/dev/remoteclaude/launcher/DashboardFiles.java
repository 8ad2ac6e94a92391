package dev.remoteclaude.launcher;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 */
final class DashboardFiles {

  static final String ROOT = "dev/remoteclaude/dashboard/static/";

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none';"
          + " frame-ancestors 'none'; form-action 'self'";

  private static final Pattern NAME = Pattern.compile("^/([a-z0-9-]+)\\.(html|js|css|svg)$");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml");

  private final ClassLoader loader;
  private final Map<String, Optional<Buffer>> cache = new ConcurrentHashMap<>();

  DashboardFiles(ClassLoader loader) {
    this.loader = loader;
  }

  /** Answers the request when it asks for one of the dashboard's files; false otherwise. */
  boolean serve(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      return false;
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
    request
        .response()
        .putHeader("content-type", TYPES.get(name.group(2)))
        .putHeader("content-security-policy", CONTENT_SECURITY_POLICY)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("cache-control", "no-cache");
    if (request.method() == HttpMethod.HEAD) {
      request.response().putHeader("content-length", String.valueOf(content.get().length())).end();
    } else {
      request.response().end(content.get());
    }
    return true;
  }

  private Optional<Buffer> read(String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
