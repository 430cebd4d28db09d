// Starts the playground: loads the Go engine (web/whittle.wasm, built by
// scripts/build-web) and runs it; wasm/playground does the rest.
//
// index.html loads this script first and without "defer", so the engine is
// downloaded and compiled, and the first example fetched, while the editors'
// bundle is still being parsed; the engine starts once the page is parsed and
// the deferred scripts (CodeMirror, wasm_exec.js) have run.
"use strict";
(() => {
  const stats = (window.whittleStats = window.whittleStats || {});
  stats.appStartMs = performance.now();
  const module = WebAssembly.compileStreaming(fetch("web/whittle.wasm"));
  module.catch(() => {}); // reported below, once the page can show it

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
    for (const f of [first.policy, first.findings, first.catalog]) {
      if (f) prefetch("web/examples/" + f);
    }
  }).catch(() => {});

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
