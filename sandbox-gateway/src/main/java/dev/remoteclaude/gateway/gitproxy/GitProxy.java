package dev.remoteclaude.gateway.gitproxy;

import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.GitPushed;
import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.work.SafeContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.util.io.LimitedInputStream;

/**
 * The git proxy: git's smart-HTTP protocol at {@code /git/<session>/repo.git/...} on the model
 * proxy's port (the one port of the gateway a sandbox reaches). Git authenticates with HTTP Basic,
 * the password being the session's token ({@link GitAccess}); a token opens its own session's
 * repository only. Fetches are served from the session's mirror, refreshed from upstream with the
 * real credential; pushes go upstream under the {@link PushPolicy}. JGit runs on worker threads.
 */
@ApplicationScoped
public class GitProxy {

  private static final Pattern PATH =
      Pattern.compile(
          "^/git/([0-9a-fA-F-]{36})/repo\\.git/(info/refs|git-upload-pack|git-receive-pack)$");

  private final GitSessionRepository sessions;
  private final GitMirrors mirrors;
  private final SecretBox secrets;
  private final Announcer announcer;
  private final GatewayConfig config;

  public GitProxy(
      GitSessionRepository sessions,
      GitMirrors mirrors,
      SecretBox secrets,
      Announcer announcer,
      GatewayConfig config) {
    this.sessions = sessions;
    this.mirrors = mirrors;
    this.secrets = secrets;
    this.announcer = announcer;
    this.config = config;
  }

  /** Whether {@code path} is the proxy's. */
  public static boolean serves(String path) {
    return path != null && path.startsWith("/git/");
  }

  /** Handles a (paused) request. */
  public void handle(HttpServerRequest request) {
    Matcher matcher = PATH.matcher(request.path());
    if (!matcher.matches()) {
      plain(request, 404, "no such git repository");
      return;
    }
    UUID sessionId;
    try {
      sessionId = UUID.fromString(matcher.group(1));
    } catch (IllegalArgumentException e) {
      plain(request, 404, "no such git repository");
      return;
    }
    String endpoint = matcher.group(2);
    String service;
    if (endpoint.equals("info/refs")) {
      service = request.getParam("service");
      if (request.method() != HttpMethod.GET
          || !(GitMirrors.UPLOAD_PACK.equals(service) || GitMirrors.RECEIVE_PACK.equals(service))) {
        plain(request, 403, "only git's smart HTTP protocol is served");
        return;
      }
    } else {
      service = endpoint;
      if (request.method() != HttpMethod.POST) {
        plain(request, 405, "use POST");
        return;
      }
    }
    Optional<String> token = password(request);
    if (token.isEmpty() || !token.get().startsWith(GitAccess.PREFIX)) {
      unauthorized(request);
      return;
    }
    Context context = Vertx.currentContext();
    SafeContext.run(() -> sessions.byToken(GitAccess.hash(token.get())))
        .subscribe()
        .with(
            found ->
                context.runOnContext(
                    v -> {
                      if (found.isEmpty()) {
                        unauthorized(request);
                      } else if (!found.get().sessionId().equals(sessionId)) {
                        plain(request, 404, "no such git repository");
                      } else {
                        serve(request, found.get(), endpoint, service);
                      }
                    }),
            failure ->
                context.runOnContext(
                    v -> {
                      Log.warnf("git proxy: cannot check a token: %s", failure.getMessage());
                      plain(request, 503, "the platform is unavailable; try again later");
                    }));
  }

  private void serve(
      HttpServerRequest request,
      GitSessionRepository.GitSession session,
      String endpoint,
      String service) {
    Optional<String> credential;
    try {
      credential =
          session.sealedCredential() == null || session.sealedCredential().isBlank()
              ? Optional.empty()
              : Optional.of(
                  secrets.open(
                      session.sealedCredential(),
                      SecretContexts.sessionGitCredential(session.sessionId())));
    } catch (RuntimeException e) {
      Log.warnf("session %s: git credential cannot be opened", session.sessionId());
      plain(request, 500, "the repository's credential cannot be used; register it again");
      return;
    }
    HttpServerResponse response = request.response();
    if (endpoint.equals("info/refs")) {
      response
          .setStatusCode(200)
          .setChunked(true)
          .putHeader("content-type", "application/x-" + service + "-advertisement")
          .putHeader("cache-control", "no-cache");
      request.resume();
      blocking(
          response,
          out ->
              mirrors.advertise(
                  session.sessionId(),
                  session.branch(),
                  session.repositoryUrl(),
                  credential,
                  service,
                  out));
      return;
    }
    long max = config.git().maxRequestBytes();
    Buffer body = Buffer.buffer();
    request.handler(
        chunk -> {
          if (body.length() + chunk.length() > max) {
            request.pause();
            plain(request, 413, "the push is larger than " + max + " bytes");
            return;
          }
          body.appendBuffer(chunk);
        });
    request.endHandler(
        v -> {
          if (response.ended()) {
            return;
          }
          response
              .setStatusCode(200)
              .setChunked(true)
              .putHeader("content-type", "application/x-" + service + "-result")
              .putHeader("cache-control", "no-cache");
          boolean gzip = "gzip".equalsIgnoreCase(request.getHeader("content-encoding"));
          blocking(
              response,
              out -> {
                byte[] bytes = body.getBytes();
                if (gzip) {
                  // Inflated once without keeping it, before anything is answered: a small body
                  // can unpack to gigabytes, which git would be fed (a fetch has no pack size cap).
                  try (InputStream probe = input(bytes, true, max)) {
                    probe.transferTo(OutputStream.nullOutputStream());
                  }
                }
                try (InputStream in = input(bytes, gzip, max)) {
                  if (service.equals(GitMirrors.UPLOAD_PACK)) {
                    mirrors.upload(session.sessionId(), in, out);
                  } else {
                    mirrors.receive(
                        session.sessionId(),
                        session.branch(),
                        session.repositoryUrl(),
                        credential,
                        in,
                        out,
                        pushed -> announce(session, pushed));
                  }
                }
              });
        });
    request.resume();
  }

  /** The request body, inflated when gzip-encoded, failing past {@code max} bytes. */
  private static InputStream input(byte[] body, boolean gzip, long max) throws IOException {
    InputStream in = new ByteArrayInputStream(body);
    if (!gzip) {
      return in;
    }
    return new LimitedInputStream(new GZIPInputStream(in), max) {
      @Override
      protected void limitExceeded() throws IOException {
        throw new RequestTooLarge(max);
      }
    };
  }

  /** A request body that inflates past {@code gateway.git.max-request-bytes}. */
  private static final class RequestTooLarge extends IOException {
    RequestTooLarge(long max) {
      super("the request is larger than " + max + " bytes once decompressed");
    }
  }

  /** The push upstream took: {@code GitPushed} and its stream entry, before git is answered. */
  private void announce(GitSessionRepository.GitSession session, List<GitMirrors.Pushed> pushed) {
    UUID sessionId = session.sessionId();
    for (GitMirrors.Pushed push : pushed) {
      try {
        SafeContext.run(
                () ->
                    sessions
                        .takePending(sessionId, push.branch())
                        .chain(
                            pending ->
                                Panache.withTransaction(
                                    () -> {
                                      UUID taskId =
                                          pending
                                              .map(GitSessionRepository.PendingPush::taskId)
                                              .orElse(null);
                                      PullRequestOption pr =
                                          pending
                                              .map(
                                                  GitSessionRepository.PendingPush::pullRequestJson)
                                              .map(GitProxy::pullRequest)
                                              .orElse(null);
                                      GitPushed event =
                                          new GitPushed(
                                              Upstream.display(session.repositoryUrl()),
                                              push.branch(),
                                              push.commit(),
                                              push.previousCommit(),
                                              taskId,
                                              pr,
                                              Instant.now());
                                      Map<String, Object> data = new HashMap<>();
                                      data.put("repositoryUrl", event.repositoryUrl());
                                      data.put("branch", push.branch());
                                      data.put("commit", push.commit());
                                      data.put("previousCommit", push.previousCommit());
                                      return announcer.announce(
                                          sessionId,
                                          session.ownerId(),
                                          event,
                                          Announcer.Entry.ofTask(
                                              LogTypes.GIT_PUSHED, taskId, data));
                                    })))
            .await()
            .atMost(Duration.ofSeconds(60));
      } catch (RuntimeException e) {
        Log.warnf(
            "session %s: push of %s not announced: %s", sessionId, push.branch(), e.getMessage());
      }
    }
  }

  private static PullRequestOption pullRequest(String json) {
    try {
      return EventCodec.mapper().readValue(json, PullRequestOption.class);
    } catch (IOException e) {
      return null;
    }
  }

  private interface GitWork {
    void run(OutputStream out) throws IOException;
  }

  /** Runs JGit on a worker thread, streaming its output to the response with back-pressure. */
  private void blocking(HttpServerResponse response, GitWork work) {
    Uni.createFrom()
        .item(
            () -> {
              try (ResponseStream out = new ResponseStream(response)) {
                work.run(out);
              } catch (IOException | RuntimeException e) {
                Log.debugf("git proxy: request failed: %s", e.toString());
                return e;
              }
              return null;
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .subscribe()
        .with(
            failure -> {
              if (failure == null) {
                response.end();
              } else if (failure instanceof RequestTooLarge && !response.headWritten()) {
                response
                    .setStatusCode(413)
                    .putHeader("content-type", "text/plain; charset=utf-8")
                    .putHeader("connection", "close")
                    .end(failure.getMessage() + "\n");
              } else {
                response.reset();
              }
            },
            failure -> response.reset());
  }

  /** Chunks written to the response from a worker thread, each waited for (back-pressure). */
  private static final class ResponseStream extends OutputStream {
    private final HttpServerResponse response;
    private final byte[] buffer = new byte[64 * 1024];
    private int used;

    ResponseStream(HttpServerResponse response) {
      this.response = response;
    }

    @Override
    public void write(int b) throws IOException {
      if (used == buffer.length) {
        flush();
      }
      buffer[used++] = (byte) b;
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
      while (length > 0) {
        if (used == buffer.length) {
          flush();
        }
        int n = Math.min(length, buffer.length - used);
        System.arraycopy(data, offset, buffer, used, n);
        used += n;
        offset += n;
        length -= n;
      }
    }

    @Override
    public void flush() throws IOException {
      if (used == 0) {
        return;
      }
      Buffer chunk = Buffer.buffer(java.util.Arrays.copyOf(buffer, used));
      used = 0;
      try {
        response.write(chunk).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      } catch (Exception e) {
        throw new IOException("the client went away", e);
      }
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  private static Optional<String> password(HttpServerRequest request) {
    String authorization = request.getHeader("authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    try {
      String decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).strip()),
              StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? Optional.empty() : Optional.of(decoded.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static void unauthorized(HttpServerRequest request) {
    request.response().putHeader("www-authenticate", "Basic realm=\"Remote Claude git\"");
    plain(request, 401, "this token is not valid for the git proxy (the session ended?)");
  }

  private static void plain(HttpServerRequest request, int status, String message) {
    HttpServerResponse out = request.response();
    if (out.headWritten()) {
      out.reset();
      return;
    }
    out.setStatusCode(status)
        .putHeader("content-type", "text/plain; charset=utf-8")
        .putHeader("connection", "close")
        .end(message + "\n");
  }
}
