package dev.remoteclaude.gateway.provider;

import dev.remoteclaude.common.problem.ProblemException;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Provider failures seen by REST callers, translated into the platform's problems (and then
 * rendered by rc-common's mapper): a bad path is the caller's 400, a missing file 404, an open
 * circuit breaker or a full bulkhead a fast 503.
 */
public class ProviderProblems {

  private final dev.remoteclaude.common.problem.ProblemMapper problems =
      new dev.remoteclaude.common.problem.ProblemMapper();

  @ServerExceptionMapper
  public org.jboss.resteasy.reactive.RestResponse<?> provider(ProviderException e, UriInfo uri) {
    ProblemException problem =
        switch (e.kind()) {
          case INVALID -> ProblemException.badRequest("path", e.getMessage());
          case NOT_FOUND ->
              ProblemException.notFound(
                  e.getMessage().startsWith("no such file") ? "file" : "sandbox");
          case BUSY -> ProblemException.tooManyRequests(e.getMessage(), java.util.Map.of());
          case UNAVAILABLE ->
              ProblemException.unavailable("the sandbox provider is unavailable; try again later");
        };
    return problems.domain(problem, uri);
  }

  @ServerExceptionMapper({CircuitBreakerOpenException.class, BulkheadException.class})
  public org.jboss.resteasy.reactive.RestResponse<?> open(RuntimeException e, UriInfo uri) {
    return problems.domain(
        ProblemException.unavailable(
            "the sandbox provider is failing and calls to it are paused for a moment; try again shortly"),
        uri);
  }

  @ServerExceptionMapper
  public org.jboss.resteasy.reactive.RestResponse<?> timeout(TimeoutException e, UriInfo uri) {
    return problems.domain(
        ProblemException.unavailable("the sandbox provider did not answer in time"), uri);
  }
}
