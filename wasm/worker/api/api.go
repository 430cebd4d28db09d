// Package api is the HTTP API of api.md without net/http: routes, methods, CORS,
// the body's bound and the answers' headers, over requests whose body is in
// memory. The Worker (wasm/worker, GOOS=js) serves it directly: its glue hands
// Go a request as one call, and a build without net/http starts faster in
// WebAssembly (net/http's package init, and crypto/tls's and crypto/x509's
// with it, cost about 40 ms of CPU with V8's cold code) and is half the size.
// Package handler wraps it as the http.Handler of the native server.
//
//	POST    /api/v1/refine          engine.HandleRefine
//	POST    /api/v1/recommendation  engine.HandleRecommendation
//	POST    /api/v1/check           engine.HandleCheck
//	GET     /api/v1/catalog         engine.HandleCatalog (HEAD too)
//	OPTIONS /api/v1/...             CORS preflight: 204
//
// Other paths answer 404 NOT_FOUND.
package api

import (
	"fmt"
	"log"
	"strconv"
	"strings"

	"whittle/engine"
)

// JSONContentType is the Content-Type of every API answer, errors included.
const JSONContentType = "application/json; charset=utf-8"

// CORS answers: any origin may call the API (it keeps no state and reads no
// cookies), with the methods and the one request header it uses.
const (
	corsAllowHeaders = "Content-Type"
	corsMaxAge       = "86400" // a day: preflights are pure overhead for a stateless API
)

// Statuses the API answers with besides the engine's errors' (net/http's names).
const (
	statusOK        = 200
	statusNoContent = 204
)

// Request is a request with its body in memory.
type Request struct {
	Method string
	Path   string // "/api/v1/refine", without the query
	// Body is at most engine.MaxRequestBytes+1 bytes of the body: a longer one
	// is refused 413 TOO_LARGE, and so is any when TooLarge is set (the body
	// was not read: its Content-Length said it was too large).
	Body     []byte
	TooLarge bool
}

// Answer is what the API answers: a status, headers as name/value pairs in
// canonical form, and the body (none for HEAD and 204).
type Answer struct {
	Status int
	Header []string
	Body   []byte
}

// API serves the routes. Its fields are the engine entry points it wraps
// ([New] sets them to the engine's); tests may replace them.
type API struct {
	Refine         func(body []byte) ([]byte, *engine.Error)
	Recommendation func(body []byte) ([]byte, *engine.Error)
	Check          func(body []byte) ([]byte, *engine.Error)
	Catalog        func() []byte
	// Log receives panics recovered from the engine (never the client); nil: log.Printf.
	Log func(format string, args ...any)
}

// New returns the API over the engine.
func New() *API {
	return &API{
		Refine:         engine.HandleRefine,
		Recommendation: engine.HandleRecommendation,
		Check:          engine.HandleCheck,
		Catalog:        engine.HandleCatalog,
	}
}

// route is one API path: the methods it answers and how.
type route struct {
	allow string // the Allow header: its methods, OPTIONS included
	serve func(a *API, r Request) Answer
}

var routes = map[string]route{
	"/api/v1/refine": {"POST, OPTIONS", func(a *API, r Request) Answer {
		return a.post(r, a.Refine)
	}},
	"/api/v1/recommendation": {"POST, OPTIONS", func(a *API, r Request) Answer {
		return a.post(r, a.Recommendation)
	}},
	"/api/v1/check": {"POST, OPTIONS", func(a *API, r Request) Answer {
		return a.post(r, a.Check)
	}},
	"/api/v1/catalog": {"GET, HEAD, OPTIONS", func(a *API, r Request) Answer {
		return JSON(r.Method, statusOK, a.Catalog())
	}},
}

// Serve answers r. A panic below becomes a 500 INTERNAL JSON answer; the panic
// value is logged, never sent.
func (a *API) Serve(r Request) (ans Answer) {
	defer func() {
		if v := recover(); v != nil {
			a.Logf("whittle: panic serving %s %s: %v", r.Method, r.Path, v)
			ans = Error(r.Method, engine.NewError(engine.CodeInternal, "internal error"))
		}
	}()
	rt, ok := routes[r.Path]
	if !ok {
		return Error(r.Method, engine.NewError(engine.CodeNotFound, fmt.Sprintf("no route %s; see /api/v1/refine, /api/v1/recommendation, /api/v1/check, /api/v1/catalog", r.Path)))
	}
	if r.Method == "OPTIONS" {
		return Answer{Status: statusNoContent, Header: []string{
			"Access-Control-Allow-Headers", corsAllowHeaders,
			"Access-Control-Allow-Methods", rt.allow,
			"Access-Control-Allow-Origin", "*",
			"Access-Control-Max-Age", corsMaxAge,
			"Allow", rt.allow,
		}}
	}
	if !allows(rt.allow, r.Method) {
		ans := Error(r.Method, engine.NewError(engine.CodeMethod, fmt.Sprintf("%s %s: method not allowed (allowed: %s)", r.Method, r.Path, rt.allow)))
		ans.Header = append(ans.Header, "Allow", rt.allow)
		return ans
	}
	return rt.serve(a, r)
}

// post answers what the engine entry point says of the body, at most
// engine.MaxRequestBytes of it.
func (a *API) post(r Request, entry func([]byte) ([]byte, *engine.Error)) Answer {
	if r.TooLarge || len(r.Body) > engine.MaxRequestBytes {
		e := engine.NewError(engine.CodeTooLarge, fmt.Sprintf("the body is larger than %d bytes", engine.MaxRequestBytes))
		e.Field = "body"
		return Error(r.Method, e)
	}
	out, e := entry(r.Body)
	if e != nil {
		return Error(r.Method, e)
	}
	return JSON(r.Method, statusOK, out)
}

// Logf logs a recovered panic: to a.Log, or without one to log.Printf.
func (a *API) Logf(format string, args ...any) {
	if a.Log != nil {
		a.Log(format, args...)
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

// Error is the answer for e: its status and its JSON.
func Error(method string, e *engine.Error) Answer {
	return JSON(method, e.Status(), e.JSON())
}

// JSON is an answer of status and body with the API's headers (no body, and no
// Content-Length, for HEAD: the Workers runtime sends a body of that length
// through a FixedLengthStream, which fails when none comes).
func JSON(method string, status int, body []byte) Answer {
	a := Answer{Status: status, Header: []string{
		"Access-Control-Allow-Origin", "*",
		"Cache-Control", "no-store",
	}}
	if method != "HEAD" {
		a.Header = append(a.Header, "Content-Length", strconv.Itoa(len(body)))
		a.Body = body
	}
	a.Header = append(a.Header,
		"Content-Type", JSONContentType,
		"X-Content-Type-Options", "nosniff",
	)
	return a
}
