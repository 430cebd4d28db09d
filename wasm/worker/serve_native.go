//go:build !(js && wasm)

package main

import (
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"whittle/wasm/worker/handler"
)

// defaultPort is the port of `wrangler dev` and of scripts/worker, so that a
// client works against either without change.
const defaultPort = "8787"

// serve listens on 127.0.0.1 only: this is a development server, not to be
// reached from the network (workers.Serve's native fallback binds every interface).
func serve() {
	port := os.Getenv("PORT")
	if port == "" {
		port = defaultPort
	}
	var static http.Handler
	dir := os.Getenv("WHITTLE_STATIC")
	if dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			log.Fatalf("WHITTLE_STATIC=%s: not a folder", dir)
		}
		static = handler.Static(os.DirFS(dir))
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	if static != nil {
		fmt.Printf("whittle: serving %s on %s/ and the API on %s/api/v1/\n", dir, url, url)
	} else {
		fmt.Printf("whittle: serving the API on %s/api/v1/ (refine, recommendation, catalog)\n", url)
	}
	srv := &http.Server{
		Handler:           handler.New(static),
		ReadHeaderTimeout: 10 * time.Second,
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
