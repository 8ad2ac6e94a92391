package dev.remoteclaude.common.ratelimit;

import dev.remoteclaude.common.auth.CurrentUser;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Applies {@link RateLimited} to REST calls: a call over the user's limit answers 429 problem+json
 * with {@code Retry-After}; every answer to a limited call carries the {@code RateLimit-Policy} and
 * {@code RateLimit} headers. Anonymous calls are left to authentication (401), which never charges
 * a bucket.
 */
public class RateLimitFilter {

  private static final String DECISION = RateLimitFilter.class.getName() + ".decision";

  private final RateLimiter limiter;
  private final CurrentIdentityAssociation identities;

  public RateLimitFilter(RateLimiter limiter, CurrentIdentityAssociation identities) {
    this.limiter = limiter;
    this.identities = identities;
  }

  @ServerRequestFilter
  public Uni<Response> limit(ContainerRequestContext request, ResourceInfo resource) {
    Method method = resource.getResourceMethod();
    RateLimited limited = method == null ? null : method.getAnnotation(RateLimited.class);
    if (limited == null || !limiter.enabled()) {
      return Uni.createFrom().nullItem();
    }
    return identities
        .getDeferredIdentity()
        .chain(
            identity -> {
              if (identity == null || identity.isAnonymous()) {
                return Uni.createFrom().nullItem();
              }
              return limiter
                  .take(CurrentUser.userId(identity), limited.value())
                  .chain(
                      decision -> {
                        request.setProperty(DECISION, decision);
                        return decision.allowed()
                            ? Uni.createFrom().<Response>nullItem()
                            : Uni.createFrom().<Response>failure(decision.problem());
                      });
            });
  }

  @ServerResponseFilter
  public void headers(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getProperty(DECISION) instanceof RateDecision decision) {
      response.getHeaders().putSingle(RateDecision.POLICY_HEADER, decision.policyHeader());
      response.getHeaders().putSingle(RateDecision.LIMIT_HEADER, decision.limitHeader());
    }
  }
}
