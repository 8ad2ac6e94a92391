package dev.remoteclaude.gateway.gitproxy;

import dev.remoteclaude.common.net.HostAddressPolicy;
import dev.remoteclaude.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;

/**
 * The git proxy's calls to upstream repositories (blocking; worker threads only): a fetch into a
 * session's mirror and a push from it, with the real credential given through a {@link
 * CredentialsProvider} (never in a URL). The host is checked against {@link HostAddressPolicy}
 * before every call. A failing upstream opens a circuit breaker, so that git is told at once while
 * it is down.
 */
@ApplicationScoped
public class Upstream {

  static final List<RefSpec> MIRROR =
      List.of(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"));

  private static final java.util.regex.Pattern REDIRECT =
      java.util.regex.Pattern.compile("(?:redirect|http status)\\D*(30[0-8])\\b");

  private final GatewayConfig config;
  private final HostAddressPolicy policy =
      new HostAddressPolicy(HostAddressPolicy.Resolver.system());

  public Upstream(GatewayConfig config) {
    this.config = config;
  }

  /** Fetches every branch and tag of {@code url} into {@code mirror}. */
  @CircuitBreaker(
      requestVolumeThreshold = 4,
      failureRatio = 1.0,
      delay = 30,
      delayUnit = ChronoUnit.SECONDS,
      skipOn = GitProxyException.Refused.class)
  public FetchResult fetch(Repository mirror, String url, Optional<String> credential) {
    checkHost(url);
    try (Transport transport = open(mirror, url, credential)) {
      transport.setRemoveDeletedRefs(true);
      return transport.fetch(NullProgressMonitor.INSTANCE, MIRROR);
    } catch (org.eclipse.jgit.errors.TransportException
        | org.eclipse.jgit.errors.NotSupportedException
        | URISyntaxException e) {
      throw classify(url, e);
    } catch (RuntimeException e) {
      throw classify(url, e);
    }
  }

  /** Pushes {@code updates} (never forced) from {@code mirror} to {@code url}. */
  @CircuitBreaker(
      requestVolumeThreshold = 4,
      failureRatio = 1.0,
      delay = 30,
      delayUnit = ChronoUnit.SECONDS,
      skipOn = GitProxyException.Refused.class)
  public PushResult push(
      Repository mirror,
      String url,
      Optional<String> credential,
      Collection<RemoteRefUpdate> updates) {
    checkHost(url);
    try (Transport transport = open(mirror, url, credential)) {
      return transport.push(NullProgressMonitor.INSTANCE, updates);
    } catch (org.eclipse.jgit.errors.TransportException
        | org.eclipse.jgit.errors.NotSupportedException
        | URISyntaxException e) {
      throw classify(url, e);
    } catch (RuntimeException e) {
      throw classify(url, e);
    }
  }

  private Transport open(Repository mirror, String url, Optional<String> credential)
      throws URISyntaxException,
          org.eclipse.jgit.errors.NotSupportedException,
          org.eclipse.jgit.errors.TransportException {
    Transport transport = Transport.open(mirror, new URIish(url));
    transport.setTimeout((int) Math.max(1, config.git().upstreamTimeout().toSeconds()));
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

  /** A reason the user can act on; never the credential (it is not in the URL or message). */
  static GitProxyException classify(String url, Exception e) {
    if (e instanceof GitProxyException known) {
      return known;
    }
    String shown = display(url);
    String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
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
        || message.contains("401")
        || message.contains("403")) {
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
