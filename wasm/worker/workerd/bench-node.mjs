// bench-node.mjs BUILD_DIR REQUEST_JSON [N] [ISOLATES] [ROUTE=FILE ...]: what a Worker request
// costs, under Node (the same V8 as workerd), as a proxy for the CPU time that
// workerd does not report. It runs the build's own glue (worker.mjs, one kept Go
// instance per isolate) with a Node stand-in for runtime.mjs, and its fetch with
// POST /api/v1/refine of REQUEST_JSON, the answer read to the end.
//
//   - compile: app.wasm compiled once (workerd does it once per isolate, at load);
//   - new isolates (ISOLATES, default 10; each a fresh import of worker.mjs, so a
//     fresh glue with no instance): the first request, an OPTIONS preflight, costs
//     Go's start (instantiate, runtime and package init, up to workers.Ready) and
//     almost nothing else; then GET /api/v1/catalog, which decodes the built-in
//     catalog; then the first refine. And on other fresh isolates the refine as
//     the very first request (all of it together). The first isolate of the process
//     runs cold code, as a new workerd isolate does ("cold"); the others reuse the
//     code V8 has already optimized for the module (medians in "newIsolates");
//   - kept instance: N refines (default 50) after 5 warm-up ones, one instance;
//     and as many GET /api/v1/catalog, the floor (glue and bridge, no engine work);
//   - other routes (each ROUTE=FILE: POST /api/v1/ROUTE with the body FILE): N
//     requests each on the same kept instance after 5 warm-up ones ("routes");
//   - with the test build only, N more of the last route, to tell apart the
//     requests during which Go collected garbage, by the instance's age
//     ("collections", see below).
//
// Prints medians, 90th and 99th percentiles and maxima in milliseconds, as JSON, of wall time, of
// "cpu": the CPU time of the thread that runs the request (what a Worker's CPU
// time counts; the thread's own clock, see threadNs in node-runtime.mjs), and of
// "cpuAll": process.cpuUsage, that thread plus V8's helper threads, which
// compile and optimize the 7 MB of wasm in the background. For the kept
// instance the thread's CPU is also given as the mean over all N requests
// ("cpuMean": the thread's CPU across the whole run, divided by N).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ctx, stage, threadNs } from "./node-runtime.mjs";

const [dir, requestFile, nArg, isoArg, ...routeArgs] = process.argv.slice(2);
const n = Number(nArg || 50);
const isolates = Number(isoArg || 10);
const body = readFileSync(requestFile);

// The glue, its wasm_exec.js and app.wasm, with runtime.mjs for Node.
const work = stage(dir, "whittle-bench-");
const { compiled } = await import(pathToFileURL(join(work, "runtime.mjs")).href);

// Node loads its fetch and streams (undici) on first use, tens of ms of CPU that
// workerd, where they are native, never pays: use them once, as the glue does
// (a request's body read from its stream, headers, an answer from bytes),
// before measuring, or the first request of the first isolate would count
// Node's loading as Go's start.
{
  const req = new Request("http://127.0.0.1/", { method: "POST", body: new Uint8Array(1), headers: { "X-A": "b" } });
  const reader = req.body.getReader();
  while (!(await reader.read()).done);
  await new Response(new Uint8Array(1), { headers: new Headers(req.headers) }).arrayBuffer();
}

const env = {};
// The glue logs retirements with console.log: to stderr, so that stdout is the JSON.
console.log = (...args) => console.error(...args);
let isolate = 0;
const fresh = async () => (await import(pathToFileURL(join(work, "worker.mjs")).href + "?isolate=" + ++isolate)).default;

// timed runs one request through worker's fetch and returns wall and CPU ms.
async function timed(worker, method, route = "refine", routeBody = body, withEnv = env) {
  const init = { method, headers: { "Content-Type": "application/json" } };
  if (method === "POST") init.body = routeBody;
  if (method === "OPTIONS") init.headers = { Origin: "https://example.org", "Access-Control-Request-Method": "POST" };
  const url = "http://127.0.0.1/api/v1/" + (method === "GET" ? "catalog" : route);
  const c0 = process.cpuUsage();
  const n0 = threadNs();
  const t0 = performance.now();
  const res = await worker.fetch(new Request(url, init), withEnv, ctx);
  const text = await res.text();
  const wall = performance.now() - t0;
  const cpu = (threadNs() - n0) / 1e6;
  const c = process.cpuUsage(c0);
  const want = method === "OPTIONS" ? 204 : 200;
  if (res.status !== want) throw new Error(`${method} ${url}: status ${res.status}: ${text}`);
  return { wall, cpu, cpuAll: (c.user + c.system) / 1000, bytes: text.length };
}

const start = [], catalog = [], firstRefine = [], firstOnly = [];
for (let i = 0; i < isolates; i++) {
  const w = await fresh();
  start.push(await timed(w, "OPTIONS"));
  catalog.push(await timed(w, "GET"));
  firstRefine.push(await timed(w, "POST"));
  firstOnly.push(await timed(await fresh(), "POST"));
}

// state returns the test build's GET /api/v1/_test/state, or null (production build).
async function state(worker, withEnv = env) {
  const res = await worker.fetch(new Request("http://127.0.0.1/api/v1/_test/state"), withEnv, ctx);
  const text = await res.text();
  return res.status === 200 ? JSON.parse(text) : null;
}

const kept = [], floor = [], routes = [];
let aged = null;
let keptMean = 0, floorMean = 0;
if (n > 0) {
  const w = await fresh();
  for (let i = 0; i < 5; i++) await timed(w, "POST"); // warm: tier-up, caches
  for (let i = 0; i < 5; i++) await timed(w, "GET");
  let t0 = threadNs();
  for (let i = 0; i < n; i++) kept.push(await timed(w, "POST"));
  keptMean = (threadNs() - t0) / 1e6 / n;
  t0 = threadNs();
  for (let i = 0; i < n; i++) floor.push(await timed(w, "GET"));
  floorMean = (threadNs() - t0) / 1e6 / n;
  for (const arg of routeArgs) {
    const [route, file] = arg.split("=");
    const routeBody = readFileSync(file);
    for (let i = 0; i < 5; i++) await timed(w, "POST", route, routeBody);
    const runs = [];
    t0 = threadNs();
    for (let i = 0; i < n; i++) runs.push(await timed(w, "POST", route, routeBody));
    routes.push({ route, file, runs, mean: (threadNs() - t0) / 1e6 / n });
  }
  // With the test build (WORKER_TAGS=whittletest), whose GET /api/v1/_test/state
  // tells the instance's count of Go collections: for the last route, N more
  // requests on a new instance, each followed by an untimed state request,
  // and the CPU and wall time of the requests during which Go collected, apart, by the
  // instance's age (quarters of the run), with the live objects after each
  // collection.
  if (routeArgs.length > 0 && (await state(w)) !== null) {
    const [route, file] = routeArgs[routeArgs.length - 1].split("=");
    const routeBody = readFileSync(file);
    // Not retired before the end (each iteration is two requests).
    const wa = await fresh();
    const envAged = { WHITTLE_RETIRE_REQUESTS: String(2 * n + 10) };
    let before = await state(wa, envAged);
    const runs = [];
    for (let i = 0; i < n; i++) {
      const r = await timed(wa, "POST", route, routeBody, envAged);
      const after = await state(wa, envAged);
      r.collected = after.numGC !== before.numGC;
      r.objects = after.heapObjects;
      runs.push(r);
      before = after;
    }
    aged = { route, runs };
  }
}

const stat = (runs, k) => {
  const v = runs.map((r) => r[k]).sort((a, b) => a - b);
  const at = (q) => +v[Math.min(v.length - 1, Math.floor(v.length * q))].toFixed(2);
  return { median: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
};
const both = (runs) => ({ wall: stat(runs, "wall"), cpu: stat(runs, "cpu"), cpuAll: stat(runs, "cpuAll") });
const ms = (r) => ({ wall: +r.wall.toFixed(2), cpu: +r.cpu.toFixed(2), cpuAll: +r.cpuAll.toFixed(2) });
const out = {
  compileMs: { wall: +compiled.wall.toFixed(1), cpu: +compiled.cpu.toFixed(1) },
  cold: {
    goStart: ms(start[0]),
    builtinCatalog: ms(catalog[0]),
    firstRefine: ms(firstRefine[0]),
    sumCpu: +(start[0].cpu + catalog[0].cpu + firstRefine[0].cpu).toFixed(2),
    sumCpuAll: +(start[0].cpuAll + catalog[0].cpuAll + firstRefine[0].cpuAll).toFixed(2),
  },
};
if (isolates > 1) {
  const rest = (a) => a.slice(1);
  out.newIsolates = {
    isolates: isolates - 1,
    goStart: both(rest(start)),
    builtinCatalogAfterStart: both(rest(catalog)),
    firstRefineAfterCatalog: both(rest(firstRefine)),
    firstRequestOfIsolate: both(rest(firstOnly)),
  };
}
if (n > 0) {
  out.keptInstance = { runs: n, responseBytes: kept[0].bytes, cpuMean: +keptMean.toFixed(2), ...both(kept) };
  out.keptCatalogFloor = { runs: n, cpuMean: +floorMean.toFixed(2), ...both(floor) };
  if (routes.length > 0) {
    out.routes = routes.map((r) => ({ route: r.route, file: r.file, responseBytes: r.runs[0].bytes, cpuMean: +r.mean.toFixed(2), ...both(r.runs) }));
  }
}
if (aged !== null) {
  const q = Math.ceil(aged.runs.length / 4);
  out.collections = { route: aged.route, requests: aged.runs.length, byAge: [] };
  for (let k = 0; k < aged.runs.length; k += q) {
    const part = aged.runs.slice(k, k + q);
    const coll = part.filter((r) => r.collected);
    out.collections.byAge.push({
      requests: `${k + 1}-${k + part.length}`,
      collecting: coll.length,
      cpuCollecting: coll.length ? stat(coll, "cpu") : null,
      cpuOthers: stat(part.filter((r) => !r.collected), "cpu"),
      wallCollecting: coll.length ? stat(coll, "wall") : null,
      wallOthers: stat(part.filter((r) => !r.collected), "wall"),
      liveObjectsAfterLastCollection: coll.length ? coll[coll.length - 1].objects : null,
    });
  }
}
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
