//go:build js && wasm

package main

import (
	"net/http"
	"runtime/debug"

	"github.com/syumai/workers"

	"whittle/wasm/worker/handler"
)

// serve hands the API to the Workers runtime and keeps this Go instance running:
// the glue of wasm/worker/glue/worker.mjs starts one instance per isolate and
// sends it every request, so main must never return. (workers.Serve returns, and
// main with it, once the first response body is closed: it is made for one
// instance per request.) ServeNonBlock and Ready are workers.Serve without that
// wait; the handler is the same http.Handler.
//
// Static files never reach it: on Cloudflare the [assets] of wrangler.toml answer
// them first, and in the local workerd run the router of scripts/worker sends
// only /api/ here.
func serve() {
	// Fewer collections: with GOGC=100 the kept instance, whose live heap is a few
	// MB, collects every dozen or so article requests, a few ms each in wasm (one
	// thread). GOGC=400 collects about a fifth as often; the memory limit makes Go
	// collect harder before the heap nears the glue's retirement threshold (64 MiB
	// of linear memory). Under Node (bench-node.mjs, kept instance, article, 300
	// requests a run, runs alternated, load 8-10) the p90 of the request thread's
	// CPU went from 7.2-9.6 ms to 4.6-7.3 ms; the medians are within the noise.
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(48 << 20)
	workers.ServeNonBlock(wrap(handler.New(nil)))
	workers.Ready()
	select {} // the glue's requests arrive as JS events; Go waits for them here
}

// wrap is the identity in the production build; a test build (-tags whittletest)
// adds its routes (testroutes_js.go).
var wrap = func(h http.Handler) http.Handler { return h }
