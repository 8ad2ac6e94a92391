package dev.remoteclaude.launcher;

import dev.remoteclaude.infra.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * The local platform's keys, made on first start and kept (0600) under the platform's home: the RSA
 * pair that signs and verifies bearer tokens (the local stand-in for an identity provider), the AES
 * key that seals secrets at rest, the database password and the Kafka password. Nothing of it is in
 * git.
 */
public final class LocalKeys {

  public static final String ISSUER = "remote-claude-local";
  public static final String AUDIENCE = "remote-claude";

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String secretKey;
  private final String databasePassword;
  private final String kafkaPassword;

  private LocalKeys(
      PrivateKey privateKey,
      PublicKey publicKey,
      String secretKey,
      String databasePassword,
      String kafkaPassword) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.secretKey = secretKey;
    this.databasePassword = databasePassword;
    this.kafkaPassword = kafkaPassword;
  }

  /** Loads the keys from {@code dir}, creating any that are missing. */
  public static LocalKeys load(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Path priv = dir.resolve("auth-private.der");
      Path pub = dir.resolve("auth-public.der");
      if (!Files.exists(priv) || !Files.exists(pub)) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        write(priv, pair.getPrivate().getEncoded());
        write(pub, pair.getPublic().getEncoded());
      }
      KeyFactory rsa = KeyFactory.getInstance("RSA");
      PrivateKey privateKey =
          rsa.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv)));
      PublicKey publicKey = rsa.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub)));
      String secret = readOrCreate(dir.resolve("secrets.key"), 32);
      String dbPassword = readOrCreate(dir.resolve("database.password"), 24);
      Path kafka = dir.resolve("kafka.password");
      if (!Files.exists(kafka)) {
        write(kafka, LocalKafka.randomPassword().getBytes(StandardCharsets.US_ASCII));
      }
      String kafkaPassword = Files.readString(kafka).strip();
      return new LocalKeys(privateKey, publicKey, secret, dbPassword, kafkaPassword);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the local keys in " + dir, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the local keys", e);
    }
  }

  private static String readOrCreate(Path file, int bytes) throws IOException {
    if (!Files.exists(file)) {
      byte[] raw = new byte[bytes];
      new SecureRandom().nextBytes(raw);
      write(file, Base64.getEncoder().encodeToString(raw).getBytes());
    }
    return Files.readString(file).strip();
  }

  private static void write(Path file, byte[] content) throws IOException {
    Files.write(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  /** The public key as base64 DER: what the services' quarkus.oidc.public-key takes. */
  public String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(publicKey.getEncoded());
  }

  /** AES-256 key (base64) that seals secrets at rest (rc.secrets.keys.k1). */
  public String secretKey() {
    return secretKey;
  }

  public String databasePassword() {
    return databasePassword;
  }

  /** The password of the local Kafka broker's one user (URL-safe characters only). */
  public String kafkaPassword() {
    return kafkaPassword;
  }

  /** A bearer token for {@code user}, valid for {@code lifetime}. */
  public String token(String user, Duration lifetime) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(ISSUER);
    claims.setAudience(AUDIENCE);
    claims.setSubject(user);
    claims.setClaim("upn", user);
    claims.setIssuedAtToNow();
    claims.setGeneratedJwtId();
    claims.setExpirationTime(
        NumericDate.fromSeconds(Instant.now().plus(lifetime).getEpochSecond()));
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(privateKey);
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    jws.setHeader("typ", "JWT");
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
  }
}
