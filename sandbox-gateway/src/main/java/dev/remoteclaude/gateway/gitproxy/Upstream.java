package dev.remoteclaude.gateway.gitproxy;

import dev.remoteclaude.common.net.HostAddressPolicy;
import dev.remoteclaude.gateway.config.GatewayConfig;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * The git proxy's calls to upstream repositories (blocking; worker threads only): a fetch into a
 * session's mirror and a push from it, with the real credential given through a {@link
 * CredentialsProvider} (never in a URL). The host is checked against {@link HostAddressPolicy}
 * before every call. A failing upstream opens the circuit breaker of its host (one per host, so
 * that one forge's outage does not block the others), and git is told at once while it is down.
 */
@ApplicationScoped
public class Upstream {

  static final List<RefSpec> MIRROR =
      List.of(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"));

  private static final java.util.regex.Pattern REDIRECT =
      java.util.regex.Pattern.compile("(?:redirect|http status)\\D*(30[0-8])\\b");

  /** Failures in a row that open a host's breaker, and how long it then stays open. */
  static final int BREAKER_VOLUME = 4;

  static final Duration BREAKER_DELAY = Duration.ofSeconds(30);

  private final GatewayConfig config;
  private final Map<String, Guard> breakers = new ConcurrentHashMap<>();
  private final HostAddressPolicy policy =
      new HostAddressPolicy(HostAddressPolicy.Resolver.system());

  public Upstream(GatewayConfig config) {
    this.config = config;
  }

  /** Fetches every branch and tag of {@code url} into {@code mirror}. */
  public FetchResult fetch(Repository mirror, String url, Optional<String> credential) {
    return guarded(
        url,
        () -> {
          checkHost(url);
          Answers answers = new Answers();
          try (Transport transport = open(mirror, url, credential, answers)) {
            transport.setRemoveDeletedRefs(true);
            return transport.fetch(NullProgressMonitor.INSTANCE, MIRROR);
          } catch (org.eclipse.jgit.errors.TransportException
              | org.eclipse.jgit.errors.NotSupportedException
              | URISyntaxException e) {
            throw blame(url, classify(url, e), answers);
          } catch (RuntimeException e) {
            throw blame(url, classify(url, e), answers);
          }
        },
        FetchResult.class);
  }

  /** Pushes {@code updates} (never forced) from {@code mirror} to {@code url}. */
  public PushResult push(
      Repository mirror,
      String url,
      Optional<String> credential,
      Collection<RemoteRefUpdate> updates) {
    return guarded(
        url,
        () -> {
          checkHost(url);
          Answers answers = new Answers();
          try (Transport transport = open(mirror, url, credential, answers)) {
            return transport.push(NullProgressMonitor.INSTANCE, updates);
          } catch (org.eclipse.jgit.errors.TransportException
              | org.eclipse.jgit.errors.NotSupportedException
              | URISyntaxException e) {
            throw blame(url, classify(url, e), answers);
          } catch (RuntimeException e) {
            throw blame(url, classify(url, e), answers);
          }
        },
        PushResult.class);
  }

  /**
   * Runs {@code call} under the circuit breaker of the URL's host (scheme, host and port): one
   * forge's outage opens its own breaker only, pushes and fetches to the others go on. The breaker
   * is shared by every tenant of the host, so only the host's failures count (see {@link #blame}):
   * a refusal (a bad repository, a refused credential) is the user's to fix, and a transfer the
   * host had started answering is the tenant's data.
   */
  private <T> T guarded(String url, Supplier<T> call, Class<T> type) {
    return breakers.computeIfAbsent(hostKey(url), this::breaker).get(call, type);
  }

  private Guard breaker(String host) {
    return Guard.create()
        .withDescription("git upstream " + host)
        .withCircuitBreaker()
        .requestVolumeThreshold(BREAKER_VOLUME)
        .failureRatio(1.0)
        .delay(BREAKER_DELAY.toMillis(), ChronoUnit.MILLIS)
        .when(
            failure ->
                !(failure instanceof GitProxyException.Refused
                    || failure instanceof GitProxyException.Broken))
        .done()
        .build();
  }

  /**
   * The breaker's key: the URL's scheme, host and port, lower case (the whole URL if unparsable).
   */
  static String hostKey(String url) {
    try {
      URI uri = new URI(url.strip());
      if (uri.getHost() == null) {
        return url;
      }
      return (uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort())
          .toLowerCase(Locale.ROOT);
    } catch (URISyntaxException | RuntimeException e) {
      return url;
    }
  }

  private Transport open(
      Repository mirror, String url, Optional<String> credential, Answers answers)
      throws URISyntaxException,
          org.eclipse.jgit.errors.NotSupportedException,
          org.eclipse.jgit.errors.TransportException {
    Transport transport = Transport.open(mirror, new URIish(url));
    // JGit's timeout bounds the connection and every wait for data, not the whole transfer.
    transport.setTimeout((int) Math.max(1, config.git().upstreamTimeout().toSeconds()));
    if (transport instanceof TransportHttp http) {
      http.setHttpConnectionFactory(answers);
    }
    credential.ifPresent(
        token ->
            transport.setCredentialsProvider(
                new UsernamePasswordCredentialsProvider("x-access-token", token)));
    return transport;
  }

  /** Refuses a host that resolves inside (unless private hosts are allowed, as in tests). */
  void checkHost(String url) {
    if (config.repository().allowPrivateHosts()) {
      return;
    }
    String host;
    try {
      host = new URI(url).getHost();
    } catch (URISyntaxException e) {
      throw new GitProxyException.Refused(
          GitProxyException.Kind.BAD_REPOSITORY, "the repository URL is not a valid URL");
    }
    if (host == null) {
      throw new GitProxyException.Refused(
          GitProxyException.Kind.BAD_REPOSITORY, "the repository URL names no host");
    }
    String shown = host.toLowerCase(Locale.ROOT);
    switch (policy.lookUp(host, config.repository().resolveTimeout())) {
      case HostAddressPolicy.Lookup.Internal internal ->
          throw new GitProxyException.Refused(
              GitProxyException.Kind.BAD_REPOSITORY,
              "the host " + shown + " resolves to a private or local address");
      case HostAddressPolicy.Lookup.TimedOut timedOut ->
          throw new GitProxyException(
              GitProxyException.Kind.UNAVAILABLE,
              "the host " + shown + " could not be resolved in time");
      case HostAddressPolicy.Lookup.Unknown unknown ->
          throw new GitProxyException.Refused(
              GitProxyException.Kind.BAD_REPOSITORY, "the host " + shown + " does not resolve");
      case HostAddressPolicy.Lookup.Public ok -> {}
    }
  }

  /**
   * Whose failure it is. One before the host answered anything (connection refused or timed out,
   * TLS failure, no response in time) or one where it answered 5xx is the host's and counts against
   * its breaker. Once the host has answered this call below 500 it is up: a later timeout or a
   * broken-off transfer comes from what this tenant moves (a repository the host takes long to
   * pack, a huge push), so it does not count; a host that has really gone down meanwhile fails the
   * next calls before answering, and those count.
   */
  static GitProxyException blame(String url, GitProxyException failure, Answers answers) {
    if (failure instanceof GitProxyException.Refused
        || failure instanceof GitProxyException.Broken
        || !answers.answered()
        || answers.serverError()) {
      return failure;
    }
    return new GitProxyException.Broken(
        display(url) + " answered but the transfer broke off or stalled; try again later");
  }

  /**
   * Records whether the host answered the transport's HTTP requests, and how (one per call; the
   * JDK's HTTP connection, JGit's default, with its timeouts).
   */
  static final class Answers extends JDKHttpConnectionFactory {
    private volatile boolean answered;
    private volatile boolean serverError;

    boolean answered() {
      return answered;
    }

    boolean serverError() {
      return serverError;
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
      return new Answered(url);
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
      return new Answered(url, proxy);
    }

    private final class Answered extends JDKHttpConnection {
      Answered(URL url) throws IOException {
        super(url);
      }

      Answered(URL url, Proxy proxy) throws IOException {
        super(url, proxy);
      }

      @Override
      public int getResponseCode() throws IOException {
        int status = super.getResponseCode();
        if (status >= 500) {
          serverError = true;
        }
        if (status > 0) {
          answered = true;
        }
        return status;
      }
    }
  }

  /** A reason the user can act on; never the credential (it is not in the URL or message). */
  static GitProxyException classify(String url, Exception e) {
    if (e instanceof GitProxyException known) {
      return known;
    }
    String shown = display(url);
    String message = GitMessages.withoutAddresses(e.getMessage());
    java.util.regex.Matcher redirect = REDIRECT.matcher(message);
    if (redirect.find()) {
      return new GitProxyException.Refused(
          GitProxyException.Kind.BAD_REPOSITORY,
          shown
              + " answered with a redirect (HTTP "
              + redirect.group(1)
              + "), which is not followed: use the repository's final URL");
    }
    if (e instanceof NoRemoteRepositoryException
        || message.contains("not found")
        || message.contains("repository not found")) {
      return new GitProxyException.Refused(
          GitProxyException.Kind.BAD_REPOSITORY, "no git repository was found at " + shown);
    }
    if (message.contains("not authorized")
        || message.contains("authentication is required")
        || message.contains("authentication not supported")
        || message.contains("not permitted") // JGit's words for HTTP 403
        || GitMessages.refusedStatus(message)) {
      return new GitProxyException.Refused(
          GitProxyException.Kind.AUTH_FAILED,
          "the repository's credential was refused by " + shown + ": check it");
    }
    if (e instanceof URISyntaxException) {
      return new GitProxyException.Refused(
          GitProxyException.Kind.BAD_REPOSITORY, "the repository URL is not a valid URL");
    }
    return new GitProxyException(
        GitProxyException.Kind.UNAVAILABLE,
        shown + " cannot be reached right now; try again later");
  }

  /** A URL without user info. */
  static String display(String url) {
    try {
      URI uri = new URI(url);
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null)
          .toString();
    } catch (URISyntaxException | RuntimeException e) {
      return "the repository";
    }
  }
}
