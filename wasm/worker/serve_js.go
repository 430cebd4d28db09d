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
// sends it every request, through the bridge of bridge_js.go, so main must
// never return. workers.Ready tells the glue that the handler is in place.
//
// Static files never reach it: on Cloudflare the [assets] of wrangler.toml answer
// them first, and in the local workerd run the router of scripts/worker sends
// only /api/ here.
func serve() {
	// Collections between requests, not inside them (handler.Collected): Go's
	// own pacing off, a collection after any request that leaves more than
	// handler.CollectBudget of garbage. The memory limit is the backstop for a
	// request that alone nears the glue's retirement threshold (64 MiB of linear
	// memory): Go collects inside that one.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(48 << 20)
	bridge(handler.Collected(wrap(handler.New(nil)), handler.CollectBudget))
	workers.Ready()
	select {} // the glue's requests arrive as JS events; Go waits for them here
}

// wrap is the identity in the production build; a test build (-tags whittletest)
// adds its routes (testroutes_js.go).
var wrap = func(h http.Handler) http.Handler { return h }
