package dev.remoteclaude.gateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.gateway.model.ModelTokenRepository;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.infra.anthropic.Turn;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The model proxy's cost: streamed Messages requests to the scripted stub, directly and through the
 * proxy, interleaved in one run; time to the first token (the first text delta) and to the end of
 * the answer. Both paths use the same client: one Vert.x HTTP/1.1 client (its own Vert.x instance,
 * pooled keep-alive connections, TCP_NODELAY), so the baseline differs from the proxied call only
 * by the proxy. (The JDK HTTP client stalled about 40 ms per direct call against the stub, a
 * delayed-ACK interaction, which made the direct figures measure that stall.) The stub, the JDK's
 * HTTP server, writes its events without TCP_NODELAY unless the JVM has {@code
 * -Dsun.net.httpserver.nodelay=true}; without it the Vert.x client stalls too (p90 44 ms directly,
 * p50 51 ms through the proxy). The build's surefire configuration sets it for every test JVM. Run
 * with {@code -Pbench}; the table goes to target/benchmarks/model-proxy.md.
 */
@QuarkusTest
@TestProfile(ProductionTimings.class)
@Tag("benchmark")
class ModelProxyBenchmark {

  private static final int WARMUP = 200;
  private static final int ROUNDS = 1000;

  @Inject ModelTokenRepository tokens;

  @Test
  void streamedAnswersThroughTheProxyVersusTheModelApiDirectly() throws Exception {
    AnthropicStub stub = GatewayTestResource.stub();
    String marker = "bench-" + UUID.randomUUID();
    stub.when(marker, Turn.text("A short answer of a few words, streamed."));
    String token =
        OnVertx.await(
            () ->
                Panache.withTransaction(
                    () ->
                        tokens.mint(
                            UUID.randomUUID(), "bench", UUID.randomUUID(), Duration.ofHours(1))));
    String direct = stub.baseUrl() + "/v1/messages";
    String proxied = "http://127.0.0.1:" + GatewayTestResource.modelProxyPort() + "/v1/messages";
    String body =
        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"answer "
            + marker
            + "\"}]}";
    List<Long> directFirst = new ArrayList<>();
    List<Long> directTotal = new ArrayList<>();
    List<Long> proxyFirst = new ArrayList<>();
    List<Long> proxyTotal = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient http =
          vertx.createHttpClient(
              new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setMaxPoolSize(1));
      Context loop = vertx.getOrCreateContext();
      for (int i = 0; i < WARMUP + ROUNDS; i++) {
        boolean keep = i >= WARMUP;
        long[] d = time(loop, http, direct, GatewayTestResource.API_KEY, body);
        long[] p = time(loop, http, proxied, token, body);
        if (keep) {
          directFirst.add(d[0]);
          directTotal.add(d[1]);
          proxyFirst.add(p[0]);
          proxyTotal.add(p[1]);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    Stats df = Stats.of(directFirst);
    Stats dt = Stats.of(directTotal);
    Stats pf = Stats.of(proxyFirst);
    Stats pt = Stats.of(proxyTotal);
    String table =
        String.join(
            "\n",
            Stats.header(),
            df.row("first token, stub directly"),
            pf.row("first token, through the proxy"),
            dt.row("whole answer, stub directly"),
            pt.row("whole answer, through the proxy"),
            "",
            String.format(
                Locale.ROOT,
                "proxy / direct, p50: first token %.2f, whole answer %.2f; added p50: %.2f ms,"
                    + " %.2f ms",
                pf.p50() / df.p50(),
                pt.p50() / dt.p50(),
                pf.p50() - df.p50(),
                pt.p50() - dt.p50()),
            String.format(
                Locale.ROOT,
                "proxy / direct, p90: first token %.2f, whole answer %.2f; added p90: %.2f ms,"
                    + " %.2f ms",
                pf.p90() / df.p90(),
                pt.p90() / dt.p90(),
                pf.p90() - df.p90(),
                pt.p90() - dt.p90()));
    Path out = Path.of("target/benchmarks/model-proxy.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table + "\n");
    System.out.println(table);
    assertThat(pt.n()).isEqualTo(ROUNDS);
  }

  /**
   * Nanoseconds to the first text delta and to the end of the stream, both taken on the client's
   * event loop as the bytes arrive. The request starts on that event loop's context, so the
   * response handlers are set before the response's bytes are handled (a request from another
   * thread would get its callbacks later, after a short answer may have ended).
   */
  private static long[] time(Context loop, HttpClient http, String url, String key, String body)
      throws Exception {
    CompletableFuture<long[]> timed = new CompletableFuture<>();
    loop.runOnContext(ignored -> send(http, url, key, body, timed));
    long[] result = timed.get(60, TimeUnit.SECONDS);
    assertThat(result[0]).as("a text delta").isPositive();
    return result;
  }

  private static void send(
      HttpClient http, String url, String key, String body, CompletableFuture<long[]> timed) {
    long start = System.nanoTime();
    http.request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(url)
                .putHeader("x-api-key", key)
                .putHeader("anthropic-version", "2023-06-01")
                .putHeader("content-type", "application/json"))
        .compose(request -> request.send(Buffer.buffer(body)))
        .onSuccess(
            response -> {
              if (response.statusCode() != 200) {
                timed.completeExceptionally(
                    new AssertionError("status " + response.statusCode() + " from " + url));
                return;
              }
              long[] first = {-1};
              response.handler(
                  RecordParser.newDelimited(
                      "\n",
                      line -> {
                        if (first[0] < 0 && line.toString().contains("text_delta")) {
                          first[0] = System.nanoTime() - start;
                        }
                      }));
              response.exceptionHandler(timed::completeExceptionally);
              response.endHandler(
                  ignored -> timed.complete(new long[] {first[0], System.nanoTime() - start}));
            })
        .onFailure(timed::completeExceptionally);
  }
}
