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
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The model proxy's cost: streamed Messages requests to the scripted stub, directly and through the
 * proxy, interleaved in one run; time to the first token (the first text delta) and to the end of
 * the answer. Run with {@code -Pbench}; the table goes to target/benchmarks/model-proxy.md.
 */
@QuarkusTest
@TestProfile(ProductionTimings.class)
@Tag("benchmark")
class ModelProxyBenchmark {

  private static final int WARMUP = 200;
  private static final int ROUNDS = 1000;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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
    URI direct = URI.create(stub.baseUrl() + "/v1/messages");
    URI proxied =
        URI.create("http://127.0.0.1:" + GatewayTestResource.modelProxyPort() + "/v1/messages");
    String body =
        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"answer "
            + marker
            + "\"}]}";
    List<Long> directFirst = new ArrayList<>();
    List<Long> directTotal = new ArrayList<>();
    List<Long> proxyFirst = new ArrayList<>();
    List<Long> proxyTotal = new ArrayList<>();
    for (int i = 0; i < WARMUP + ROUNDS; i++) {
      boolean keep = i >= WARMUP;
      long[] d = time(direct, GatewayTestResource.API_KEY, body);
      long[] p = time(proxied, token, body);
      if (keep) {
        directFirst.add(d[0]);
        directTotal.add(d[1]);
        proxyFirst.add(p[0]);
        proxyTotal.add(p[1]);
      }
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
                java.util.Locale.ROOT,
                "proxy / direct, p50: first token %.2f, whole answer %.2f; added p50: %.2f ms,"
                    + " %.2f ms",
                pf.p50() / df.p50(),
                pt.p50() / dt.p50(),
                pf.p50() - df.p50(),
                pt.p50() - dt.p50()));
    Path out = Path.of("target/benchmarks/model-proxy.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table + "\n");
    System.out.println(table);
    assertThat(pt.n()).isEqualTo(ROUNDS);
  }

  /** Nanoseconds to the first text delta and to the end of the stream. */
  private static long[] time(URI uri, String key, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("x-api-key", key)
            .header("anthropic-version", "2023-06-01")
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    long start = System.nanoTime();
    HttpResponse<InputStream> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    long first = -1;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (first < 0 && line.contains("text_delta")) {
          first = System.nanoTime() - start;
        }
      }
    }
    assertThat(first).as("a text delta").isPositive();
    return new long[] {first, System.nanoTime() - start};
  }
}
