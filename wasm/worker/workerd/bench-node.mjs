// bench-node.mjs BUILD_DIR REQUEST_JSON [N]: what one Worker request costs, under
// Node (the same V8 as workerd), as a proxy for the CPU time that workerd does not
// report. It does per request what build/worker/worker.mjs does: a fresh Go
// instance of app.wasm (Go runtime start, package init, handler set-up), then one
// POST /api/v1/refine through the syumai/workers binding, body read to the end.
// The module is compiled once, as workerd compiles it once per isolate.
//
// Prints the median and 90th percentile of wall and CPU time (process.cpuUsage:
// this thread plus V8's helper threads) for start-up and request, as JSON.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, requestFile, nArg] = process.argv.slice(2);
const n = Number(nArg || 50);
await import(pathToFileURL(join(dir, "wasm_exec.js")).href); // defines globalThis.Go
const mod = await WebAssembly.compile(readFileSync(join(dir, "app.wasm")));
const body = readFileSync(requestFile);

globalThis.tryCatch = (fn) => {
  try {
    return { result: fn() };
  } catch (e) {
    return { error: e };
  }
};

const cpuMs = (u) => (u.user + u.system) / 1000;

async function once() {
  const binding = {};
  const context = {
    env: {},
    ctx: { waitUntil() {}, passThroughOnException() {} },
    binding,
  };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const go = new Go();
  let ready;
  const readyPromise = new Promise((r) => (ready = r));
  const instance = new WebAssembly.Instance(mod, {
    ...go.importObject,
    workers: { ready: () => ready() },
  });
  go.run(instance, context);
  await readyPromise;
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  const res = await binding.handleRequest(
    new Request("http://127.0.0.1/api/v1/refine", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    }),
  );
  const text = await res.text();
  const t2 = performance.now();
  const c2 = process.cpuUsage(c0);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${text}`);
  return { start: t1 - t0, request: t2 - t1, total: t2 - t0, cpuStart: cpuMs(c1), cpuTotal: cpuMs(c2), bytes: text.length };
}

for (let i = 0; i < 5; i++) await once(); // warm: tier-up, caches
const runs = [];
for (let i = 0; i < n; i++) runs.push(await once());

const stat = (k) => {
  const v = runs.map((r) => r[k]).sort((a, b) => a - b);
  return { median: +v[Math.floor(v.length / 2)].toFixed(2), p90: +v[Math.floor(v.length * 0.9)].toFixed(2) };
};
console.log(
  JSON.stringify({
    runs: n,
    responseBytes: runs[0].bytes,
    wallMs: { start: stat("start"), request: stat("request"), total: stat("total") },
    cpuMs: { start: stat("cpuStart"), total: stat("cpuTotal") },
  }),
);
process.exit(0);
