package dev.remoteclaude.gateway.provider;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.util.TypeLiteral;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The only way the gateway calls a provider: every call goes through SmallRye Fault Tolerance
 * guards of that provider, so one provider's outage opens only its own circuit breaker.
 *
 * <ul>
 *   <li>safe calls (status, pause, resume, terminate, files, ttl, deleting a snapshot): timeout,
 *       retry with exponential backoff on {@link ProviderException.Kind#UNAVAILABLE}, circuit
 *       breaker, bulkhead;
 *   <li>unsafe calls (create, snapshot, exec): timeout, circuit breaker, bulkhead, no retry.
 * </ul>
 *
 * An open breaker fails calls at once with {@link CircuitBreakerOpenException}. Breakers are shared
 * by every tenant of a provider, so they count only the provider's own failures (UNAVAILABLE,
 * timeouts, crashes), never what a tenant can cause: a missing file or sandbox, a bad path, a busy
 * sandbox, or a file operation failing on the tenant's own workspace (see {@code inSandbox}).
 */
@ApplicationScoped
public class ProviderCalls {

  private static final TypeLiteral<Uni<String>> STRING = new TypeLiteral<>() {};
  private static final TypeLiteral<Uni<Void>> VOID = new TypeLiteral<>() {};
  private static final TypeLiteral<Uni<SandboxStatus>> STATUS = new TypeLiteral<>() {};
  private static final TypeLiteral<Uni<byte[]>> BYTES = new TypeLiteral<>() {};
  private static final TypeLiteral<Uni<ExecHandle>> EXEC = new TypeLiteral<>() {};
  private static final TypeLiteral<Uni<java.util.List<ProvidedSandbox>>> LIST =
      new TypeLiteral<>() {};
  private static final TypeLiteral<Uni<Snapshot>> SNAPSHOT = new TypeLiteral<>() {};

  private final Map<String, SandboxProvider> providers = new ConcurrentHashMap<>();
  private final Map<String, Guards> guards = new ConcurrentHashMap<>();
  private final ProviderCallsConfig config;

  public ProviderCalls(Instance<SandboxProvider> all, ProviderCallsConfig config) {
    this.config = config;
    for (SandboxProvider provider : all) {
      providers.put(provider.name(), provider);
    }
  }

  private record Guards(Guard safe, Guard unsafe, Guard unsafeLong) {}

  public boolean knows(String provider) {
    return providers.containsKey(provider);
  }

  /** The names of the providers this gateway has. */
  public java.util.Set<String> names() {
    return java.util.Set.copyOf(providers.keySet());
  }

  public Uni<java.util.List<ProvidedSandbox>> list(String provider) {
    return safe(provider, () -> provider(provider).list(), LIST);
  }

  public SandboxProvider provider(String name) {
    SandboxProvider provider = providers.get(name);
    if (provider == null) {
      throw new ProviderException(ProviderException.Kind.INVALID, "unknown provider " + name);
    }
    return provider;
  }

  public Uni<String> create(String provider, SandboxSpec spec) {
    return backOnCaller(
        guardsOf(provider).unsafeLong().get(() -> provider(provider).create(spec), STRING));
  }

  public Uni<SandboxStatus> status(String provider, String id) {
    return safe(provider, () -> provider(provider).status(id), STATUS);
  }

  public Uni<Void> pause(String provider, String id) {
    return safe(provider, () -> provider(provider).pause(id), VOID);
  }

  public Uni<Void> resume(String provider, String id) {
    return safe(provider, () -> provider(provider).resume(id), VOID);
  }

  public Uni<Void> terminate(String provider, String id) {
    return safe(provider, () -> provider(provider).terminate(id), VOID);
  }

  /**
   * Starting a process goes through the sandbox's own daemon (E2B's envd, Daytona's toolbox), which
   * a tenant can break; so an UNAVAILABLE failure is checked as a file operation's is ({@code
   * inSandbox}). A command that fails is not a failure here at all: its exit code is its result.
   */
  public Uni<ExecHandle> exec(String provider, String id, ExecRequest request) {
    AtomicReference<Object> started = new AtomicReference<>(PENDING);
    return backOnCaller(
        guardsOf(provider)
            .unsafe()
            .get(
                () ->
                    inSandbox(
                        provider, id, detached(provider(provider).exec(id, request), started)),
                EXEC)
            .onFailure()
            .invoke(failure -> abandon(started))
            .onCancellation()
            .invoke(() -> abandon(started)));
  }

  private static final Object PENDING = new Object();
  private static final Object ABANDONED = new Object();

  /**
   * A start runs to its end at the provider whatever the caller does: giving up on it (the guard's
   * timeout, a cancelled request) cannot stop a request already sent. So it is followed apart from
   * the caller, and a process it started for a caller that has given up is cancelled when its
   * handle arrives ({@link #abandon}), instead of running in the sandbox with no one to read or end
   * it.
   */
  private static Uni<ExecHandle> detached(Uni<ExecHandle> start, AtomicReference<Object> started) {
    CompletableFuture<ExecHandle> result = start.subscribeAsCompletionStage();
    result.thenAccept(
        handle -> {
          if (!started.compareAndSet(PENDING, handle)) {
            handle.cancel();
          }
        });
    // A copy: the caller's cancellation ends its wait, not the start.
    return Uni.createFrom().completionStage(result.thenApply(handle -> handle));
  }

  /** The caller has given up: a process already started is cancelled, a later one on arrival. */
  private static void abandon(AtomicReference<Object> started) {
    if (started.getAndSet(ABANDONED) instanceof ExecHandle late) {
      late.cancel();
    }
  }

  public Uni<byte[]> readFile(String provider, String id, String path, int maxBytes) {
    return safe(
        provider,
        () -> inSandbox(provider, id, provider(provider).readFile(id, path, maxBytes)),
        BYTES);
  }

  public Uni<Void> writeFile(String provider, String id, String path, byte[] content) {
    return safe(
        provider,
        () -> inSandbox(provider, id, provider(provider).writeFile(id, path, content)),
        VOID);
  }

  /**
   * A file operation works on what the tenant made of its workspace: a file it made unreadable, a
   * link, a process limit it filled up. A provider may report such a failure as {@link
   * ProviderException.Kind#UNAVAILABLE}, which would count against the breaker every tenant of the
   * provider shares (and be retried). So an UNAVAILABLE failure is checked: when the provider still
   * answers for the sandbox's status, the provider is up and the failure is the sandbox's own, a
   * request that cannot succeed ({@link ProviderException.Kind#INVALID}, the caller's 400); when it
   * does not answer either, the failure stands as the outage it is.
   */
  private <T> Uni<T> inSandbox(String provider, String id, Uni<T> call) {
    return call.onFailure(ProviderCalls::retriable)
        .recoverWithUni(
            failure ->
                provider(provider)
                    .status(id)
                    .onFailure()
                    .transform(probe -> failure)
                    .onItem()
                    .transformToUni(
                        status -> Uni.createFrom().<T>failure(ownFailure(status, failure))));
  }

  private static ProviderException ownFailure(SandboxStatus status, Throwable failure) {
    return status == SandboxStatus.MISSING
        ? new ProviderException(ProviderException.Kind.NOT_FOUND, "sandbox is gone", failure)
        : new ProviderException(
            ProviderException.Kind.INVALID, failure.getMessage() + " (in the sandbox)", failure);
  }

  public Uni<Void> extendTtl(String provider, String id, Duration ttl) {
    return safe(provider, () -> provider(provider).extendTtl(id, ttl), VOID);
  }

  public Uni<Snapshot> snapshot(String provider, String id) {
    return backOnCaller(
        guardsOf(provider).unsafeLong().get(() -> provider(provider).snapshot(id), SNAPSHOT));
  }

  /** Deleting is idempotent, so it is a safe call (retried on an outage). */
  public Uni<Void> deleteSnapshot(String provider, String snapshotId) {
    return safe(provider, () -> provider(provider).deleteSnapshot(snapshotId), VOID);
  }

  /** Buffers a process's output; the result comes back on the caller's context. */
  public Uni<ExecResult> collect(ExecHandle handle) {
    return backOnCaller(ExecResult.collect(handle));
  }

  private <T> Uni<T> safe(String provider, Supplier<Uni<T>> call, TypeLiteral<Uni<T>> type) {
    return backOnCaller(guardsOf(provider).safe().get(call, type));
  }

  /**
   * Providers do blocking or remote work on other threads; results come back on the caller's Vert.x
   * context, so a caller inside a Hibernate Reactive transaction can go on using it.
   */
  public static <T> Uni<T> backOnCaller(Uni<T> uni) {
    io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
    if (context == null) {
      return uni;
    }
    return uni.emitOn(task -> context.runOnContext(ignored -> task.run()));
  }

  private Guards guardsOf(String key) {
    return guards.computeIfAbsent(key, this::build);
  }

  private Guards build(String provider) {
    return new Guards(
        guard(provider, "safe", config.timeout(), true),
        guard(provider, "unsafe", config.timeout(), false),
        guard(provider, "long", config.createTimeout(), false));
  }

  private Guard guard(String provider, String kind, Duration timeout, boolean retry) {
    Guard.Builder builder =
        Guard.create()
            .withDescription("provider " + provider + " (" + kind + " calls)")
            .withTimeout()
            .duration(timeout.toMillis(), ChronoUnit.MILLIS)
            .done();
    if (retry) {
      builder =
          builder
              .withRetry()
              .maxRetries(config.retries())
              .delay(config.retryDelay().toMillis(), ChronoUnit.MILLIS)
              .jitter(config.retryDelay().toMillis() / 2, ChronoUnit.MILLIS)
              .whenException(ProviderCalls::retriable)
              .withExponentialBackoff()
              .done()
              .done();
    }
    return builder
        .withCircuitBreaker()
        .name(breakerName(provider, kind))
        .requestVolumeThreshold(config.breakerVolume())
        .failureRatio(config.breakerFailureRatio())
        .delay(config.breakerDelay().toMillis(), ChronoUnit.MILLIS)
        .when(ProviderCalls::countsAsOutage)
        .done()
        .withBulkhead()
        .limit(config.bulkhead())
        .queueSize(config.bulkheadQueue())
        .done()
        .build();
  }

  /**
   * Whether the provider takes calls now: none of its circuit breakers is open (a half-open one
   * lets a trial call through). Read only; a provider not called yet is healthy.
   */
  public boolean healthy(String provider) {
    if (!guards.containsKey(provider)) {
      return true;
    }
    CircuitBreakerMaintenance breakers = CircuitBreakerMaintenance.get();
    for (String kind : java.util.List.of("safe", "unsafe", "long")) {
      try {
        if (breakers.currentState(breakerName(provider, kind)) == CircuitBreakerState.OPEN) {
          return false;
        }
      } catch (IllegalArgumentException notYetRegistered) {
        // a breaker not used yet is closed
      }
    }
    return true;
  }

  /**
   * The circuit breaker of one provider's calls of a kind ({@code safe}, {@code unsafe}, {@code
   * long}).
   */
  public static String breakerName(String provider, String kind) {
    return "provider-" + provider + "-" + kind;
  }

  /**
   * Only an unreachable provider is worth retrying; a wrong request or a missing sandbox is not.
   */
  static boolean retriable(Throwable failure) {
    return failure instanceof ProviderException p && p.kind() == ProviderException.Kind.UNAVAILABLE;
  }

  /**
   * The breaker counts outages, not user mistakes (bad paths, missing files, missing sandboxes).
   */
  static boolean countsAsOutage(Throwable failure) {
    return !(failure instanceof ProviderException p)
        || p.kind() == ProviderException.Kind.UNAVAILABLE;
  }
}
