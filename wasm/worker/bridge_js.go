//go:build js && wasm

package main

import (
	"net/http"
	"syscall/js"

	"whittle/wasm/worker/handler"
)

// bridge registers binding.serveBuffered, through which the glue
// (wasm/worker/glue/worker.mjs) hands h every request:
//
//	binding.serveBuffered(method, url, headers, body, done)
//
// with headers as [name, value, ...], body a Uint8Array or null, and done a
// function that gets the answer: done(status, headers, body), body a
// Uint8Array. h runs on a goroutine of its own, so a handler may wait (for a
// JavaScript promise, say); with the engine it never does, and done is called
// before serveBuffered returns.
//
// It replaces syumai/workers's request bridge (workers.Serve and its
// binding.handleRequest), which makes each request a ReadableStream read
// through promises, and each answer a stream that Go fills through an io.Pipe:
// about 60 JavaScript values a request, each with a Go finalizer, and 1.7 ms
// of the isolate's CPU in workerd. The glue reads every body whole before the
// turn and every answer whole after it, so those streams carried nothing. This
// one makes a handful of values a request. (What syumai/workers's bridge
// also puts in the request's context, the incoming request object, no route
// reads; cloudflare.Getenv and cloudflare.WaitUntil read the runtime context,
// which the glue sets for each request's turn.)
func bridge(h http.Handler) {
	uint8Array := js.Global().Get("Uint8Array")
	serve := js.FuncOf(func(_ js.Value, args []js.Value) any {
		in := handler.Buffered{Method: args[0].String(), URL: args[1].String()}
		hs := args[2]
		in.Header = make([]string, hs.Length())
		for i := range in.Header {
			in.Header[i] = hs.Index(i).String()
		}
		if body := args[3]; !body.IsNull() {
			in.Body = make([]byte, body.Length())
			js.CopyBytesToGo(in.Body, body)
		}
		done := args[4]
		go func() {
			a := handler.ServeBuffered(h, in)
			headers := make([]any, len(a.Header))
			for i, s := range a.Header {
				headers[i] = s
			}
			body := uint8Array.New(len(a.Body))
			js.CopyBytesToJS(body, a.Body)
			done.Invoke(a.Status, headers, body)
		}()
		return nil
	})
	js.Global().Get("context").Get("binding").Set("serveBuffered", serve)
}
