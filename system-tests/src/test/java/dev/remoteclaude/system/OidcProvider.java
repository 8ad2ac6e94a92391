package dev.remoteclaude.system;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * A small OpenID Connect provider for the dashboard's sign-in test: discovery, {@code /authorize}
 * (which signs in {@link #user} at once and sends the browser back with a code, after checking the
 * client, the redirect URI and that a PKCE challenge came with method S256), {@code /token}
 * (authorization_code, checking the verifier against the challenge as RFC 7636 section 4.6 says;
 * refresh_token), {@code /jwks} (the ID tokens' key) and {@code /logout}. Access tokens come from
 * {@code accessTokens}: tokens the platform's services trust.
 */
final class OidcProvider implements AutoCloseable {

  /** RFC 7636 section 4.1: 43 to 128 unreserved characters. */
  private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

  private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");

  record Grant(String challenge, String redirectUri, String nonce, String user) {}

  private final HttpServer server;
  private final String clientId;
  private final String redirectUri;
  private final BiFunction<String, Duration, String> accessTokens;
  private final RsaJsonWebKey idTokenKey;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Grant> codes = new ConcurrentHashMap<>();
  private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();

  /** Who signs in at /authorize next. */
  volatile String user = "nobody";

  /**
   * The next code exchange hands out an access token that has expired already (then valid ones).
   */
  final AtomicBoolean expiredOnce = new AtomicBoolean();

  /** The next /authorize shows a page with a link back instead of redirecting at once. */
  final AtomicBoolean holdNext = new AtomicBoolean();

  final List<Map<String, String>> authorizeRequests = new CopyOnWriteArrayList<>();
  final AtomicInteger codesExchanged = new AtomicInteger();
  final AtomicInteger verifiersRefused = new AtomicInteger();
  final AtomicInteger tokenRequests = new AtomicInteger();
  final AtomicInteger refreshes = new AtomicInteger();
  final AtomicInteger logouts = new AtomicInteger();

  /**
   * @param accessTokens a user's access token for a lifetime (a negative one: expired already)
   */
  OidcProvider(
      String clientId, String redirectUri, BiFunction<String, Duration, String> accessTokens)
      throws IOException {
    this.clientId = clientId;
    this.redirectUri = redirectUri;
    this.accessTokens = accessTokens;
    try {
      idTokenKey = RsaJwkGenerator.generateJwk(2048);
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
    idTokenKey.setKeyId("id-1");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(PATH + "/.well-known/openid-configuration", this::discovery);
    server.createContext(PATH + "/authorize", this::authorize);
    server.createContext(PATH + "/token", this::token);
    server.createContext(PATH + "/jwks", this::jwks);
    server.createContext(PATH + "/logout", this::logout);
    server.start();
  }

  private static final String PATH = "/realms/rc";

  String issuer() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
  }

  private void discovery(HttpExchange exchange) throws IOException {
    JsonObject doc =
        new JsonObject()
            .put("issuer", issuer())
            .put("authorization_endpoint", issuer() + "/authorize")
            .put("token_endpoint", issuer() + "/token")
            .put("jwks_uri", issuer() + "/jwks")
            .put("end_session_endpoint", issuer() + "/logout")
            .put("response_types_supported", List.of("code"))
            .put("grant_types_supported", List.of("authorization_code", "refresh_token"))
            .put("code_challenge_methods_supported", List.of("S256"))
            .put("subject_types_supported", List.of("public"))
            .put("id_token_signing_alg_values_supported", List.of("RS256"))
            .put("token_endpoint_auth_methods_supported", List.of("none"));
    json(exchange, 200, doc);
  }

  private void authorize(HttpExchange exchange) throws IOException {
    Map<String, String> q = form(exchange.getRequestURI().getRawQuery());
    authorizeRequests.add(q);
    // Errors about the client or the redirect URI are shown here, never sent to that URI.
    if (!clientId.equals(q.get("client_id")) || !redirectUri.equals(q.get("redirect_uri"))) {
      text(exchange, 400, "unknown client or redirect_uri");
      return;
    }
    String back;
    if (!"code".equals(q.get("response_type"))
        || !"S256".equals(q.get("code_challenge_method"))
        || q.get("code_challenge") == null
        || !CHALLENGE.matcher(q.get("code_challenge")).matches()) {
      back =
          redirectUri
              + "?error=invalid_request&error_description="
              + encode("PKCE with S256 is required")
              + state(q);
    } else {
      String code = randomToken();
      codes.put(
          code, new Grant(q.get("code_challenge"), q.get("redirect_uri"), q.get("nonce"), user));
      back = redirectUri + "?code=" + encode(code) + state(q);
    }
    if (holdNext.getAndSet(false)) {
      String page =
          "<!doctype html><title>Provider</title><a id=\"continue\" href=\""
              + back.replace("&", "&amp;").replace("\"", "&quot;")
              + "\">Continue</a>";
      byte[] body = page.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
      return;
    }
    exchange.getResponseHeaders().set("location", back);
    exchange.sendResponseHeaders(302, -1);
    exchange.close();
  }

  private static String state(Map<String, String> q) {
    return q.get("state") == null ? "" : "&state=" + encode(q.get("state"));
  }

  private void token(HttpExchange exchange) throws IOException {
    // The dashboard calls from its own origin: a public client's token endpoint allows CORS.
    exchange.getResponseHeaders().set("access-control-allow-origin", "*");
    if ("OPTIONS".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("access-control-allow-methods", "POST");
      exchange.getResponseHeaders().set("access-control-allow-headers", "content-type, accept");
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
      return;
    }
    if (!"POST".equals(exchange.getRequestMethod())) {
      json(exchange, 405, new JsonObject().put("error", "invalid_request"));
      return;
    }
    tokenRequests.incrementAndGet();
    Map<String, String> form =
        form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII));
    if (!clientId.equals(form.get("client_id"))) {
      json(exchange, 401, new JsonObject().put("error", "invalid_client"));
      return;
    }
    switch (String.valueOf(form.get("grant_type"))) {
      case "authorization_code" -> {
        Grant grant = codes.remove(String.valueOf(form.get("code")));
        if (grant == null || !grant.redirectUri().equals(form.get("redirect_uri"))) {
          json(exchange, 400, invalidGrant("unknown or used code"));
          return;
        }
        String verifier = form.get("code_verifier");
        if (verifier == null
            || !VERIFIER.matcher(verifier).matches()
            || !MessageDigest.isEqual(
                challengeOf(verifier).getBytes(StandardCharsets.US_ASCII),
                grant.challenge().getBytes(StandardCharsets.US_ASCII))) {
          verifiersRefused.incrementAndGet();
          json(exchange, 400, invalidGrant("code_verifier does not match the code_challenge"));
          return;
        }
        codesExchanged.incrementAndGet();
        Duration lifetime =
            expiredOnce.getAndSet(false) ? Duration.ofMinutes(-5) : Duration.ofHours(1);
        String access = accessTokens.apply(grant.user(), lifetime);
        json(exchange, 200, tokens(grant.user(), access, grant.nonce()));
      }
      case "refresh_token" -> {
        String user = refreshTokens.remove(String.valueOf(form.get("refresh_token")));
        if (user == null) {
          json(exchange, 400, invalidGrant("unknown refresh token"));
          return;
        }
        refreshes.incrementAndGet();
        json(exchange, 200, tokens(user, accessTokens.apply(user, Duration.ofHours(1)), null));
      }
      default -> json(exchange, 400, new JsonObject().put("error", "unsupported_grant_type"));
    }
  }

  /** RFC 7636 section 4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge. */
  static String challengeOf(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject invalidGrant(String description) {
    return new JsonObject().put("error", "invalid_grant").put("error_description", description);
  }

  private JsonObject tokens(String user, String access, String nonce) {
    String refresh = randomToken();
    refreshTokens.put(refresh, user);
    JsonObject answer =
        new JsonObject()
            .put("access_token", access)
            .put("token_type", "Bearer")
            .put("expires_in", 3600)
            .put("refresh_token", refresh);
    if (nonce != null) {
      answer.put("id_token", idToken(user, nonce));
    }
    return answer;
  }

  private String idToken(String user, String nonce) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(issuer());
    claims.setAudience(clientId);
    claims.setSubject(user);
    claims.setClaim("nonce", nonce);
    claims.setIssuedAtToNow();
    claims.setExpirationTimeMinutesInTheFuture(5);
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(idTokenKey.getPrivateKey());
    jws.setKeyIdHeaderValue(idTokenKey.getKeyId());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  private void jwks(HttpExchange exchange) throws IOException {
    byte[] body = new JsonWebKeySet(idTokenKey).toJson().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private void logout(HttpExchange exchange) throws IOException {
    Map<String, String> q = form(exchange.getRequestURI().getRawQuery());
    if (!redirectUri.equals(q.get("post_logout_redirect_uri"))) {
      text(exchange, 400, "unknown post_logout_redirect_uri");
      return;
    }
    logouts.incrementAndGet();
    exchange.getResponseHeaders().set("location", q.get("post_logout_redirect_uri"));
    exchange.sendResponseHeaders(302, -1);
    exchange.close();
  }

  private String randomToken() {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void json(HttpExchange exchange, int status, JsonObject body) throws IOException {
    byte[] bytes = body.encode().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.getResponseHeaders().set("access-control-allow-origin", "*");
    exchange.getResponseHeaders().set("cache-control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static void text(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  /** A query string or form body (application/x-www-form-urlencoded): each name's first value. */
  private static Map<String, String> form(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    new QueryStringDecoder(raw == null ? "" : raw, StandardCharsets.UTF_8, false)
        .parameters()
        .forEach((name, values) -> out.put(name, values.get(0)));
    return out;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
