// bench-ab.mjs DIR_A DIR_B ROUNDS ROUTE=FILE...: two builds of the Worker (each a
// directory with worker.mjs, wasm_exec.js and app.wasm) compared in one Node
// process, for changes smaller than this machine's noise. Each build runs in its
// own kept instance (as bench-node.mjs runs one); every round sends each route
// a block of 10 requests to A and to B, in turns (ABBA), and reads the CPU time
// of the thread across the block. What drifts in the machine's load drifts for
// both.
//
// Prints, per route, as JSON: the mean CPU ms per request of each build, their
// ratio (B's over A's) with a 95 % interval from the rounds' paired differences,
// and each build's largest single request (CPU ms). The CPU is the thread's own
// clock (threadNs in node-runtime.mjs). One block says little on a shared
// machine; the means over many rounds do. An A/A run (one build against itself,
// 60 rounds) gave ratios of 0.96–1.00, each interval holding 1.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ctx, stage, threadNs } from "./node-runtime.mjs";

const [dirA, dirB, roundsArg, ...routeArgs] = process.argv.slice(2);
const rounds = Number(roundsArg || 40);
const block = 10;

async function load(dir) {
  const work = stage(dir, "whittle-ab-");
  return (await import(pathToFileURL(join(work, "worker.mjs")).href)).default;
}
console.log = (...args) => console.error(...args); // the glue's logs: stderr

async function one(worker, route, body) {
  const res = await worker.fetch(
    new Request("http://127.0.0.1/api/v1/" + route, { method: "POST", body, headers: { "Content-Type": "application/json" } }),
    {},
    ctx,
  );
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${route}: status ${res.status}: ${text}`);
  return text;
}

const builds = [await load(dirA), await load(dirB)];
const routes = routeArgs.map((a) => {
  const [route, file] = a.split("=");
  return { route, body: readFileSync(file), cpu: [[], []], max: [0, 0] };
});
// Warm both: tier-up, caches; and the answers must be as long (the
// recommendation's hold the time they were made).
for (const r of routes) {
  let answers = [];
  for (const [i, w] of builds.entries()) for (let k = 0; k < 20; k++) answers[i] = await one(w, r.route, r.body);
  if (answers[0].length !== answers[1].length) throw new Error(`${r.route}: the two builds answer differently`);
}
for (let round = 0; round < rounds; round++) {
  for (const r of routes) {
    const order = round % 2 === 0 ? [0, 1, 1, 0] : [1, 0, 0, 1];
    const sum = [0, 0];
    for (const b of order) {
      const t0 = threadNs();
      for (let k = 0; k < block / 2; k++) {
        const s0 = threadNs();
        await one(builds[b], r.route, r.body);
        r.max[b] = Math.max(r.max[b], (threadNs() - s0) / 1e6);
      }
      sum[b] += (threadNs() - t0) / 1e6;
    }
    r.cpu[0].push(sum[0] / block);
    r.cpu[1].push(sum[1] / block);
  }
}

const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
for (const r of routes) {
  const [a, b] = [mean(r.cpu[0]), mean(r.cpu[1])];
  const d = r.cpu[1].map((x, i) => x - r.cpu[0][i]);
  const md = mean(d);
  const se = Math.sqrt(d.reduce((s, x) => s + (x - md) ** 2, 0) / (d.length - 1) / d.length);
  console.info(
    JSON.stringify({
      route: r.route,
      meanA: +a.toFixed(2),
      meanB: +b.toFixed(2),
      ratio: +(b / a).toFixed(3),
      ratio95: [+((a + md - 2 * se) / a).toFixed(3), +((a + md + 2 * se) / a).toFixed(3)],
      maxA: +r.max[0].toFixed(1),
      maxB: +r.max[1].toFixed(1),
    }),
  );
}
