package dev.remoteclaude.common.audit;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.events.AuditRecorded;
import dev.remoteclaude.common.outbox.Outbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Records every authenticated call that can change something ({@code POST}, {@code PUT}, {@code
 * PATCH}, {@code DELETE}) on the audit trail, with its outcome, once the answer is known: who (the
 * token's subject), what (the method and the route's template, the route's parameters), when, from
 * where (the client's address as the edge saw it, and its User-Agent) and the status it was
 * answered. Request and response bodies are never read, so no secret a call carried reaches the
 * trail.
 *
 * <p>The record is written to the service's outbox in a statement of its own, before the answer
 * leaves, and published like every event. Calls the rate limit refused (429) are not recorded. A
 * record that cannot be written (the database failing at that moment) is logged without its details
 * and counted ({@code rc_audit_failures_total}); the user's answer is not changed by it.
 */
public class AuditFilter {

  private static final Set<String> CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final int MAX_USER_AGENT = 200;
  private static final int MAX_TARGET_VALUE = 200;
  private static final int TOO_MANY_REQUESTS = 429;

  private final Outbox outbox;
  private final CurrentIdentityAssociation identities;
  private final AuditConfig config;
  private final String service;
  private final Counter failures;

  public AuditFilter(
      Outbox outbox,
      CurrentIdentityAssociation identities,
      AuditConfig config,
      MeterRegistry registry,
      @ConfigProperty(name = "quarkus.application.name") String service) {
    this.outbox = outbox;
    this.identities = identities;
    this.config = config;
    this.service = service;
    this.failures =
        Counter.builder("rc.audit.failures")
            .description("Audit records that could not be written")
            .register(registry);
  }

  @ServerResponseFilter
  public Uni<Void> record(
      ContainerRequestContext request,
      ContainerResponseContext response,
      ResourceInfo resource,
      HttpServerRequest http) {
    Method method = resource == null ? null : resource.getResourceMethod();
    if (!config.enabled() || method == null || !CHANGING.contains(request.getMethod())) {
      return Uni.createFrom().voidItem();
    }
    if (response.getStatus() == TOO_MANY_REQUESTS) {
      // A call the rate limit refused changed nothing, and recording each one would give a
      // user over the limit the very writes (outbox, Kafka, the trail) the limit holds back.
      return Uni.createFrom().voidItem();
    }
    String action = request.getMethod() + " " + template(resource);
    return identities
        .getDeferredIdentity()
        .onFailure()
        .recoverWithNull()
        .chain(
            identity -> {
              String user = userOf(identity);
              if (user == null) {
                return Uni.createFrom().voidItem();
              }
              int status = response.getStatus();
              AuditRecorded record =
                  new AuditRecorded(
                      action,
                      target(request, response),
                      status,
                      AuditRecorded.outcomeOf(status),
                      service,
                      http == null || http.remoteAddress() == null
                          ? null
                          : http.remoteAddress().hostAddress(),
                      userAgent(request.getHeaderString("User-Agent")),
                      Instant.now());
              return outbox.emitOnItsOwn(record, user, user).replaceWithVoid();
            })
        // Whatever fails (building the record, writing it), the user's answer stands.
        .onFailure()
        .recoverWithItem(
            failure -> {
              failures.increment();
              Log.warnf(
                  "an audit record of %s could not be written: %s",
                  action, failure.getClass().getSimpleName());
              return null;
            });
  }

  private static String userOf(SecurityIdentity identity) {
    if (identity == null || identity.isAnonymous()) {
      return null;
    }
    try {
      return CurrentUser.userId(identity);
    } catch (RuntimeException notAUser) {
      return null;
    }
  }

  /** The route as written on the resource, e.g. {@code /api/v1/sessions/{id}/pause}. */
  static String template(ResourceInfo resource) {
    Path onClass = resource.getResourceClass().getAnnotation(Path.class);
    Path onMethod = resource.getResourceMethod().getAnnotation(Path.class);
    String joined =
        (onClass == null ? "" : onClass.value()) + "/" + (onMethod == null ? "" : onMethod.value());
    String path = joined.replaceAll("/+", "/");
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * The route's parameters, and for a call that created something (an answer with a {@code
   * Location}) the created resource's id as {@code created}.
   */
  private static Map<String, String> target(
      ContainerRequestContext request, ContainerResponseContext response) {
    Map<String, String> target = new TreeMap<>();
    request
        .getUriInfo()
        .getPathParameters()
        .forEach(
            (name, values) -> target.put(name, shorten(values.isEmpty() ? "" : values.getFirst())));
    java.net.URI location = response.getLocation();
    if (location != null && location.getPath() != null) {
      String path = location.getPath();
      String created = path.substring(path.lastIndexOf('/') + 1);
      if (!created.isEmpty()) {
        target.put("created", created);
      }
    }
    return target;
  }

  private static String shorten(String value) {
    return value.length() > MAX_TARGET_VALUE ? value.substring(0, MAX_TARGET_VALUE) : value;
  }

  private static String userAgent(String header) {
    if (header == null) {
      return null;
    }
    String clean = header.replaceAll("\\p{Cntrl}", "");
    return clean.length() > MAX_USER_AGENT ? clean.substring(0, MAX_USER_AGENT) : clean;
  }
}
