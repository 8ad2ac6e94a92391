// A session's stream (docs/streaming.md): replay after a cursor, then live. Reconnects with
// ?after=<last seq handled>, and hands each sequence number on exactly once, in order: a message
// at or below the cursor (seen already) is dropped, so a reconnect neither loses nor doubles one.

import { token } from "./api.js";

export class SessionStream {
  constructor(sessionId, onEvent, onStatus) {
    this.sessionId = sessionId;
    this.onEvent = onEvent;
    this.onStatus = onStatus || (() => {});
    this.lastSeq = 0;
    this.closed = false;
    this.retry = 500;
  }

  open() {
    if (this.closed) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${location.host}/ws/sessions/${encodeURIComponent(this.sessionId)}?after=${this.lastSeq}`;
    const ws = new WebSocket(url, [
      "rc.v1",
      "quarkus-http-upgrade#Authorization#" + encodeURIComponent("Bearer " + token()),
    ]);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 500;
      this.onStatus("live");
    };
    ws.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      if (typeof event.seq !== "number") return; // heartbeat
      if (event.seq <= this.lastSeq) return; // seen already
      this.lastSeq = event.seq;
      this.onEvent(event);
    };
    ws.onclose = (close) => {
      if (this.closed) return;
      if (close.code === 4029) {
        this.onStatus("too many streams open in other tabs; close one and reload");
        return;
      }
      this.onStatus("reconnecting");
      setTimeout(() => this.open(), this.retry);
      this.retry = Math.min(this.retry * 2, 10000);
    };
  }

  close() {
    this.closed = true;
    if (this.ws) this.ws.close(1000);
  }
}
