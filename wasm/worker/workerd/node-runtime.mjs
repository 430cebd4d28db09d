// node-runtime.mjs: what the Node benchmarks (bench-node.mjs, bench-ab.mjs)
// share to run a Worker build's own glue under Node, the V8 of workerd.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// stage copies build dir's glue (worker.mjs), its wasm_exec.js and app.wasm
// into a new temporary directory, with a runtime.mjs for Node in place of
// workerd's: it compiles app.wasm once, at its import (workerd does it once per
// isolate, at load), and exports the time that took as compiled (wall and CPU
// ms). Returns the directory, which goes when the process exits (a failed run
// included).
export function stage(dir, prefix) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  process.on("exit", () => rmSync(work, { recursive: true, force: true }));
  for (const f of ["worker.mjs", "wasm_exec.js", "app.wasm"]) copyFileSync(join(dir, f), join(work, f));
  writeFileSync(
    join(work, "runtime.mjs"),
    `import { readFileSync } from "node:fs";
const bytes = readFileSync(new URL("./app.wasm", import.meta.url));
const c0 = process.cpuUsage(), t0 = performance.now();
const mod = new WebAssembly.Module(bytes);
const c = process.cpuUsage(c0);
export const compiled = { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
export async function loadModule() { return mod; }
export function createRuntimeContext({ env, ctx, binding }) { return { env, ctx, binding }; }
`,
  );
  return work;
}

// ctx is a request's execution context, as the glue reads it.
export const ctx = { waitUntil() {}, passThroughOnException() {} };

// threadNs is the CPU time of this thread so far, in nanoseconds (Linux), as
// the kernel last brought it up to date: at scheduler ticks and switches.
export const threadNs = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
