//go:build js && wasm

package main

import (
	"runtime/debug"

	"whittle/wasm/worker/api"
)

// serve hands the API to the Workers runtime and keeps this Go instance running:
// the glue of wasm/worker/glue/worker.mjs starts one instance per isolate and
// sends it every request, through the bridge of bridge_js.go, so main must
// never return. ready tells the glue that the bridge is in place.
//
// The production build imports neither net/http nor syumai/workers: package api
// is the API without net/http, and ready is syumai/workers's wasm import
// (workers.Ready) declared here. Their package inits cost a new isolate about
// 40 ms of CPU with V8's cold code, and net/http with syumai/workers 3.8 MB of
// the 7.6 MB of wasm.
//
// Static files never reach it: on Cloudflare the [assets] of wrangler.toml answer
// them first, and in the local workerd run the router of scripts/worker sends
// only /api/ here.
func serve() {
	// Collections between requests, not inside them (api.Collector): Go's
	// own pacing off, a collection after any request that leaves more than
	// api.CollectBudget of garbage. The memory limit is the backstop for a
	// request that alone nears the glue's retirement threshold (64 MiB of linear
	// memory): Go collects inside that one.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(48 << 20)
	bridge(wrap(api.New()), &api.Collector{Budget: api.CollectBudget})
	ready()
	select {} // the glue's requests arrive as JS events; Go waits for them here
}

// ready tells the glue that Go is ready for requests (the import that
// syumai/workers's glue provides, as workers.Ready calls it).
//
//go:wasmimport workers ready
func ready()

// wrap serves the API in the production build; a test build (-tags
// whittletest) adds its routes (testroutes_js.go).
var wrap = func(a *api.API) func(r api.Request, query string) api.Answer {
	return func(r api.Request, _ string) api.Answer { return a.Serve(r) }
}
