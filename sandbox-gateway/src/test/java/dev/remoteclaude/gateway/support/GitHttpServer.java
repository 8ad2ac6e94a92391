package dev.remoteclaude.gateway.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A private git server for tests: git's own smart-HTTP backend ({@code git http-backend}, as CGI)
 * behind HTTP basic authentication, as GitHub asks for a token over HTTPS.
 */
public final class GitHttpServer implements AutoCloseable {

  private final HttpServer server;
  private final Path root;
  private final String token;
  private final Set<String> stalled = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile int failWith;

  private GitHttpServer(HttpServer server, Path root, String token) {
    this.server = server;
    this.root = root;
    this.token = token;
  }

  /** Serves the repositories under {@code root} to anyone presenting {@code token}. */
  public static GitHttpServer start(Path root, String token) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      GitHttpServer git = new GitHttpServer(server, root, token);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/", git::handle);
      server.start();
      return git;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The clone URL of a repository directory under the root. */
  public String url(String repository) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + repository;
  }

  /**
   * The repository's refs are advertised, but its packs (every POST) get no answer until the server
   * closes: a host that is up, packing a huge repository or taking a huge push.
   */
  public GitHttpServer stall(String repository) {
    stalled.add("/" + repository + "/");
    return this;
  }

  /** Every request is answered with {@code status} and no body: a host in trouble. */
  public GitHttpServer failWith(int status) {
    failWith = status;
    return this;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (failWith > 0) {
        exchange.sendResponseHeaders(failWith, -1);
        return;
      }
      String expected =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"git\"");
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (exchange.getRequestMethod().equals("POST")
          && stalled.stream().anyMatch(path::startsWith)) {
        try {
          closed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      ProcessBuilder cgi = new ProcessBuilder("git", "http-backend");
      Map<String, String> env = cgi.environment();
      env.put("GIT_PROJECT_ROOT", root.toString());
      env.put("GIT_HTTP_EXPORT_ALL", "1");
      env.put("REQUEST_METHOD", exchange.getRequestMethod());
      env.put("PATH_INFO", exchange.getRequestURI().getPath());
      env.put(
          "QUERY_STRING",
          exchange.getRequestURI().getRawQuery() == null
              ? ""
              : exchange.getRequestURI().getRawQuery());
      String type = exchange.getRequestHeaders().getFirst("Content-Type");
      env.put("CONTENT_TYPE", type == null ? "" : type);
      String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
      if (encoding != null) {
        env.put("HTTP_CONTENT_ENCODING", encoding);
      }
      env.put("REMOTE_USER", "x-access-token");
      env.put("REMOTE_ADDR", "127.0.0.1");
      Process process = cgi.start();
      try (OutputStream in = process.getOutputStream();
          InputStream body = exchange.getRequestBody()) {
        body.transferTo(in);
      }
      byte[] output = process.getInputStream().readAllBytes();
      int split = indexOf(output, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      int skip = 4;
      if (split < 0) {
        split = indexOf(output, "\n\n".getBytes(StandardCharsets.US_ASCII));
        skip = 2;
      }
      String headers = new String(output, 0, Math.max(split, 0), StandardCharsets.US_ASCII);
      int status = 200;
      for (String line : headers.split("\r?\n")) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Status")) {
          status = Integer.parseInt(value.split(" ")[0]);
        } else {
          exchange.getResponseHeaders().add(name, value);
        }
      }
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      content.write(output, split + skip, output.length - split - skip);
      exchange.sendResponseHeaders(status, content.size() == 0 ? -1 : content.size());
      exchange.getResponseBody().write(content.toByteArray());
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
  }
}
