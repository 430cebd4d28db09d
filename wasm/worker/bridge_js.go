//go:build js && wasm

package main

import (
	"net/url"
	"syscall/js"

	"whittle/wasm/worker/api"
)

// bridge registers binding.serveBuffered, through which the glue
// (wasm/worker/glue/worker.mjs) hands serve every request:
//
//	binding.serveBuffered(method, path, query, body, done)
//
// with path the URL's path as written ("/api/v1/refine"), query its query string without
// "?", body a Uint8Array or null, and done a function that gets the answer:
// done(status, headers, body), headers as [name, value, ...] and body a
// Uint8Array (empty for none). serve runs on a goroutine of its own, so it may
// wait (for a JavaScript promise, say); the API never does, and done is called
// before serveBuffered returns. After each request c collects, when it is due.
//
// It replaces syumai/workers's request bridge (workers.Serve and its
// binding.handleRequest), which makes each request a ReadableStream read
// through promises, and each answer a stream that Go fills through an io.Pipe:
// about 60 JavaScript values a request, each with a Go finalizer, and 1.7 ms
// of the isolate's CPU in workerd. The glue reads every body whole before the
// turn and every answer whole after it, so those streams carried nothing. This
// one makes a handful of values a request, and needs neither net/http nor
// syumai/workers in the build. (cloudflare.Getenv and cloudflare.WaitUntil, in
// the test build, read the runtime context, which the glue sets for each
// request's turn.)
func bridge(serve func(r api.Request, query string) api.Answer, c *api.Collector) {
	uint8Array := js.Global().Get("Uint8Array")
	f := js.FuncOf(func(_ js.Value, args []js.Value) any {
		r := api.Request{Method: args[0].String(), Path: args[1].String()}
		// Decoded, as net/http decodes a URL's path (url.URL.Path).
		if p, err := url.PathUnescape(r.Path); err == nil {
			r.Path = p
		}
		query := args[2].String()
		if body := args[3]; !body.IsNull() {
			r.Body = make([]byte, body.Length())
			js.CopyBytesToGo(r.Body, body)
		}
		done := args[4]
		go func() {
			a := serve(r, query)
			headers := make([]any, len(a.Header))
			for i, s := range a.Header {
				headers[i] = s
			}
			body := uint8Array.New(len(a.Body))
			js.CopyBytesToJS(body, a.Body)
			c.After()
			done.Invoke(a.Status, headers, body)
		}()
		return nil
	})
	js.Global().Get("context").Get("binding").Set("serveBuffered", f)
}
