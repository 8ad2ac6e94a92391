// The dashboard: a hash router over four pages. Each page is a function (root, params) that fills
// root and may return a function that stops what it started (timers, the stream).

import { token, signIn, signOut, call, Problem, setRenewal } from "./api.js";
import { loadConfig, beginSignIn, completeSignIn, expiresSoon, refresh, endSession, forget } from "./oidc.js";
import { h, fill } from "./dom.js";
import { sessionsPage } from "./sessions.js";
import { sessionPage } from "./session.js";
import { usagePage } from "./usage.js";

const main = document.getElementById("main");
const errorBox = document.getElementById("error");
let stop = null;
// How to sign in (/config.json): {mode: "local"} (paste a token) or {mode: "oidc", issuer, clientId}.
let config = { mode: "local" };

/** Shows an error (a Problem's detail) above the page; null hides it. */
export function showError(error) {
  if (!error) {
    errorBox.hidden = true;
    errorBox.replaceChildren();
    return;
  }
  const text = error instanceof Problem || error instanceof Error ? error.message : String(error);
  fill(errorBox, h("span", {}, text), h("button", { type: "button", class: "ghost", onclick: () => showError(null), "aria-label": "Dismiss" }, "×"));
  errorBox.hidden = false;
}

/** Sign-in through the configured OpenID Connect provider (Authorization Code with PKCE). */
function oidcSignInPage(root, params) {
  const button = h("button", { type: "button", id: "oidc-signin" }, "Sign in");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await beginSignIn(config, params.next);
    } catch (error) {
      button.disabled = false;
      showError(error);
    }
  });
  let provider = config.issuer;
  try {
    provider = new URL(config.issuer).host;
  } catch (e) {
    // shown as configured
  }
  fill(
    root,
    h(
      "div",
      { class: "card narrow", id: "signin" },
      h("h1", {}, "Sign in"),
      h("p", { class: "muted" }, "You sign in with your account at ", h("code", {}, provider), "."),
      h("div", { class: "row" }, button)
    )
  );
  button.focus();
}

function signInPage(root, params) {
  if (config.mode === "oidc") {
    oidcSignInPage(root, params);
    return;
  }
  const input = h("textarea", { id: "token", rows: 4, required: true, autocomplete: "off", spellcheck: "false", "aria-describedby": "token-help" });
  const form = h(
    "form",
    { class: "card narrow", id: "signin" },
    h("h1", {}, "Sign in"),
    h(
      "p",
      { id: "token-help", class: "muted" },
      "Paste a token of the platform's identity provider. Locally, ",
      h("code", {}, "./rc token <your name>"),
      " prints one, signed by the launcher's key."
    ),
    h("label", { for: "token" }, "Token"),
    input,
    h("div", { class: "row" }, h("button", { type: "submit" }, "Sign in"))
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = input.value.trim().replace(/^Bearer\s+/i, "");
    signIn(value);
    try {
      await call("/api/v1/sessions?size=1");
      showError(null);
      const target = params.next || "#/sessions";
      if (location.hash === target) render();
      else location.hash = target;
    } catch (error) {
      signOut();
      showError(error.status === 401 ? "This token was not accepted (expired, or not signed by the platform's key)." : error);
    }
  });
  fill(root, form);
  input.focus();
}

const routes = [
  [/^#\/sessions\/([0-9a-fA-F-]{36})$/, (root, m) => sessionPage(root, m[1])],
  [/^#\/usage$/, (root) => usagePage(root)],
  [/^#\/sessions$/, (root) => sessionsPage(root)],
];

function render() {
  if (stop) {
    stop();
    stop = null;
  }
  const hash = location.hash || "#/sessions";
  document.getElementById("signout").hidden = !token();
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.toggleAttribute("aria-current", hash.startsWith("#/" + link.dataset.nav));
  }
  if (!token() || hash === "#/signin") {
    signInPage(main, { next: hash === "#/signin" ? null : hash });
    return;
  }
  for (const [pattern, page] of routes) {
    const match = hash.match(pattern);
    if (match) {
      try {
        const result = page(main, match);
        if (typeof result === "function") stop = result;
      } catch (error) {
        showError(error);
      }
      return;
    }
  }
  fill(main, h("div", { class: "card" }, h("h1", {}, "Not found"), h("p", {}, "There is no such page. "), h("a", { href: "#/sessions" }, "Your sessions")));
}

// Theme: the system's by default; the button switches and remembers.
function applyTheme() {
  const theme = localStorage.getItem("rc.theme");
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}
document.getElementById("theme").addEventListener("click", () => {
  const dark = document.documentElement.dataset.theme
    ? document.documentElement.dataset.theme === "dark"
    : matchMedia("(prefers-color-scheme: dark)").matches;
  localStorage.setItem("rc.theme", dark ? "light" : "dark");
  applyTheme();
});
document.getElementById("signout").addEventListener("click", async () => {
  if (config.mode === "oidc") {
    history.replaceState(null, "", location.pathname + "#/signin");
    if (await endSession(config)) return;
  } else {
    signOut();
  }
  location.hash = "#/signin";
  render();
});
window.addEventListener("rc-signed-out", (e) => {
  showError(e.detail);
  render();
});
window.addEventListener("unhandledrejection", (e) => showError(e.reason));
window.addEventListener("hashchange", () => {
  showError(null);
  render();
});
applyTheme();

async function start() {
  config = await loadConfig();
  if (config.mode === "oidc") {
    setRenewal(async (refused) => {
      if (!refused && !expiresSoon()) return true;
      if (await refresh(config)) return true;
      // no refresh token, or it was refused: sign in again
      forget();
      return false;
    });
    try {
      const next = await completeSignIn(config);
      if (next) {
        if (location.hash === next) {
          render();
        } else {
          location.hash = next;
        }
        return;
      }
    } catch (error) {
      forget();
      showError(error);
    }
  }
  render();
}
start();
