//go:build js && wasm

package main

import (
	"github.com/syumai/workers"

	"whittle/wasm/worker/handler"
)

// serve hands the API to the Workers runtime. Static files never reach it: on
// Cloudflare the [assets] of wrangler.toml answer them first, and in the local
// workerd run the router of scripts/worker sends only /api/ here.
func serve() { workers.Serve(handler.New(nil)) }
