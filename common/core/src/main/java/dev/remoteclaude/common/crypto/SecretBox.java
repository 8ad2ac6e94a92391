package dev.remoteclaude.common.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets (environment values, git tokens, provider keys) with AES-256-GCM from the JDK's
 * provider. A sealed value reads {@code <key id>:<base64 of IV and ciphertext>}; the key id lets
 * keys rotate (old ids stay readable). The {@code context} (e.g. {@code session/<id>/env/NAME}) is
 * bound in as associated data, so a sealed value cannot be moved to another place and opened there.
 */
public final class SecretBox {

  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final String currentId;
  private final Map<String, SecretKey> keys;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param currentId the id of the key new values are sealed with
   * @param base64Keys every readable key by id, each 32 bytes in base64
   */
  public SecretBox(String currentId, Map<String, String> base64Keys) {
    if (!base64Keys.containsKey(currentId)) {
      throw new IllegalArgumentException("no key for the current key id " + currentId);
    }
    Map<String, SecretKey> parsed = new HashMap<>();
    base64Keys.forEach(
        (id, value) -> {
          if (id.contains(":")) {
            throw new IllegalArgumentException("key ids must not contain ':'");
          }
          byte[] raw = Base64.getDecoder().decode(value.strip());
          if (raw.length != 32) {
            throw new IllegalArgumentException("key " + id + " must be 32 bytes (AES-256)");
          }
          parsed.put(id, new SecretKeySpec(raw, "AES"));
        });
    this.currentId = currentId;
    this.keys = Map.copyOf(parsed);
  }

  /** A new random key, base64, for configuration. */
  public static String newKey() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  public String seal(String plaintext, String context) {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[IV_BYTES + sealed.length];
      System.arraycopy(iv, 0, out, 0, IV_BYTES);
      System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
      return currentId + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealing failed", e);
    }
  }

  /**
   * Opens a sealed value; fails if it was tampered with, moved to another context or the key is
   * unknown.
   */
  public String open(String sealed, String context) {
    int colon = sealed.indexOf(':');
    if (colon <= 0) {
      throw new SecretException("not a sealed value");
    }
    SecretKey key = keys.get(sealed.substring(0, colon));
    if (key == null) {
      throw new SecretException("sealed with an unknown key id");
    }
    try {
      byte[] in = Base64.getDecoder().decode(sealed.substring(colon + 1));
      if (in.length <= IV_BYTES) {
        throw new SecretException("sealed value too short");
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new SecretException("sealed value cannot be opened");
    }
  }

  /** A sealed value could not be opened; says nothing about the value itself. */
  public static final class SecretException extends RuntimeException {
    public SecretException(String message) {
      super(message, null, false, false);
    }
  }
}
