// Sign-in through an OpenID Connect provider: the Authorization Code flow with PKCE (RFC 7636,
// S256) as a public client (no secret). The provider is the one /config.json names (the server
// writes that file; locally it says {"mode": "local"} and the key sign-in is used instead).
//
// What is kept, all in this tab's sessionStorage (never localStorage, never in a URL): while the
// provider is asked, the code verifier, state and nonce of this one attempt; after it, the access
// token (api.js), the refresh token, the access token's expiry and the ID token (for sign-out).

import { signIn, signOut } from "./api.js";

const PENDING = "rc.oidc.pending";
const REFRESH = "rc.oidc.refresh";
const EXPIRES = "rc.oidc.expires";
const ID_TOKEN = "rc.oidc.id";

/** The sign-in settings the server publishes; {mode: "local"} when it has none. */
export async function loadConfig() {
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (!response.ok) return { mode: "local" };
    const config = await response.json();
    if (config && config.mode === "oidc" && config.issuer && config.clientId) return config;
  } catch (e) {
    // unreachable or not JSON: the key sign-in still works
  }
  return { mode: "local" };
}

let discovered = null;

/** The provider's metadata (OpenID Connect Discovery); its issuer must be the configured one. */
async function discover(config) {
  if (discovered && discovered.issuer === config.issuer) return discovered;
  let metadata;
  try {
    const response = await fetch(config.issuer.replace(/\/+$/, "") + "/.well-known/openid-configuration");
    if (!response.ok) throw new Error(String(response.status));
    metadata = await response.json();
  } catch (e) {
    throw new Error("The identity provider " + config.issuer + " cannot be reached.");
  }
  if (metadata.issuer !== config.issuer || !metadata.authorization_endpoint || !metadata.token_endpoint) {
    throw new Error("The identity provider's discovery document does not describe " + config.issuer + ".");
  }
  discovered = metadata;
  return metadata;
}

function base64url(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A random string of the unreserved characters RFC 7636 allows (32 bytes: 43 characters). */
function randomString(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** code_challenge = BASE64URL(SHA-256(ASCII(code_verifier))), RFC 7636 section 4.2. */
async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Where the provider sends the browser back: this page, without query or fragment. */
export function redirectUri(config) {
  return config.redirectUri || location.origin + location.pathname;
}

/** Sends the browser to the provider; after signing in there it comes back with ?code&state. */
export async function beginSignIn(config, next) {
  const metadata = await discover(config);
  const verifier = randomString(32);
  const state = randomString(16);
  const nonce = randomString(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, next: next || null }));
  const url = new URL(metadata.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", redirectUri(config));
  url.searchParams.set("scope", config.scope || "openid");
  url.searchParams.set("state", state);
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("code_challenge", await challengeOf(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  location.assign(url.toString());
}

/** The claims of a JWT's payload (not verified: the token came straight from the token endpoint). */
function claimsOf(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const text = atob(part + "=".repeat((4 - (part.length % 4)) % 4));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0))));
  } catch (e) {
    return null;
  }
}

async function tokenRequest(metadata, form) {
  let response;
  try {
    response = await fetch(metadata.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(form),
    });
  } catch (e) {
    throw new Error("The identity provider's token endpoint cannot be reached.");
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    // not JSON
  }
  if (!response.ok || !body || !body.access_token) {
    const reason = (body && (body.error_description || body.error)) || `${response.status} ${response.statusText}`;
    throw new Error("The identity provider refused the sign-in: " + reason);
  }
  return body;
}

function keep(tokens) {
  signIn(tokens.access_token);
  if (tokens.refresh_token) sessionStorage.setItem(REFRESH, tokens.refresh_token);
  const lifetime = Number(tokens.expires_in);
  if (lifetime > 0) sessionStorage.setItem(EXPIRES, String(Date.now() + lifetime * 1000));
  else sessionStorage.removeItem(EXPIRES);
  if (tokens.id_token) sessionStorage.setItem(ID_TOKEN, tokens.id_token);
}

/**
 * Finishes a sign-in when the page was opened with the provider's answer (?code&state or ?error):
 * checks the state against this tab's attempt, exchanges the code with the verifier, checks the ID
 * token's nonce, issuer and audience. Resolves with the page to show next, or null when the page was
 * not opened with an answer; rejects with the reason the sign-in failed.
 */
export async function completeSignIn(config) {
  const answer = new URLSearchParams(location.search);
  if (!answer.has("code") && !answer.has("error")) return null;
  // The code leaves the address bar (and the history) at once; it is good for one exchange.
  history.replaceState(null, "", location.pathname + location.hash);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  if (!pending || answer.get("state") !== pending.state) {
    throw new Error("This sign-in answer does not belong to a sign-in started in this tab (state); sign in again.");
  }
  if (answer.has("error")) {
    throw new Error("The identity provider refused the sign-in: " + (answer.get("error_description") || answer.get("error")));
  }
  const metadata = await discover(config);
  const tokens = await tokenRequest(metadata, {
    grant_type: "authorization_code",
    code: answer.get("code"),
    redirect_uri: redirectUri(config),
    client_id: config.clientId,
    code_verifier: pending.verifier,
  });
  const claims = tokens.id_token ? claimsOf(tokens.id_token) : null;
  if (!claims || claims.nonce !== pending.nonce) {
    throw new Error("The identity provider's answer is not for this sign-in (nonce); sign in again.");
  }
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== metadata.issuer || !audience.includes(config.clientId)) {
    throw new Error("The identity provider's ID token is not for this dashboard; sign in again.");
  }
  keep(tokens);
  return pending.next || "#/sessions";
}

/** True when the access token ends within a minute (refresh it before calling). */
export function expiresSoon() {
  const expires = Number(sessionStorage.getItem(EXPIRES));
  return expires > 0 && expires - Date.now() < 60_000;
}

let refreshing = null;

/**
 * A new access token from the refresh token; false when there is none or it is refused. Calls
 * refused at the same time share one refresh (a provider that rotates refresh tokens accepts each
 * only once).
 */
export function refresh(config) {
  if (!refreshing) refreshing = refreshOnce(config).finally(() => (refreshing = null));
  return refreshing;
}

async function refreshOnce(config) {
  const refreshToken = sessionStorage.getItem(REFRESH);
  if (!refreshToken) return false;
  try {
    const metadata = await discover(config);
    keep(await tokenRequest(metadata, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: config.clientId }));
    return true;
  } catch (e) {
    sessionStorage.removeItem(REFRESH);
    return false;
  }
}

/**
 * Forgets every token of this tab; where the provider has an end_session_endpoint, the browser
 * goes there to end the provider's session too and comes back to the sign-in page.
 */
export async function endSession(config) {
  const idToken = sessionStorage.getItem(ID_TOKEN);
  forget();
  let metadata = null;
  try {
    metadata = await discover(config);
  } catch (e) {
    return false;
  }
  if (!metadata.end_session_endpoint) return false;
  const url = new URL(metadata.end_session_endpoint);
  if (idToken) url.searchParams.set("id_token_hint", idToken);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("post_logout_redirect_uri", redirectUri(config));
  location.assign(url.toString());
  return true;
}

/** Removes the tokens (the access token too) from this tab. */
export function forget() {
  signOut();
  for (const key of [REFRESH, EXPIRES, ID_TOKEN]) sessionStorage.removeItem(key);
}
