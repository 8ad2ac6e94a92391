// The public API, with the bearer token kept in sessionStorage (never in a URL).

const TOKEN = "rc.token";

export function token() {
  return sessionStorage.getItem(TOKEN);
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN, value);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
}

// With an OIDC provider (oidc.js): renews the access token; renew(false) only when it is about to
// expire, renew(true) after a refusal. Resolves true when there is a (new) token to use.
let renew = null;

export function setRenewal(fn) {
  renew = fn;
}

/** An error answer: the problem+json document's detail (or title), and its status. */
export class Problem extends Error {
  constructor(status, detail, problem) {
    super(detail);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * Calls the API; resolves with the parsed JSON (or text/bytes as asked), rejects with a Problem.
 * options: {method, body (JSON), raw (a body sent as octet-stream), as: "json"|"bytes"}.
 */
export async function call(path, options = {}) {
  if (renew) await renew(false);
  const headers = { Authorization: "Bearer " + token(), Accept: "application/json, application/problem+json, */*" };
  let body;
  if (options.raw !== undefined) {
    headers["Content-Type"] = "application/octet-stream";
    body = options.raw;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(path, { method: options.method || "GET", headers, body });
  } catch (e) {
    throw new Problem(0, "The platform cannot be reached; check that it is running.");
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch (e) {
      // not JSON: fall back to the status line
    }
    const detail =
      (problem && (problem.detail || problem.title)) || `${response.status} ${response.statusText}`;
    if (response.status === 401 && renew && !options.renewed && (await renew(true))) {
      return call(path, { ...options, renewed: true });
    }
    if (response.status === 401) {
      signOut();
      window.dispatchEvent(new CustomEvent("rc-signed-out", { detail }));
    }
    throw new Problem(response.status, detail, problem);
  }
  if (options.as === "bytes") return new Uint8Array(await response.arrayBuffer());
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** A path with its query parameters, leaving out empty ones. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") query.set(k, v);
  }
  const s = query.toString();
  return s ? `${path}?${s}` : path;
}
