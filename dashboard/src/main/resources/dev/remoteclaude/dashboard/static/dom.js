// Building the page without innerHTML: every string becomes a text node, so text from the API
// (Claude's output, file names, file contents, problem details) is shown, never interpreted.

/** h("button", {class: "x", onclick: fn}, "text", child, ...) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function ago(instant) {
  if (!instant) return "";
  return duration((Date.now() - Date.parse(instant)) / 1000) + " ago";
}

export function until(instant) {
  if (!instant) return "";
  const seconds = (Date.parse(instant) - Date.now()) / 1000;
  return seconds <= 0 ? "now" : "in " + duration(seconds);
}

export function duration(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  const d = Math.floor(seconds / 86400), hr = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  if (d) return `${d}d ${hr}h`;
  if (hr) return `${hr}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

export function usd(amount) {
  const n = Number(amount || 0);
  return "$" + (n < 1 ? n.toFixed(4) : n.toFixed(2));
}

/** Asks before something that cannot be undone; resolves true when the user confirms. */
export function confirmAction(text, label) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-ok").textContent = label || "Confirm";
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}
