// node-runtime.mjs: what the Node benchmarks (bench-node.mjs, bench-ab.mjs)
// share to run a Worker build's own glue under Node, the V8 of workerd.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

// threadNs is the CPU time of this thread so far, in nanoseconds:
// clock_gettime(CLOCK_THREAD_CPUTIME_ID), which counts the running thread's time
// up to the call. Node offers it as process.threadCpuUsage only from 22.15 and
// 23.9 (this machine's Node is 20); its WASI has it (clock_time_get with
// thread_cputime_id, in libuv's uvwasi), and a WASI instance needs only a memory
// to write the answer into: a module of one memory page, encoded below. The
// benchmarks read /proc/thread-self/schedstat before, the same count, which a
// kernel may bring up to date only at its scheduler's ticks (4 ms here); on
// this machine (Linux 6.18) the two agreed within 0.11 ms on each of 280 role
// recommendations.
const warn = process.emitWarning;
process.emitWarning = () => {}; // node:wasi's "WASI is an experimental feature", at its import
let WASI;
try {
  ({ WASI } = await import("node:wasi"));
} finally {
  process.emitWarning = warn;
}
export const threadNs = (() => {
  const wasi = new WASI({ version: "preview1" });
  // (module (memory (export "memory") 1))
  const module = new WebAssembly.Module(
    new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 109, 101, 109, 111, 114, 121, 2, 0]),
  );
  const instance = new WebAssembly.Instance(module, {});
  wasi.initialize(instance);
  const clockTimeGet = wasi.getImportObject().wasi_snapshot_preview1.clock_time_get;
  const view = new DataView(instance.exports.memory.buffer);
  const threadCputimeId = 3;
  const read = () => {
    const errno = clockTimeGet(threadCputimeId, 0n, 0);
    if (errno !== 0) throw new Error(`clock_time_get(thread_cputime_id): WASI errno ${errno}`);
    return Number(view.getBigUint64(0, true));
  };
  // A clock that did not move with the thread's work would make every figure
  // 0: it must count a millisecond of spinning within a second, however loaded
  // the machine.
  const t0 = read();
  for (const w0 = performance.now(); read() - t0 < 1e6; ) {
    if (performance.now() - w0 > 1000) throw new Error("the thread's CPU clock did not count 1 ms of spinning in 1 s");
  }
  return read;
})();
