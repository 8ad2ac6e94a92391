package dev.remoteclaude.gateway.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.problem.Problem;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.gateway.config.GatewayConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Bounds the memory request bodies take: the REST layer buffers a body whole before a resource sees
 * it (file uploads up to {@code gateway.files.max-bytes}, any body up to the HTTP limit), so only
 * {@code gateway.uploads.max-concurrent} requests with a large body (over {@code
 * gateway.uploads.large-bytes}, or of unknown length) are let through at once. The others are
 * refused before their body is read, with 503 problem+json and Retry-After. A permit is returned
 * when the response ends or the connection closes, whichever comes first.
 */
@ApplicationScoped
public class LargeRequests {

  /** Ahead of every other route: the body must not have been read yet. */
  static final int ORDER = -10_000;

  private static final String TYPE = "https://remote-claude.dev/problems/unavailable";

  private final GatewayConfig config;
  private final long maxBodyBytes;
  private final Semaphore permits;

  public LargeRequests(
      GatewayConfig config,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
          MemorySize maxBody) {
    this.config = config;
    this.maxBodyBytes = maxBody.asLongValue();
    this.permits = new Semaphore(config.uploads().maxConcurrent());
  }

  void install(@Observes Router router) {
    router.route().order(ORDER).handler(this::handle);
  }

  /** Large requests being handled now. */
  public int inProgress() {
    return config.uploads().maxConcurrent() - permits.availablePermits();
  }

  private void handle(RoutingContext context) {
    if (!isLarge(context.request())) {
      context.next();
      return;
    }
    if (!permits.tryAcquire()) {
      refuse(context);
      return;
    }
    AtomicBoolean held = new AtomicBoolean(true);
    Runnable release =
        () -> {
          if (held.compareAndSet(true, false)) {
            permits.release();
          }
        };
    // called when the response ends, fails, or its connection closes
    context.addEndHandler(done -> release.run());
    context.next();
  }

  private boolean isLarge(HttpServerRequest request) {
    HttpMethod method = request.method();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      // chunked: of unknown length, as large as the HTTP limit lets it be
      return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }
    try {
      long bytes = Long.parseLong(length.trim());
      // A body over the HTTP limit is refused (413) without being read: it takes no place, and
      // that refusal ends the exchange without the route's end handlers, so a place taken would
      // never be given back.
      return bytes > config.uploads().largeBytes().asLongValue() && bytes <= maxBodyBytes;
    } catch (NumberFormatException e) {
      return false; // the HTTP layer refuses it
    }
  }

  private void refuse(RoutingContext context) {
    long seconds = Math.max(1, config.uploads().retryAfter().toSeconds());
    Problem problem =
        new Problem(
            TYPE,
            "Service Unavailable",
            503,
            "too many large requests are being handled; try again shortly",
            context.request().path(),
            null,
            Map.of(ProblemException.RETRY_AFTER, seconds));
    String body;
    try {
      body = EventCodec.mapper().writeValueAsString(problem);
    } catch (JsonProcessingException e) {
      body = "{\"status\":503}";
    }
    context
        .response()
        .setStatusCode(503)
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .putHeader("Retry-After", Long.toString(seconds))
        // the body is not read: the connection cannot carry another request after this one
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(body);
  }
}
