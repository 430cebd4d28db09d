// The playground's engine for large inputs, in a dedicated Web Worker so
// that the page's main thread only edits and draws while it refines.
// web/app.js starts it and posts it the engine (web/whittle.wasm, compiled
// once as a WebAssembly.Module); the same Go program then finds no document
// here and serves requests (wasm/playground/engineside.go:
// whittleServe(op, body) → a list of texts).
//
// Requests are served one at a time, one per task, oldest first; a refinement
// (or the warm-up, "warm") with a newer refinement already waiting is skipped
// (answered null): the page draws only the newest's answer anyway.
"use strict";
importScripts("wasm_exec.js");
let serve = null;
const queue = [];
const tick = new MessageChannel();
let scheduled = false;
const schedule = () => {
  if (serve && queue.length && !scheduled) {
    scheduled = true;
    tick.port2.postMessage(0);
  }
};
tick.port1.onmessage = () => {
  scheduled = false;
  const m = queue.shift();
  if ((m.op === "refine" || m.op === "warm") && queue.some((n) => n.op === "refine")) {
    postMessage({ id: m.id, parts: null });
  } else {
    let parts;
    try {
      parts = serve(m.op, m.body);
    } catch (err) {
      parts = [JSON.stringify({ error: { code: "internal", message: String(err) } })];
    }
    postMessage({ id: m.id, parts });
  }
  schedule();
};
self.onmessage = async (ev) => {
  const m = ev.data;
  if (m.module) {
    try {
      const go = new Go();
      const instance = await WebAssembly.instantiate(m.module, go.importObject);
      go.run(instance); // returns once main waits: whittleServe is set
      serve = self.whittleServe;
    } catch (err) {
      postMessage({ failed: String(err) });
    }
    schedule();
    return;
  }
  queue.push(m);
  schedule();
};
