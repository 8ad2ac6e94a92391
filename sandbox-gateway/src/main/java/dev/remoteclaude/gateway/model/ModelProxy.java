package dev.remoteclaude.gateway.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.BudgetExceeded;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.common.pricing.ModelPrices;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.gitproxy.GitProxy;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.work.SafeContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The model proxy: the only way from a sandbox to the model's API. Claude Code in a sandbox sends
 * its requests here with the token of its task run (as its API key); the proxy checks the token,
 * puts the platform's key in its place and streams request and response through untouched (SSE
 * included). It listens on a port of its own, so that a sandbox allowed to reach it reaches nothing
 * else of the gateway. Errors are answered in the Messages API's own shape, which Claude Code
 * shows. The same port serves the git proxy ({@link GitProxy}, paths under {@code /git/}).
 *
 * <p>It enforces a task's cost cap: it prices every answer it meters (rc-common's {@link
 * ModelPrices}, billing's prices) and, once the task's answers cost its cap, refuses the task's
 * next request (402 billing_error) and marks the run, which then ends BUDGET_EXCEEDED. The spend is
 * counted here before the answer ends (and also when it is cut short), so a task runs past its cap
 * by the answers it has in flight at most: one for Claude Code, which asks one at a time. A token
 * may have {@code gateway.model-proxy.max-concurrent-per-token} requests in flight; more are
 * answered 429 with retry-after.
 *
 * <p>It enforces the session's and the user's monthly budget the same way ({@link
 * BudgetRepository}: billing's caps and compute spend, plus the answers metered here): a request
 * once either is spent is refused 402, and the run ends BUDGET_EXCEEDED naming the budget (the
 * runner then announces {@link BudgetExceeded}, on which session-service pauses the session). When
 * an answer takes a budget (the task's too) to 80 % of its cap, the session's stream gets one
 * {@code BUDGET_WARNING} notice per cap crossed.
 *
 * <p>In flight, a session's requests are each reserved {@code
 * gateway.model-proxy.budget-reserve-usd} (or the session's largest answer so far): while a budget
 * applies, a request is let in beside others in flight only if every cap covers the spend plus
 * those reservations; otherwise it waits until the one in flight has ended and been counted, and is
 * checked again. So a task runs past its cap by one answer at most, however many requests it makes
 * at once.
 *
 * <p>A user who set their own Anthropic key (billing.anthropic-key-changed, sealed with the
 * platform's key in {@link SecretContexts#userAnthropicKey}) has their requests sent with it: the
 * answers are metered ({@link ModelUsage#userKey()}) but cost nothing here or in billing's ledger,
 * and a 401 from Anthropic marks the run, which then fails naming the user's key.
 */
@ApplicationScoped
public class ModelProxy {

  private static final Set<String> PATHS = Set.of("/v1/messages", "/v1/messages/count_tokens");

  /** Request headers never forwarded: the caller's credentials, and hop-by-hop headers. */
  private static final Set<String> DROPPED_REQUEST =
      Set.of(
          "host",
          // The proxy reads every answer's usage: it must come uncompressed.
          "accept-encoding",
          "x-api-key",
          "authorization",
          "cookie",
          "connection",
          "keep-alive",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "forwarded",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto");

  private static final Set<String> DROPPED_RESPONSE =
      Set.of("connection", "keep-alive", "transfer-encoding", "upgrade", "set-cookie");

  private final Vertx vertx;
  private final ModelTokenRepository tokens;
  private final Outbox outbox;
  private final GatewayConfig config;
  private final ModelPrices prices;
  private final GitProxy git;
  private final BudgetRepository budgets;
  private final Announcer announcer;
  private final UserKeyRepository userKeys;
  private final SecretBox secrets;
  private final ObjectMapper json = new ObjectMapper();

  /** Requests in flight per session (the reservation against its budgets). */
  private final Map<UUID, Integer> sessionInFlight = new ConcurrentHashMap<>();

  /**
   * Requests of a session waiting for one in flight to end (changed only under the session's entry
   * of {@link #sessionInFlight}, so that no end is missed).
   */
  private final Map<UUID, java.util.Deque<Runnable>> waiting = new ConcurrentHashMap<>();

  /** The costliest answer of each session so far (since this process started). */
  private final Map<UUID, BigDecimal> largestAnswer = new ConcurrentHashMap<>();

  /** What each session's answers cost, counted here as they end (since this process started). */
  private final Map<UUID, BigDecimal> sessionSpent = new ConcurrentHashMap<>();

  /** What each user's answers cost, per month ({@code owner|monthStart}), counted here likewise. */
  private final Map<String, BigDecimal> monthSpent = new ConcurrentHashMap<>();

  /** Budget notices this process gave (the table {@code budget_notice} holds every one given). */
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** A share of a cap past which the stream gets a notice (once per crossing). */
  private static final BigDecimal WARN_AT = new BigDecimal("0.8");

  /** What each task's answers cost, counted as they end (before the recorded spend commits). */
  private final Map<UUID, BigDecimal> spent = new ConcurrentHashMap<>();

  /** Requests in flight per task run (one token each). */
  private final Map<UUID, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  private final String upstream;
  private HttpServer server;
  private HttpClient client;

  public ModelProxy(
      Vertx vertx,
      ModelTokenRepository tokens,
      Outbox outbox,
      GatewayConfig config,
      ModelPrices prices,
      GitProxy git,
      BudgetRepository budgets,
      Announcer announcer,
      UserKeyRepository userKeys,
      SecretBox secrets) {
    this.vertx = vertx;
    this.userKeys = userKeys;
    this.secrets = secrets;
    this.budgets = budgets;
    this.announcer = announcer;
    this.prices = prices;
    this.git = git;
    this.tokens = tokens;
    this.outbox = outbox;
    this.config = config;
    this.upstream =
        config
            .claude()
            .baseUrl()
            .filter(url -> !url.isBlank())
            .orElse(config.modelProxy().upstream())
            .replaceAll("/+$", "");
  }

  void start(@Observes StartupEvent ignored) throws Exception {
    GatewayConfig.ModelProxy proxy = config.modelProxy();
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout(10_000)
                .setIdleTimeout((int) proxy.idleTimeout().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxPoolSize(256)
                .setVerifyHost(true));
    server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setHost(proxy.host())
                    .setPort(proxy.port())
                    .setMaxHeaderSize(64 * 1024))
            .requestHandler(this::handle)
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    Log.infof(
        "model proxy on %s:%d, forwarding to %s", proxy.host(), server.actualPort(), upstream);
  }

  void stop(@Observes ShutdownEvent ignored) {
    if (server != null) {
      server.close();
    }
    if (client != null) {
      client.close();
    }
  }

  /** The URL sandboxes reach the proxy at (their ANTHROPIC_BASE_URL). */
  public String sandboxUrl() {
    return config
        .modelProxy()
        .sandboxUrl()
        .filter(url -> !url.isBlank())
        .orElse("http://127.0.0.1:" + config.modelProxy().port());
  }

  private void handle(HttpServerRequest request) {
    request.pause();
    if (GitProxy.serves(request.path())) {
      git.handle(request);
      return;
    }
    if (request.method() != HttpMethod.POST || !PATHS.contains(request.path())) {
      refuse(request, 404, "not_found_error", "the model proxy serves POST /v1/messages only");
      return;
    }
    long declared = contentLength(request);
    long max = config.modelProxy().maxRequestBytes();
    if (declared > max) {
      refuse(request, 413, "request_too_large", "the request is larger than " + max + " bytes");
      return;
    }
    String token = token(request);
    Context context = Vertx.currentContext();
    Instant monthStart = monthStart(Instant.now());
    SafeContext.run(
            () ->
                Panache.withSession(
                    () ->
                        tokens
                            .verify(token)
                            .chain(
                                found ->
                                    found.isEmpty()
                                        ? Uni.createFrom().item(Optional.<Admission>empty())
                                        : budgets
                                            .limits(
                                                found.get().sessionId(),
                                                found.get().ownerId(),
                                                monthStart)
                                            .chain(
                                                limits ->
                                                    userKeys
                                                        .find(found.get().ownerId())
                                                        .map(
                                                            key ->
                                                                Optional.of(
                                                                    new Admission(
                                                                        found.get(),
                                                                        limits,
                                                                        key.map(
                                                                            k ->
                                                                                open(
                                                                                    found.get(),
                                                                                    k)))))))))
        .subscribe()
        .with(
            grant ->
                context.runOnContext(
                    v -> {
                      if (grant.isEmpty()) {
                        refuse(
                            request,
                            401,
                            "authentication_error",
                            "this token is not valid for the model proxy (its task run ended?)");
                      } else {
                        admit(request, grant.get());
                      }
                    }),
            failure ->
                context.runOnContext(
                    v -> {
                      if (failure instanceof SecretBox.SecretException) {
                        refuse(
                            request,
                            401,
                            "authentication_error",
                            "your own Anthropic API key cannot be read by the platform; set it"
                                + " again with `rclaude billing key set`");
                        return;
                      }
                      Log.warnf("model proxy: cannot check a token: %s", failure.getMessage());
                      refuse(request, 503, "overloaded_error", "the platform is unavailable");
                    }));
  }

  /** Opens a user's own key (it was sealed for them alone). */
  private UserKey open(ModelTokenRepository.Grant grant, UserKeyRepository.SealedKey sealed) {
    try {
      return new UserKey(
          secrets.open(sealed.sealedKey(), SecretContexts.userAnthropicKey(grant.ownerId())),
          sealed.last4());
    } catch (SecretBox.SecretException e) {
      Log.warnf("model proxy: the Anthropic key of user %s cannot be opened", grant.ownerId());
      throw e;
    }
  }

  /** A user's own Anthropic key, opened, and its last four characters. */
  record UserKey(String apiKey, String last4) {

    @Override
    public String toString() {
      return "UserKey[last4=" + last4 + "]";
    }
  }

  /** Forgets what the proxy counted for a task whose run ended. */
  void forget(UUID taskId) {
    spent.remove(taskId);
  }

  /**
   * A verified token's grant, its session's budgets as of the request, and its user's own key (if
   * they set one: their requests are sent with it).
   */
  record Admission(
      ModelTokenRepository.Grant grant, BudgetRepository.Limits limits, Optional<UserKey> userKey) {

    UUID taskId() {
      return grant.taskId();
    }
  }

  /** A budget checked for a request: which one, its cap and what was spent against it. */
  private record Spend(String scope, BigDecimal cap, BigDecimal used) {}

  /**
   * Forwards the request unless the task's, the session's or the user's monthly budget is spent or
   * its token has too many requests in flight.
   */
  private void admit(HttpServerRequest request, Admission admission) {
    ModelTokenRepository.Grant grant = admission.grant();
    UUID sessionId = grant.sessionId();
    if (request.response().closed()) {
      return; // the client left while the request waited
    }
    Context context = Vertx.currentContext();
    // The budgets are checked and the request counted in flight at once, under the session's
    // entry, which the end of a request (counted before it is released) also goes through.
    java.util.concurrent.atomic.AtomicReference<Spend> spentUp =
        new java.util.concurrent.atomic.AtomicReference<>();
    AtomicBoolean crowded = new AtomicBoolean();
    sessionInFlight.compute(
        sessionId,
        (id, n) -> {
          int current = n == null ? 0 : n;
          List<Spend> spends = spends(admission);
          for (Spend spend : spends) {
            if (spend.cap() != null && spend.used().compareTo(spend.cap()) >= 0) {
              spentUp.set(spend);
              return n;
            }
          }
          if (current > 0 && admission.userKey().isEmpty()) {
            BigDecimal reserved = reserve(sessionId).multiply(BigDecimal.valueOf(current + 1L));
            for (Spend spend : spends) {
              if (spend.cap() != null && spend.used().add(reserved).compareTo(spend.cap()) > 0) {
                crowded.set(true);
                waiting
                    .computeIfAbsent(id, k -> new java.util.ArrayDeque<>())
                    .add(() -> context.runOnContext(v -> admit(request, admission)));
                return n;
              }
            }
          }
          return current + 1;
        });
    if (spentUp.get() != null) {
      spentUp(request, admission, spentUp.get());
      return;
    }
    if (crowded.get()) {
      return; // waits (paused) for the session's request in flight to end, then is checked again
    }
    Runnable leaveSession = () -> leave(sessionId);
    AtomicInteger active = inFlight.computeIfAbsent(grant.taskId(), id -> new AtomicInteger());
    if (active.incrementAndGet() > config.modelProxy().maxConcurrentPerToken()) {
      active.decrementAndGet();
      leaveSession.run();
      request.response().putHeader("retry-after", "1");
      refuse(
          request,
          429,
          "rate_limit_error",
          "too many requests at once for this task (at most "
              + config.modelProxy().maxConcurrentPerToken()
              + "); retry after a second");
      return;
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            inFlight.computeIfPresent(
                grant.taskId(), (id, n) -> n.decrementAndGet() <= 0 ? null : n);
            leaveSession.run();
          }
        };
    request.response().endHandler(v -> release.run());
    request.response().closeHandler(v -> release.run());
    forward(request, admission, release);
  }

  /**
   * A request of the session ended (its answer counted): the session's waiting requests are checked
   * again (the first let in makes the others wait again for it).
   */
  private void leave(UUID sessionId) {
    List<Runnable> woken = new java.util.ArrayList<>();
    sessionInFlight.compute(
        sessionId,
        (id, n) -> {
          java.util.Deque<Runnable> queue = waiting.remove(id);
          if (queue != null) {
            woken.addAll(queue);
          }
          return n == null || n <= 1 ? null : n - 1;
        });
    woken.forEach(Runnable::run);
  }

  /** What a request of the session in flight is reserved against its budgets. */
  private BigDecimal reserve(UUID sessionId) {
    return config
        .modelProxy()
        .budgetReserveUsd()
        .max(largestAnswer.getOrDefault(sessionId, BigDecimal.ZERO));
  }

  /**
   * The task's, the session's and the user's monthly budget, with what was spent against each:
   * answers counted here or recorded (the larger: the record may not have committed yet, and this
   * process counts only its own), plus the compute billing counted.
   */
  private List<Spend> spends(Admission admission) {
    ModelTokenRepository.Grant grant = admission.grant();
    BudgetRepository.Limits limits = admission.limits();
    BigDecimal task = grant.spentUsd().max(spent.getOrDefault(grant.taskId(), BigDecimal.ZERO));
    BigDecimal session =
        limits
            .sessionComputeUsd()
            .add(
                limits
                    .sessionTokensUsd()
                    .max(sessionSpent.getOrDefault(grant.sessionId(), BigDecimal.ZERO)));
    BigDecimal month =
        limits
            .monthComputeUsd()
            .add(
                limits
                    .monthTokensUsd()
                    .max(
                        monthSpent.getOrDefault(
                            monthKey(grant.ownerId(), limits.monthStart()), BigDecimal.ZERO)));
    return List.of(
        new Spend(BudgetScopes.TASK, grant.maxCostUsd(), task),
        new Spend(BudgetExceeded.SESSION, limits.sessionCapUsd(), session),
        new Spend(BudgetExceeded.MONTHLY, limits.monthlyCapUsd(), month));
  }

  /** Refuses a request of a task whose budget is spent, once the run is marked for it. */
  private void spentUp(HttpServerRequest request, Admission admission, Spend spend) {
    ModelTokenRepository.Grant grant = admission.grant();
    Log.infof(
        "task %s: %s budget of %s USD spent (%s USD); refusing its model requests",
        grant.taskId(),
        spend.scope(),
        spend.cap().toPlainString(),
        spend.used().setScale(6, RoundingMode.HALF_EVEN));
    Context context = Vertx.currentContext();
    String message =
        BudgetScopes.refusal(spend.scope(), spend.cap(), spend.used(), grant.sessionId());
    SafeContext.run(
            () ->
                Panache.withTransaction(
                    () -> tokens.budgetExceeded(grant.taskId(), spend.scope(), spend.cap())))
        .subscribe()
        .with(
            ok -> context.runOnContext(v -> refuse(request, 402, "billing_error", message)),
            failure ->
                context.runOnContext(
                    v -> {
                      Log.warnf(
                          "task %s: cannot mark its budget spent: %s",
                          grant.taskId(), failure.getMessage());
                      refuse(request, 402, "billing_error", message);
                    }));
  }

  private void forward(HttpServerRequest request, Admission grant, Runnable release) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(upstream + request.uri())
            .setIdleTimeout(config.modelProxy().idleTimeout().toMillis());
    client
        .request(options)
        .onFailure(
            failure -> {
              Log.warnf("model proxy: the model API cannot be reached: %s", failure.getMessage());
              refuse(request, 502, "api_error", "the model API cannot be reached");
            })
        .onSuccess(upstreamRequest -> send(request, upstreamRequest, grant, release));
  }

  private void send(
      HttpServerRequest request,
      HttpClientRequest upstreamRequest,
      Admission grant,
      Runnable release) {
    request
        .headers()
        .forEach(
            (name, value) -> {
              if (!DROPPED_REQUEST.contains(name.toLowerCase(Locale.ROOT))) {
                upstreamRequest.headers().add(name, value);
              }
            });
    if (grant.userKey().isPresent()) {
      upstreamRequest.putHeader("x-api-key", grant.userKey().get().apiKey());
    } else {
      config
          .claude()
          .apiKey()
          .filter(k -> !k.isBlank())
          .ifPresent(key -> upstreamRequest.putHeader("x-api-key", key));
    }
    if (!upstreamRequest.headers().contains("content-length")) {
      upstreamRequest.setChunked(true);
    }
    upstreamRequest
        .response()
        .onSuccess(response -> relay(request, response, grant))
        .onFailure(
            failure -> {
              Log.debugf("model proxy: task %s: upstream failed: %s", grant.taskId(), failure);
              refuse(request, 502, "api_error", "the model API failed to answer");
            });
    // The client going away ends the upstream request too (and frees its place in flight).
    request
        .response()
        .closeHandler(
            v -> {
              upstreamRequest.reset();
              release.run();
            });
    AtomicLong sent = new AtomicLong();
    long max = config.modelProxy().maxRequestBytes();
    request.handler(
        chunk -> {
          if (sent.addAndGet(chunk.length()) > max) {
            upstreamRequest.reset();
            refuse(
                request, 413, "request_too_large", "the request is larger than " + max + " bytes");
            return;
          }
          upstreamRequest.write(chunk);
          if (upstreamRequest.writeQueueFull()) {
            request.pause();
            upstreamRequest.drainHandler(v -> request.resume());
          }
        });
    request.endHandler(v -> upstreamRequest.end());
    request.resume();
  }

  private void relay(HttpServerRequest request, HttpClientResponse response, Admission grant) {
    if (response.statusCode() == 401 && grant.userKey().isPresent()) {
      // Anthropic refused the user's own key: the run is marked before Claude Code can see the
      // answer and end (so its failure names the user's key).
      response.pause();
      Context context = Vertx.currentContext();
      userKeyRefused(grant)
          .subscribe()
          .with(
              ok ->
                  context.runOnContext(
                      v -> {
                        pass(request, response, grant);
                        response.resume();
                      }),
              failure ->
                  context.runOnContext(
                      v -> {
                        Log.warnf(
                            "task %s: cannot mark its user's key refused: %s",
                            grant.taskId(), failure.getMessage());
                        pass(request, response, grant);
                        response.resume();
                      }));
      return;
    }
    pass(request, response, grant);
  }

  /** Streams the model's answer to the client, reading its usage on the way. */
  private void pass(HttpServerRequest request, HttpClientResponse response, Admission grant) {
    HttpServerResponse out = request.response();
    if (out.ended() || out.closed()) {
      response.request().reset();
      return;
    }
    out.setStatusCode(response.statusCode());
    MultiMap headers = response.headers();
    headers.forEach(
        (name, value) -> {
          if (!DROPPED_RESPONSE.contains(name.toLowerCase(Locale.ROOT))) {
            out.headers().add(name, value);
          }
        });
    if (!headers.contains("content-length")) {
      out.setChunked(true);
    }
    Optional<UsageMeter> meter =
        response.statusCode() / 100 == 2 && request.path().equals("/v1/messages")
            ? Optional.of(new UsageMeter(headers.get("content-type")))
            : Optional.empty();
    response.handler(
        chunk -> {
          meter.ifPresent(m -> m.accept(chunk.getBytes()));
          out.write(chunk);
          if (out.writeQueueFull()) {
            response.pause();
            out.drainHandler(v -> response.resume());
          }
        });
    // What the answer used is counted once however it ends: completed, cut by the upstream, or
    // cut by the client (whose going away resets the upstream request, which fails this response).
    java.util.concurrent.atomic.AtomicBoolean settled =
        new java.util.concurrent.atomic.AtomicBoolean();
    response.exceptionHandler(
        failure -> {
          if (settled.compareAndSet(false, true)) {
            settle(grant, meter);
          }
          out.reset();
        });
    response.endHandler(
        v -> {
          // Counted before the answer ends, so the task's next request sees it.
          if (settled.compareAndSet(false, true)) {
            settle(grant, meter);
          }
          out.end();
        });
  }

  /**
   * Prices what an answer used, adds it to the task's, session's and month's spend, announces it
   * for billing and puts a notice on the stream for a budget it takes to 80 %.
   */
  private void settle(Admission admission, Optional<UsageMeter> meter) {
    ModelTokenRepository.Grant grant = admission.grant();
    boolean userKey = admission.userKey().isPresent();
    Optional<ModelUsage> usage = meter.flatMap(m -> m.finish(grant.taskId(), userKey));
    if (usage.isEmpty()) {
      return;
    }
    ModelUsage u = usage.get();
    // Answers on the user's own key are the user's to pay Anthropic: they cost nothing here.
    BigDecimal cost =
        userKey
            ? BigDecimal.ZERO
            : prices.price(
                u.model(),
                u.inputTokens(),
                u.outputTokens(),
                u.cacheReadTokens(),
                u.cacheCreationTokens());
    largestAnswer.merge(grant.sessionId(), cost, BigDecimal::max);
    spent.merge(grant.taskId(), cost, BigDecimal::add);
    sessionSpent.merge(grant.sessionId(), cost, BigDecimal::add);
    monthSpent.merge(
        monthKey(grant.ownerId(), admission.limits().monthStart()), cost, BigDecimal::add);
    record(grant, u, cost);
    for (Spend spend : spends(admission)) {
      if (spend.cap() != null && spend.used().compareTo(spend.cap().multiply(WARN_AT)) >= 0) {
        warn(admission, spend);
      }
    }
  }

  /** One notice on the session's stream per crossing of 80 % of a cap (a raised cap is new). */
  private void warn(Admission admission, Spend spend) {
    ModelTokenRepository.Grant grant = admission.grant();
    String key =
        switch (spend.scope()) {
              case BudgetScopes.TASK -> "task:" + grant.taskId();
              case BudgetExceeded.SESSION -> "session:" + grant.sessionId();
              default -> "month:" + grant.ownerId() + ":" + admission.limits().monthStart();
            }
            + ":warn:"
            + spend.cap().stripTrailingZeros().toPlainString();
    if (!warned.add(key)) {
      return;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("kind", BudgetScopes.WARNING);
    data.put("message", BudgetScopes.warning(spend.scope(), spend.cap(), spend.used(), grant));
    data.put("at", Instant.now());
    data.put("scope", spend.scope());
    data.put("capUsd", spend.cap().stripTrailingZeros());
    data.put("spentUsd", spend.used().setScale(4, RoundingMode.UP));
    SafeContext.run(
            () ->
                Panache.withTransaction(
                    () ->
                        budgets
                            .firstNotice(key)
                            .chain(
                                first ->
                                    first
                                        ? announcer.log(
                                            grant.sessionId(),
                                            Announcer.Entry.ofTask(
                                                LogTypes.SESSION_NOTICE, grant.taskId(), data))
                                        : Uni.createFrom().voidItem())))
        .subscribe()
        .with(
            ok -> {},
            failure ->
                Log.warnf(
                    "task %s: budget notice not given: %s", grant.taskId(), failure.getMessage()));
  }

  /** Marks the run whose request Anthropic refused the user's own key for. */
  private Uni<Void> userKeyRefused(Admission admission) {
    ModelTokenRepository.Grant grant = admission.grant();
    Log.infof(
        "task %s: Anthropic refused the own key (ending %s) of user %s",
        grant.taskId(), admission.userKey().get().last4(), grant.ownerId());
    return SafeContext.run(
        () ->
            Panache.withTransaction(
                () -> tokens.userKeyRefused(grant.taskId(), admission.userKey().get().last4())));
  }

  /** The usage of an answer, announced for billing (metered once per event there), and its cost. */
  private void record(ModelTokenRepository.Grant grant, ModelUsage usage, BigDecimal cost) {
    SafeContext.run(
            () ->
                Panache.withTransaction(
                    () ->
                        outbox
                            .emit(usage, grant.sessionId().toString(), grant.ownerId())
                            .chain(() -> tokens.spend(grant.taskId(), cost))))
        .subscribe()
        .with(
            ok -> {},
            failure ->
                Log.warnf(
                    "task %s: model usage not recorded (%d output tokens): %s",
                    grant.taskId(), usage.outputTokens(), failure.getMessage()));
  }

  private static String monthKey(String ownerId, Instant monthStart) {
    return ownerId + "|" + monthStart;
  }

  /** The first instant of {@code now}'s calendar month (UTC), as billing counts months. */
  static Instant monthStart(Instant now) {
    return now.atOffset(ZoneOffset.UTC)
        .toLocalDate()
        .withDayOfMonth(1)
        .atStartOfDay()
        .toInstant(ZoneOffset.UTC);
  }

  /** An error in the Messages API's shape, after which the connection is not reused. */
  private void refuse(HttpServerRequest request, int status, String type, String message) {
    HttpServerResponse out = request.response();
    if (out.headWritten()) {
      out.reset();
      return;
    }
    ObjectNode body = json.createObjectNode().put("type", "error");
    body.putObject("error").put("type", type).put("message", message);
    out.setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(body.toString());
  }

  private static long contentLength(HttpServerRequest request) {
    try {
      return Optional.ofNullable(request.getHeader("content-length"))
          .map(Long::parseLong)
          .orElse(0L);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String token(HttpServerRequest request) {
    String key = request.getHeader("x-api-key");
    if (key != null) {
      return key.strip();
    }
    String authorization = request.getHeader("authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).strip();
    }
    return null;
  }
}
