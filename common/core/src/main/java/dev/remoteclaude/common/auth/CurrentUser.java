package dev.remoteclaude.common.auth;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The authenticated user of the current request: the subject of the bearer token. The one way
 * services learn who is calling; resources never read claims themselves.
 */
@RequestScoped
public class CurrentUser {

  private final SecurityIdentity identity;

  public CurrentUser(SecurityIdentity identity) {
    this.identity = identity;
  }

  /** The user id ({@code sub} claim); fails with 401 if the request is anonymous. */
  public String id() {
    return userId(identity);
  }

  /** The user id of an identity, for places without a request scope (WebSocket connections). */
  public static String userId(SecurityIdentity identity) {
    if (identity == null || identity.isAnonymous()) {
      throw new UnauthorizedException();
    }
    if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null) {
      return jwt.getSubject();
    }
    throw new UnauthorizedException();
  }
}
