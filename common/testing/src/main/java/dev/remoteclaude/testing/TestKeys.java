package dev.remoteclaude.testing;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The signing key pair of this test JVM: generated at start, never written anywhere. Services under
 * test verify tokens with its public half (quarkus.oidc.public-key); {@link Tokens} signs with the
 * private half.
 */
public final class TestKeys {
  private static final KeyPair PAIR = generate();

  private TestKeys() {}

  static KeyPair pair() {
    return PAIR;
  }

  /** The public key as base64 DER, the form quarkus.oidc.public-key takes. */
  public static String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(PAIR.getPublic().getEncoded());
  }

  private static final String SECRET_KEY = randomAesKey();

  /** The platform secret key (AES-256, base64) of this test JVM: tests seal values with it too. */
  public static String secretKeyBase64() {
    return SECRET_KEY;
  }

  private static String randomAesKey() {
    byte[] raw = new byte[32];
    new java.security.SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
