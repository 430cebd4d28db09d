// Command worker serves the Whittle HTTP API (see package handler and api.md).
//
// Built for GOOS=js GOARCH=wasm it is the Cloudflare Worker (github.com/syumai/workers):
// scripts/worker builds it and runs it in workerd; wrangler.toml deploys it with the
// playground's files as static assets. Built natively, `go run ./wasm/worker` serves
// the same handler on 127.0.0.1:$PORT (default 8787), loopback only, and also the
// static files of the folder $WHITTLE_STATIC when that is set.
package main

func main() { serve() }
