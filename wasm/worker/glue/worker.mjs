// worker.mjs: the Worker's entry module. scripts/worker writes it into the build
// in place of the worker.mjs of `workers-assets-gen`, whose glue starts a fresh Go
// instance (runtime start, package init) for every request. This one keeps one
// running Go instance per isolate and hands it every request:
//
//   - The instance starts on the first request (not at module load: Go's runtime
//     needs crypto.getRandomValues and setTimeout, which a Worker may not use at
//     global scope) and lives while the isolate does. Go's main never returns
//     (wasm/worker/serve_js.go).
//   - A request enters Go as one call and its answer comes out as one
//     (binding.serveBuffered, wasm/worker/bridge_js.go): method, path, query
//     and the body's bytes in; status, headers and the answer's bytes out, to
//     the API (wasm/worker/api, which needs no net/http). syumai/workers's own
//     bridge (binding.handleRequest) streams both bodies through promises and
//     makes about 60 JS values a request, each with a Go finalizer; in workerd
//     that cost 1.7 ms of the isolate's CPU a request, and it leaked a few
//     js.Func callbacks each time.
//   - Requests enter Go one at a time (a promise chain, `queue`). workerd runs an
//     isolate's requests interleaved on one thread, and Go, on any JS event, runs
//     every goroutine that is ready. cloudflare.Getenv and cloudflare.WaitUntil
//     read env and ctx from one context object per instance (below): with two
//     requests inside Go, a handler that waits (on a promise, say) could resume
//     after the other request's turn began and call ctx.waitUntil on that
//     request's ctx. The queue makes env and ctx exactly the request's own. The
//     engine does no I/O, so the queue costs no throughput: Go's work is serial
//     anyway.
//   - So that a slow upload cannot hold the queue, a request's body is read before
//     its turn (at most MAX_BODY + 1 bytes: the API answers 413 past MAX_BODY);
//     the answer comes whole (answers are JSON of at most a few hundred KB).
//   - env and ctx reach Go as with the generated glue (cloudflare.Getenv,
//     cloudflare.WaitUntil read the runtime context): the context of the instance
//     gets the env and ctx of each request at the start of its turn.
//   - A turn has a time limit (TURN_LIMIT_MS, or env.WHITTLE_TURN_LIMIT_MS): a
//     request that Go never answers (a goroutine blocked for good) is answered
//     500 INTERNAL and its instance retired, so that it cannot hold the queue.
//   - Memory is bounded by retirement: after RETIRE_REQUESTS requests (or
//     env.WHITTLE_RETIRE_REQUESTS; scripts/bench-worker measures with more), or once
//     its linear memory (which never shrinks) passes RETIRE_BYTES, an instance
//     gets no more requests and the next one starts a new instance. Go's heap is
//     reused and the engine's caches are bounded; nothing is known to grow with
//     the requests (TestWorkerdMemory: the JS values Go holds and the live heap
//     stay flat), so retirement is a bound for what is not known, at the price
//     of one Go start (about 40 ms for a first check, V8's code warm) per
//     RETIRE_REQUESTS requests.
//   - A dead instance is replaced. A Go panic is the handler's business (500
//     INTERNAL, the instance lives on); but if the instance itself dies (os.Exit,
//     a fatal error such as out of memory, or a WebAssembly trap), the request in
//     it is answered 500 INTERNAL and the next one starts a new instance.
//
// runtime.mjs (loadModule, createRuntimeContext) and wasm_exec.js (Go's, with
// the `context` global of syumai/workers) are the generated ones.
import "./wasm_exec.js";
import { createRuntimeContext, loadModule } from "./runtime.mjs";

// MAX_BODY is engine.MaxRequestBytes (e2e checks that the two agree).
const MAX_BODY = 4194304;

// NULL_BODY are the statuses whose answers have no body (the fetch standard's
// null body statuses; a Response with one of them and a body is an error).
const NULL_BODY = [101, 204, 205, 304];

// INTERNAL is the handler's 500 answer, byte for byte (engine.CodeInternal).
const INTERNAL = "{\n  \"error\": {\n    \"code\": \"INTERNAL\",\n    \"message\": \"internal error\"\n  }\n}\n";

// syumai/workers calls this global to catch JS exceptions in Go's calls (its
// cloudflare package, which the test build links).
globalThis.tryCatch = (fn) => {
  try {
    return { result: fn() };
  } catch (error) {
    return { error };
  }
};

// RETIRE_REQUESTS and RETIRE_BYTES: when an instance is retired (see above).
const RETIRE_REQUESTS = 10000;
const RETIRE_BYTES = 64 << 20;

// TURN_LIMIT_MS bounds a request's time in Go (the engine needs well under a
// second for the largest AWS managed policy).
const TURN_LIMIT_MS = 30000;

let live = null; // the running instance, or null before the first request or after a death
let starts = 0; // instances started in this isolate (the test build reports it)
let queue = Promise.resolve(); // settles when the last request's turn is over

// start instantiates app.wasm and runs Go until workers.Ready.
async function start(env, ctx) {
  const mod = await loadModule();
  const go = new Go();
  const binding = {};
  const context = createRuntimeContext({ env, ctx, binding });
  // inst.fail rejects the promise of the turn in progress. (A promise made in
  // one request and awaited in another never settles in workerd, so each turn
  // makes its own, see turn.)
  const inst = { go, binding, context, dead: null, fail: null, served: 0, memory: null, number: 0, stuck: false };
  const die = (reason) => {
    if (inst.dead) return;
    inst.dead = reason;
    if (live === inst) live = null;
    console.error(`whittle: the Go instance died (${reason}); the next request starts a new one`);
    inst.fail?.(reason);
  };
  go.exit = (code) => die(new Error(`Go exited with code ${code}`));
  // Go.run's promise settles when Go exits; it was made in the first request, so
  // settling it later is a cross-request resolution that workerd warns about.
  // go.exit above already tells of the exit.
  go._resolveExitPromise = () => {};
  // Every entry into Go goes through _resume (JS events, promise callbacks,
  // timers). A trap unwinds out of it and leaves the runtime mid-step: dead.
  const resume = go._resume;
  go._resume = function () {
    if (inst.dead) throw inst.dead;
    try {
      resume.call(go);
    } catch (e) {
      die(e);
      throw e;
    }
  };
  let ready;
  const isReady = new Promise((resolve) => (ready = resolve));
  const instance = new WebAssembly.Instance(mod, {
    ...go.importObject,
    workers: { ready: () => ready() },
  });
  const memory = (inst.memory = instance.exports.mem);
  inst.number = ++starts;
  // What the test build reports (GET /api/v1/_test/state); nothing else reads it.
  context.instance = {
    number: inst.number,
    memoryBytes: () => memory.buffer.byteLength,
    jsValues: () => go._ids?.size ?? 0, // JS values Go holds references to
  };
  const death = new Promise((_, reject) => (inst.fail = reject));
  go.run(instance, context).catch(die); // a trap before Ready
  try {
    await Promise.race([isReady, death]);
  } finally {
    inst.fail = null;
  }
  return inst;
}

// readBody reads at most MAX_BODY + 1 bytes of the request's body.
async function readBody(request) {
  if (request.body === null) return null;
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > MAX_BODY) {
      await reader.cancel();
      break;
    }
  }
  const body = new Uint8Array(Math.min(size, MAX_BODY + 1));
  let at = 0;
  for (const c of chunks) {
    const n = Math.min(c.byteLength, body.length - at);
    body.set(n === c.byteLength ? c : c.subarray(0, n), at);
    at += n;
  }
  return body;
}

function internalError(request) {
  return new Response(request.method === "HEAD" ? null : INTERNAL, {
    status: 500,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "Access-Control-Allow-Origin": "*",
    },
  });
}

// turn serves one request in the instance, starting one when there is none.
async function turn(request, body, env, ctx) {
  let inst = live;
  let timer;
  try {
    if (inst === null) inst = live = await start(env, ctx);
    inst.context.env = env;
    inst.context.ctx = ctx;
    const death = new Promise((_, reject) => (inst.fail = reject));
    const limit = Number(env?.WHITTLE_TURN_LIMIT_MS) || TURN_LIMIT_MS;
    timer = setTimeout(() => {
      inst.stuck = true;
      inst.fail?.(new Error(`Go did not answer within ${limit} ms`));
    }, limit);
    // The request goes in as one call, the answer comes out as one
    // (wasm/worker/bridge_js.go): method, path, query and the body in memory
    // (maybe cut at MAX_BODY + 1: the API answers 413 past MAX_BODY); the API
    // reads no header.
    const url = new URL(request.url);
    const bodyless = request.method === "GET" || request.method === "HEAD" || body === null;
    inst.served++;
    const answer = new Promise((resolve) => {
      inst.binding.serveBuffered(request.method, url.pathname, url.search.slice(1), bodyless ? null : body, (status, hs, out) =>
        resolve({ status, hs, out }),
      );
    });
    const { status, hs, out } = await Promise.race([answer, death]);
    const h = new Headers();
    for (let i = 0; i < hs.length; i += 2) h.append(hs[i], hs[i + 1]);
    return new Response(request.method === "HEAD" || NULL_BODY.includes(status) ? null : out, { status, headers: h });
  } catch (e) {
    if (inst === null || !inst.dead) console.error("whittle: request failed:", e);
    return internalError(request);
  } finally {
    clearTimeout(timer);
    if (inst !== null) {
      inst.fail = null;
      const bytes = inst.memory.buffer.byteLength;
      const retireAfter = Number(env?.WHITTLE_RETIRE_REQUESTS) || RETIRE_REQUESTS;
      if (live === inst && (inst.stuck || inst.served >= retireAfter || bytes > RETIRE_BYTES)) {
        live = null; // retired: it finishes what it runs, and gets no more requests
        const why = inst.stuck ? " (a request got no answer)" : "";
        console.log(`whittle: Go instance ${inst.number} retired after ${inst.served} requests, ${bytes} bytes of linear memory${why}`);
      }
    }
  }
}

async function fetch(request, env, ctx) {
  const body = await readBody(request);
  const answer = queue.then(() => turn(request, body, env, ctx));
  queue = answer.then(
    () => {},
    () => {},
  );
  return answer;
}

export default { fetch };
