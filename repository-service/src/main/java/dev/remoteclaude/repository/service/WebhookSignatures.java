package dev.remoteclaude.repository.service;

import dev.remoteclaude.api.Forge;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How each forge authenticates a webhook delivery, checked in constant time: GitHub {@code
 * X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}, Gitea {@code X-Gitea-Signature: <hex
 * HMAC-SHA256>}, Bitbucket Cloud {@code X-Hub-Signature: sha256=<hex HMAC-SHA256>}, GitLab {@code
 * X-Gitlab-Token: <the secret>}.
 */
public final class WebhookSignatures {

  private WebhookSignatures() {}

  /** The header a forge's signature (GitLab: its token) arrives in. */
  public static String header(Forge forge) {
    return switch (forge) {
      case GITHUB -> "X-Hub-Signature-256";
      case GITEA -> "X-Gitea-Signature";
      case BITBUCKET -> "X-Hub-Signature";
      case GITLAB -> "X-Gitlab-Token";
    };
  }

  /**
   * Whether {@code signature} (the header's value) authenticates {@code body} with {@code secret}.
   */
  public static boolean verify(Forge forge, String secret, byte[] body, String signature) {
    if (signature == null || secret == null) {
      return false;
    }
    String given = signature.strip();
    if (forge == Forge.GITLAB) {
      return MessageDigest.isEqual(
          given.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8));
    }
    String expected = hmacSha256Hex(secret, body);
    if (forge != Forge.GITEA) {
      expected = "sha256=" + expected;
    }
    return MessageDigest.isEqual(
        given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
        expected.getBytes(StandardCharsets.US_ASCII));
  }

  /** The lower-case hex HMAC-SHA256 of {@code body} keyed by {@code secret}. */
  public static String hmacSha256Hex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
