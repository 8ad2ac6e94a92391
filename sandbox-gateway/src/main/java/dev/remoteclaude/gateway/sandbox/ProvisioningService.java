package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.observability.Traces;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.announce.Announcer.Entry;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.work.Lease;
import dev.remoteclaude.gateway.work.LeasedJob;
import dev.remoteclaude.gateway.work.LeasedWork;
import dev.remoteclaude.gateway.work.WorkKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a session request into a ready sandbox ({@link SandboxPreparation} does the provider's
 * steps), then announces {@code SandboxProvisioned} — or {@code SandboxFailed} with a reason a user
 * can act on.
 *
 * <p>The request is recorded (sandbox row PROVISIONING) in the transaction that consumes the event;
 * the work is leased work: one live instance claims the row and provisions it, and if that instance
 * dies, another claims it and starts over.
 */
@ApplicationScoped
public class ProvisioningService implements LeasedJob {

  public static final WorkKind KIND =
      new WorkKind("provisioning", "sandbox", "session_id", "state = 'PROVISIONING'");

  private final SandboxRepository sandboxes;
  private final SandboxRequests requests;
  private final SandboxPreparation preparation;
  private final Announcer announcer;
  private final LeasedWork work;
  private final Tracer tracer;
  private final MeterRegistry registry;

  public ProvisioningService(
      SandboxRepository sandboxes,
      SandboxRequests requests,
      SandboxPreparation preparation,
      Announcer announcer,
      LeasedWork work,
      Tracer tracer,
      MeterRegistry registry) {
    this.sandboxes = sandboxes;
    this.requests = requests;
    this.preparation = preparation;
    this.announcer = announcer;
    this.work = work;
    this.tracer = tracer;
    this.registry = registry;
  }

  @Override
  public WorkKind kind() {
    return KIND;
  }

  /**
   * Records a session request (inside the consuming transaction). A repeated request for a sandbox
   * that is being provisioned changes nothing; one for a ready sandbox is answered again.
   */
  public Uni<Void> request(EventEnvelope envelope, SessionRequested request) {
    UUID sessionId = envelope.sessionId();
    return sandboxes
        .lock(sessionId)
        .chain(
            existing -> {
              if (existing != null && !existing.ownerId.equals(envelope.userId())) {
                Log.warnf(
                    "session %s: refused a request from a user who does not own the sandbox",
                    sessionId);
                return Uni.createFrom().voidItem();
              }
              if (existing != null && existing.state == SandboxState.READY) {
                return announcer.emit(
                    sessionId,
                    existing.ownerId,
                    new SandboxProvisioned(existing.provider, existing.providerId, Instant.now()));
              }
              if (existing != null
                  && (existing.state == SandboxState.PROVISIONING
                      || existing.state == SandboxState.PAUSED
                      || existing.state == SandboxState.TERMINATED)) {
                Log.debugf("session %s: request ignored in state %s", sessionId, existing.state);
                return Uni.createFrom().voidItem();
              }
              Sandbox sandbox = existing == null ? new Sandbox() : existing;
              Instant now = Instant.now();
              sandbox.sessionId = sessionId;
              sandbox.ownerId = envelope.userId();
              sandbox.provider = preparation.providerFor(request);
              sandbox.state = SandboxState.PROVISIONING;
              sandbox.repositoryUrl = request.repositoryUrl();
              sandbox.branch = request.branch();
              sandbox.requestEventId = envelope.id();
              String trace = Traces.currentTraceparent();
              sandbox.traceparent = trace != null ? trace : envelope.traceparent();
              sandbox.restoreSnapshotId = request.restoreSnapshotId();
              sandbox.failureCode = null;
              sandbox.failureReason = null;
              sandbox.worker = null;
              if (existing == null) {
                sandbox.createdAt = now;
              }
              sandbox.updatedAt = now;
              return sandboxes
                  .persistAndFlush(sandbox)
                  .chain(() -> requests.save(sessionId, request))
                  .chain(
                      () ->
                          announcer.log(
                              sessionId,
                              Entry.of(
                                  LogTypes.SANDBOX_PROGRESS,
                                  Map.of(
                                      "step",
                                      existing == null ? "requested" : "reprovisioning",
                                      "provider",
                                      sandbox.provider))))
                  .chain(() -> work.offer(KIND));
            });
  }

  private record Work(Sandbox sandbox, SessionRequested request) {}

  /** Provisions a claimed sandbox. */
  @Override
  public Uni<Void> run(Lease lease) {
    UUID sessionId = lease.key();
    return Panache.withSession(() -> sandboxes.findById(sessionId))
        .chain(
            sandbox ->
                requests.find(sessionId).map(request -> new Work(sandbox, request.orElse(null))))
        .chain(
            work -> {
              if (work.sandbox() == null
                  || work.sandbox().state != SandboxState.PROVISIONING
                  || work.request() == null) {
                return Uni.createFrom().voidItem();
              }
              Sandbox sandbox = work.sandbox();
              // Continues the trace of the request that asked for the sandbox (the worker runs it
              // later, outside that request): the announcement below carries it on.
              Span span =
                  tracer
                      .spanBuilder("sandbox provision")
                      .setParent(Traces.parent(sandbox.traceparent))
                      .setAttribute("rc.provider", sandbox.provider)
                      .startSpan();
              Context trace = Context.current().with(span);
              Timer.Sample started = Timer.start(registry);
              return preparation
                  .prepare(sandbox, work.request())
                  .chain(providerId -> ready(sessionId, providerId, trace))
                  .invoke(() -> provisioned(started, sandbox.provider, "ready"))
                  .onFailure()
                  .recoverWithUni(
                      failure -> {
                        span.setStatus(StatusCode.ERROR);
                        return fail(sandbox, failure, trace, started);
                      })
                  .onTermination()
                  .invoke(span::end);
            });
  }

  /**
   * Counts a provisioning that ended ({@code rc_sandbox_provisioning_seconds}, by provider and
   * outcome: {@code ready} or the SandboxFailed code).
   */
  private void provisioned(Timer.Sample started, String provider, String outcome) {
    started.stop(
        Timer.builder("rc.sandbox.provisioning")
            .description("Time to provision a sandbox, by provider and outcome")
            .tag("provider", provider)
            .tag("outcome", outcome)
            .publishPercentileHistogram()
            .register(registry));
  }

  private Uni<Void> ready(UUID sessionId, String providerId, Context trace) {
    return Panache.withTransaction(
        () ->
            sandboxes
                .lock(sessionId)
                .chain(
                    s -> {
                      if (s.state != SandboxState.PROVISIONING) {
                        return Uni.createFrom().voidItem();
                      }
                      s.state = SandboxState.READY;
                      s.worker = null;
                      s.updatedAt = Instant.now();
                      try (Scope ignored = trace.makeCurrent()) {
                        return announcer.announce(
                            sessionId,
                            s.ownerId,
                            new SandboxProvisioned(s.provider, providerId, Instant.now()),
                            Entry.of(LogTypes.SANDBOX_READY, Map.of("provider", s.provider)));
                      }
                    }));
  }

  private Uni<Void> fail(Sandbox sandbox, Throwable failure, Context trace, Timer.Sample started) {
    ProvisioningFailure reason = ProvisioningFailure.of(sandbox.provider, failure);
    provisioned(started, sandbox.provider, reason.code());
    UUID sessionId = sandbox.sessionId;
    Log.infof(
        "session %s: provisioning failed (%s): %s", sessionId, reason.code(), reason.getMessage());
    return Panache.withTransaction(
            () ->
                sandboxes
                    .lock(sessionId)
                    .chain(
                        s -> {
                          if (s == null || s.state != SandboxState.PROVISIONING) {
                            return Uni.createFrom().<Sandbox>nullItem();
                          }
                          s.state = SandboxState.FAILED;
                          s.failureCode = reason.code();
                          s.failureReason = reason.getMessage();
                          s.worker = null;
                          s.updatedAt = Instant.now();
                          try (Scope ignored = trace.makeCurrent()) {
                            return announcer
                                .announce(
                                    sessionId,
                                    s.ownerId,
                                    new SandboxFailed(
                                        reason.code(), reason.getMessage(), Instant.now()),
                                    Entry.of(
                                        LogTypes.SANDBOX_FAILED,
                                        Map.of(
                                            "code", reason.code(), "reason", reason.getMessage())))
                                .replaceWith(s);
                          }
                        }))
        .chain(s -> s == null ? Uni.createFrom().voidItem() : preparation.release(s));
  }
}
