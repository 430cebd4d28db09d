// The playground's service worker: after one visit the page works offline.
// scripts/build-web copies this file to the site's root (a service worker only
// controls pages at or below its own path) and writes the build's version into
// VERSION, so a new build installs a new cache and drops the old one.
//
// Files of the page's origin are answered from the cache first (the page,
// the engine, the examples), then from the network, and kept once fetched. The
// API (/api/) is never cached. Nothing is fetched from anywhere else.
"use strict";
const VERSION = "dev";
const CACHE = "whittle-" + VERSION;
const CORE = [
  "./", "index.html", "web/style.css", "web/app.js", "web/engine-worker.js", "web/editor.bundle.js",
  "web/wasm_exec.js", "web/whittle.wasm", "web/favicon.svg", "web/examples/index.json",
];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(CORE);
    // Every example's files, as listed by the menu (package examples reads
    // the same list for the page: TestIndex checks they agree).
    const list = await (await cache.match("web/examples/index.json")).json();
    const files = new Set();
    for (const ex of list) {
      for (const f of Object.values(ex.files)) files.add("web/examples/" + f);
    }
    await cache.addAll([...files]);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("whittle-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  event.respondWith((async () => {
    // caches.match and caches.has, not caches.open: a worker replaced by a new
    // build's must not make its deleted cache again while it finishes a fetch.
    const hit = await caches.match(req, { cacheName: CACHE, ignoreSearch: true });
    if (hit) return hit;
    const resp = await fetch(req);
    if (resp.ok && (await caches.has(CACHE))) (await caches.open(CACHE)).put(req, resp.clone());
    return resp;
  })());
});
