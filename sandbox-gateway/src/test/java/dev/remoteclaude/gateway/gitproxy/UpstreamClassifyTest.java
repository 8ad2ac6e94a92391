package dev.remoteclaude.gateway.gitproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.MessageFormat;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

/** How JGit's failures become reasons: by what JGit says, never by the address it names. */
class UpstreamClassifyTest {

  @Test
  void aRefusedServiceIsACredentialProblem() throws Exception {
    URIish uri = new URIish("https://git.example.com/team/repo.git");
    TransportException forbidden =
        new TransportException(
            uri,
            MessageFormat.format(JGitText.get().serviceNotPermitted, uri + "/", "git-upload-pack"));

    GitProxyException reason = Upstream.classify(uri.toString(), forbidden);

    assertThat(reason).isInstanceOf(GitProxyException.Refused.class);
    assertThat(reason.kind()).isEqualTo(GitProxyException.Kind.AUTH_FAILED);
  }

  @Test
  void anOutageAtAnAddressThatContainsAStatusCodeIsAnOutage() throws Exception {
    URIish uri = new URIish("https://git.example.com/team/repo-403.git");
    TransportException refused = new TransportException(uri, "connection refused");

    GitProxyException reason = Upstream.classify(uri.toString(), refused);

    assertThat(reason).isNotInstanceOf(GitProxyException.Refused.class);
    assertThat(reason.kind()).isEqualTo(GitProxyException.Kind.UNAVAILABLE);
  }
}
