// Package handler is the HTTP face of the engine: the routes of api.md, served by
// the Cloudflare Worker (package main beside it, GOOS=js) and natively by
// `go run ./wasm/worker` and scripts/serve.
//
// It is a thin wrapper. It routes, checks methods, bounds the body at
// [engine.MaxRequestBytes], adds CORS headers, and turns any panic into a
// 500 INTERNAL answer; every decision about the body is the engine's, so the
// answers are byte for byte those of the engine (and of the playground).
//
//	POST    /api/v1/refine          engine.HandleRefine
//	POST    /api/v1/recommendation  engine.HandleRecommendation
//	POST    /api/v1/check           engine.HandleCheck
//	GET     /api/v1/catalog         engine.HandleCatalog (HEAD too)
//	OPTIONS /api/v1/...             CORS preflight: 204
//
// Other paths under /api/ answer 404 NOT_FOUND; paths outside /api/ go to the
// static handler when there is one (the playground's files), else 404 too.
package handler

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"

	"whittle/engine"
)

// APIPrefix is the path prefix of every API route; the rest belongs to the static files.
const APIPrefix = "/api/"

// JSONContentType is the Content-Type of every API answer, errors included.
const JSONContentType = "application/json; charset=utf-8"

// CORS answers: any origin may call the API (it keeps no state and reads no
// cookies), with the methods and the one request header it uses.
const (
	corsAllowMethods = "GET, HEAD, POST, OPTIONS"
	corsAllowHeaders = "Content-Type"
	corsMaxAge       = "86400" // a day: preflights are pure overhead for a stateless API
)

// Handler serves the API. Its fields are the engine entry points it wraps
// ([New] sets them to the engine's); tests may replace them.
type Handler struct {
	Refine         func(body []byte) ([]byte, *engine.Error)
	Recommendation func(body []byte) ([]byte, *engine.Error)
	Check          func(body []byte) ([]byte, *engine.Error)
	Catalog        func() []byte
	// Static serves every path outside [APIPrefix]; nil answers them 404 NOT_FOUND.
	Static http.Handler
	// Log receives panics recovered from the engine (never the client); nil: log.Printf.
	Log func(format string, args ...any)
}

// New returns the API handler over the engine, with static (may be nil) for the
// paths outside [APIPrefix].
func New(static http.Handler) *Handler {
	return &Handler{
		Refine:         engine.HandleRefine,
		Recommendation: engine.HandleRecommendation,
		Check:          engine.HandleCheck,
		Catalog:        engine.HandleCatalog,
		Static:         static,
	}
}

// route is one API path: the methods it answers and how.
type route struct {
	allow string // the Allow header: its methods, OPTIONS included
	serve func(h *Handler, w http.ResponseWriter, r *http.Request)
}

var routes = map[string]route{
	"/api/v1/refine": {"POST, OPTIONS", func(h *Handler, w http.ResponseWriter, r *http.Request) {
		h.post(w, r, h.Refine)
	}},
	"/api/v1/recommendation": {"POST, OPTIONS", func(h *Handler, w http.ResponseWriter, r *http.Request) {
		h.post(w, r, h.Recommendation)
	}},
	"/api/v1/check": {"POST, OPTIONS", func(h *Handler, w http.ResponseWriter, r *http.Request) {
		h.post(w, r, h.Check)
	}},
	"/api/v1/catalog": {"GET, HEAD, OPTIONS", func(h *Handler, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, http.StatusOK, h.Catalog())
	}},
}

// ServeHTTP routes r. A panic anywhere below becomes a 500 INTERNAL JSON answer
// when nothing was written yet; the panic value is logged, never sent.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, APIPrefix) && h.Static != nil {
		h.Static.ServeHTTP(w, r)
		return
	}
	tw := &trackingWriter{ResponseWriter: w}
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
			panic(v)
		}
		h.logf("whittle: panic serving %s %s: %v", r.Method, r.URL.Path, v)
		if !tw.wrote {
			writeError(tw, r, engine.NewError(engine.CodeInternal, "internal error"))
		}
	}()
	h.serveAPI(tw, r)
}

func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	rt, ok := routes[r.URL.Path]
	if !ok {
		writeError(w, r, engine.NewError(engine.CodeNotFound, fmt.Sprintf("no route %s; see /api/v1/refine, /api/v1/recommendation, /api/v1/check, /api/v1/catalog", r.URL.Path)))
		return
	}
	if r.Method == http.MethodOptions {
		hd := w.Header()
		hd.Set("Allow", rt.allow)
		hd.Set("Access-Control-Allow-Methods", rt.allow)
		hd.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		hd.Set("Access-Control-Max-Age", corsMaxAge)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !allows(rt.allow, r.Method) {
		w.Header().Set("Allow", rt.allow)
		writeError(w, r, engine.NewError(engine.CodeMethod, fmt.Sprintf("%s %s: method not allowed (allowed: %s)", r.Method, r.URL.Path, rt.allow)))
		return
	}
	rt.serve(h, w, r)
}

// readBody reads at most engine.MaxRequestBytes+1 bytes of r's body into one
// buffer, sized by Content-Length when the request gives one: io.ReadAll
// starts at 512 bytes and doubles, which leaves about twice the body in
// garbage (a third of a role check's allocations in WebAssembly).
func readBody(r *http.Request) ([]byte, error) {
	limit := int64(engine.MaxRequestBytes) + 1
	size := int64(512)
	if r.ContentLength > 0 && r.ContentLength < limit {
		size = r.ContentLength + 1 // room for the read that finds the end
	}
	b := make([]byte, 0, size)
	lr := io.LimitReader(r.Body, limit)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// post reads the body, at most engine.MaxRequestBytes of it, and answers what
// the engine entry point says.
func (h *Handler) post(w http.ResponseWriter, r *http.Request, entry func([]byte) ([]byte, *engine.Error)) {
	if r.ContentLength > engine.MaxRequestBytes {
		drain(r)
		writeError(w, r, tooLarge())
		return
	}
	body, err := readBody(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, r, tooLarge())
			return
		}
		writeError(w, r, &engine.Error{Code: engine.CodeInvalidRequest, Message: "reading the body: " + err.Error(), Field: "body", Offset: -1})
		return
	}
	if len(body) > engine.MaxRequestBytes {
		drain(r)
		writeError(w, r, tooLarge())
		return
	}
	out, e := entry(body)
	if e != nil {
		writeError(w, r, e)
		return
	}
	writeJSON(w, r, http.StatusOK, out)
}

// maxDrainBytes bounds how much of a refused body is read and thrown away
// before the 413 is sent. A client that writes its whole body before reading the
// answer (most do) would otherwise see the connection closed under it ("broken
// pipe") instead of the JSON error; past this bound the connection may close.
const maxDrainBytes = 2 * engine.MaxRequestBytes

// drain reads and discards the rest of a refused body, up to maxDrainBytes.
func drain(r *http.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes))
}

func tooLarge() *engine.Error {
	e := engine.NewError(engine.CodeTooLarge, fmt.Sprintf("the body is larger than %d bytes", engine.MaxRequestBytes))
	e.Field = "body"
	return e
}

func (h *Handler) logf(format string, args ...any) {
	if h.Log != nil {
		h.Log(format, args...)
		return
	}
	log.Printf(format, args...)
}

// allows reports whether the Allow list allow ("GET, HEAD, OPTIONS") names method.
func allows(allow, method string) bool {
	for m := range strings.SplitSeq(allow, ", ") {
		if m == method {
			return true
		}
	}
	return false
}

func writeError(w http.ResponseWriter, r *http.Request, e *engine.Error) {
	writeJSON(w, r, e.Status(), e.JSON())
}

// writeJSON writes body with status and the API's headers (no body for HEAD).
func writeJSON(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", JSONContentType)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		// No Content-Length: the Workers runtime sends a body of that length
		// through a FixedLengthStream, which fails when none comes.
		w.WriteHeader(status)
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away; nothing to tell it
}

// trackingWriter records whether the header was written, so that a recovered
// panic answers 500 only when it still can.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(status int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(status)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
