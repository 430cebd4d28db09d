// Starts the playground: loads the Go engine (web/whittle.wasm, built by
// scripts/build-web) and runs it in the page, and for large inputs in a Web
// Worker (web/engine-worker.js); wasm/playground does the rest.
//
// index.html loads this script first and without "defer", so the engine is
// downloaded and compiled, and the first example fetched, while the editors'
// bundle is still being parsed; the engine starts once the page is parsed and
// the deferred scripts (CodeMirror, wasm_exec.js) have run.
"use strict";
(() => {
  const stats = (window.whittleStats = window.whittleStats || {});
  stats.appStartMs = performance.now();
  // The engine is compiled as it downloads; a counter on the way reports
  // progress in the status line (the page is parsed by then, or soon).
  const showProgress = (text) => {
    const status = document.getElementById("status");
    if (status) status.textContent = text;
  };
  stats.wasmBytes = 0;
  const module = WebAssembly.compileStreaming(fetch("web/whittle.wasm").then((resp) => {
    if (!resp.ok || !resp.body) return resp;
    const counter = new TransformStream({
      transform(chunk, ctl) {
        stats.wasmBytes += chunk.byteLength;
        showProgress("Loading the engine… " + (stats.wasmBytes / 1e6).toFixed(1) + " MB");
        ctl.enqueue(chunk);
      },
      flush() {
        showProgress("Starting the engine…");
      },
    });
    return new Response(resp.body.pipeThrough(counter), { headers: { "Content-Type": "application/wasm" } });
  }));
  module.catch(() => {}); // reported below, once the page can show it

  // Large inputs are refined in a Web Worker (web/engine-worker.js) with its
  // own instance of the same module, so that no long refinement blocks the
  // page; small ones stay in the page, which answers them within a frame
  // (wasm/playground/engineside.go says where the line is). The worker starts
  // at the first request, which wasm/playground sends after the first result
  // (a small policy, to warm it up), so the first result does not wait for a
  // second engine. whittleEngine(op, body) posts it a request and returns the
  // promise of its answer: a list of texts, or null when a newer refinement
  // superseded it before it ran.
  let worker = null;
  const waiting = new Map();
  let lastId = 0;
  let broken = null;
  const fail = (why) => {
    broken = new Error("the engine's worker stopped: " + why);
    for (const w of waiting.values()) w.reject(broken);
    waiting.clear();
  };
  const start = () => {
    if (worker) return;
    worker = new Worker("web/engine-worker.js");
    worker.onmessage = (ev) => {
      const m = ev.data;
      if (m.failed) return fail(m.failed);
      const w = waiting.get(m.id);
      if (!w) return;
      stats.answerMs = performance.now();
      waiting.delete(m.id);
      w.resolve(m.parts);
    };
    worker.onerror = (ev) => fail(ev.message || "error");
    module.then((m) => worker.postMessage({ module: m }), (err) => fail(String(err)));
  };
  window.whittleEngine = (op, body) => new Promise((resolve, reject) => {
    if (broken) return reject(broken);
    start();
    const id = ++lastId;
    waiting.set(id, { resolve, reject });
    worker.postMessage({ id, op, body });
  });
  // whittleYield resolves after the browser has had a chance to run other
  // tasks (input, drawing): long drawing is cut into tasks with it.
  const tick = new MessageChannel();
  const ticks = [];
  tick.port1.onmessage = () => ticks.shift()();
  window.whittleYield = () => new Promise((resolve) => {
    ticks.push(resolve);
    tick.port2.postMessage(0);
  });

  // whittlePrefetch maps a URL to the promise of its text; wasm/playground's
  // fetchText takes a file from here before asking the network.
  const prefetched = (window.whittlePrefetch = {});
  const prefetch = (url) => {
    const p = fetch(url).then((r) => (r.ok ? r.text() : Promise.reject(new Error(url + ": " + r.status))));
    p.catch(() => {}); // a failure is reported by whoever awaits it
    prefetched[url] = p;
    return p;
  };
  const shared = location.hash.startsWith("#v"); // a share link: no example to load
  prefetch("web/examples/index.json").then((text) => {
    if (shared) return;
    const first = JSON.parse(text)[0] || {};
    for (const f of Object.values(first.files || {})) prefetch("web/examples/" + f);
  }).catch(() => {});

  // whittleBuild(parent, json, ns) makes the elements that wasm/playground
  // describes as a list of [tag, [name, value, ...], text, [children...]] (its
  // vnode), in namespace ns ("" for HTML), and appends them to parent: one call
  // from Go for a whole trie or diff. Text is set as textContent only;
  // attribute names come from the Go code.
  const make = ([tag, attrs, text, kids], ns) => {
    const el = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (let i = 0; i + 1 < attrs.length; i += 2) el.setAttribute(attrs[i], attrs[i + 1]);
    if (text) el.textContent = text;
    for (const k of kids) el.appendChild(make(k, ns));
    return el;
  };
  window.whittleBuild = (parent, json, ns) => {
    const frag = document.createDocumentFragment();
    for (const n of JSON.parse(json)) frag.appendChild(make(n, ns));
    parent.appendChild(frag);
  };

  // whittleOffline registers the service worker (sw.js at the site's root, from
  // web/sw.js), which keeps the page, the engine and the examples for use
  // offline. wasm/playground calls it after the first result, so that filling
  // the cache does not compete with the first load.
  window.whittleOffline = () => {
    if (!("serviceWorker" in navigator)) return;
    // A page served by an earlier build's service worker sees a new build's
    // worker take over (sw.js: skipWaiting, clients.claim) while it still runs
    // the earlier code: it says so, and reloads only when asked, since a
    // reload would drop what is typed in the editors.
    if (navigator.serviceWorker.controller) {
      navigator.serviceWorker.addEventListener("controllerchange", () => {
        const note = document.getElementById("update-note");
        if (note) note.hidden = false;
      });
    }
    navigator.serviceWorker.register("sw.js").catch(() => {}); // no offline use, nothing else lost
  };
  document.addEventListener("click", (ev) => {
    if (ev.target && ev.target.id === "update-reload") location.reload();
  });

  document.addEventListener("DOMContentLoaded", async () => {
    const status = document.getElementById("status");
    try {
      const go = new Go();
      const instance = await WebAssembly.instantiate(await module, go.importObject);
      stats.instantiatedMs = performance.now();
      go.run(instance);
    } catch (err) {
      status.textContent = "The engine could not start: " + err;
    }
  });
})();
