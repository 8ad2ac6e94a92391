package dev.remoteclaude.testing;

import io.smallrye.jwt.build.Jwt;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;

/** Bearer tokens for tests, signed with {@link TestKeys}; no identity provider involved. */
public final class Tokens {
  public static final String ISSUER = "remote-claude-local";
  public static final String AUDIENCE = "remote-claude";

  private Tokens() {}

  /** A valid token whose subject is {@code userId}. */
  public static String forUser(String userId) {
    return Jwt.issuer(ISSUER)
        .audience(AUDIENCE)
        .subject(userId)
        .upn(userId)
        .expiresIn(Duration.ofHours(1))
        .jws()
        .sign(TestKeys.pair().getPrivate());
  }

  /** A valid token whose subject is {@code userId}, with these roles in its {@code groups}. */
  public static String withGroups(String userId, String... groups) {
    return Jwt.issuer(ISSUER)
        .audience(AUDIENCE)
        .subject(userId)
        .upn(userId)
        .groups(java.util.Set.of(groups))
        .expiresIn(Duration.ofHours(1))
        .jws()
        .sign(TestKeys.pair().getPrivate());
  }

  /** A valid token of an operator: {@code rc-operator} in its groups (the admin endpoints). */
  public static String operator(String userId) {
    return withGroups(userId, "rc-operator");
  }

  public static String withIssuer(String userId, String issuer) {
    return Jwt.issuer(issuer)
        .audience(AUDIENCE)
        .subject(userId)
        .expiresIn(Duration.ofHours(1))
        .jws()
        .sign(TestKeys.pair().getPrivate());
  }

  public static String withAudience(String userId, String audience) {
    return Jwt.issuer(ISSUER)
        .audience(audience)
        .subject(userId)
        .expiresIn(Duration.ofHours(1))
        .jws()
        .sign(TestKeys.pair().getPrivate());
  }

  public static String expired(String userId) {
    Instant past = Instant.now().minus(Duration.ofHours(2));
    return Jwt.issuer(ISSUER)
        .audience(AUDIENCE)
        .subject(userId)
        .issuedAt(past)
        .expiresAt(past.plus(Duration.ofMinutes(5)))
        .jws()
        .sign(TestKeys.pair().getPrivate());
  }

  /** Right claims, signed by a key the services do not trust. */
  public static String signedByStranger(String userId) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair stranger = generator.generateKeyPair();
      return Jwt.issuer(ISSUER)
          .audience(AUDIENCE)
          .subject(userId)
          .expiresIn(Duration.ofHours(1))
          .jws()
          .sign(stranger.getPrivate());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String bearer(String userId) {
    return "Bearer " + forUser(userId);
  }
}
