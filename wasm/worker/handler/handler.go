// Package handler is the HTTP face of the engine: the routes of api.md, served
// natively by `go run ./wasm/worker` and scripts/serve, as an http.Handler over
// package api (which the Worker serves directly, without net/http).
//
// It is a thin wrapper. It reads the body, at most [engine.MaxRequestBytes] of
// it, hands the request to [api.API], and writes the answer; every decision
// about the routes and the body is api's and the engine's, so the answers are
// byte for byte those of the engine (and of the playground and the Worker).
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
	"io"
	"net/http"
	"strings"

	"whittle/engine"
	"whittle/wasm/worker/api"
)

// APIPrefix is the path prefix of every API route; the rest belongs to the static files.
const APIPrefix = "/api/"

// JSONContentType is the Content-Type of every API answer, errors included.
const JSONContentType = api.JSONContentType

// Handler serves the API. Its API's fields are the engine entry points it
// wraps ([New] sets them to the engine's); tests may replace them.
type Handler struct {
	*api.API
	// Static serves every path outside [APIPrefix]; nil answers them 404 NOT_FOUND.
	Static http.Handler
}

// New returns the API handler over the engine, with static (may be nil) for the
// paths outside [APIPrefix].
func New(static http.Handler) *Handler {
	return &Handler{API: api.New(), Static: static}
}

// ServeHTTP reads r's body and writes what the API answers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, APIPrefix) && h.Static != nil {
		h.Static.ServeHTTP(w, r)
		return
	}
	// A panic below the API's (which answers 500 itself): in the writer, say.
	// It becomes a 500 INTERNAL answer when nothing was written yet; the panic
	// value is logged, never sent.
	wrote := false
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
			panic(v)
		}
		h.Logf("whittle: panic serving %s %s: %v", r.Method, r.URL.Path, v)
		if !wrote {
			write(w, api.Error(r.Method, engine.NewError(engine.CodeInternal, "internal error")), &wrote)
		}
	}()
	req := api.Request{Method: r.Method, Path: r.URL.Path}
	if r.Method == http.MethodPost { // the API reads a body only for its POST routes
		var err error
		if req.Body, req.TooLarge, err = apiBody(r); err != nil {
			e := &engine.Error{Code: engine.CodeInvalidRequest, Message: "reading the body: " + err.Error(), Field: "body", Offset: -1}
			write(w, api.Error(r.Method, e), &wrote)
			return
		}
	}
	write(w, h.Serve(req), &wrote)
}

// write writes the answer a, and sets *wrote before its status goes out.
func write(w http.ResponseWriter, a api.Answer, wrote *bool) {
	hd := w.Header()
	for i := 0; i+1 < len(a.Header); i += 2 {
		hd.Add(a.Header[i], a.Header[i+1])
	}
	*wrote = true
	w.WriteHeader(a.Status)
	if len(a.Body) > 0 {
		w.Write(a.Body) //nolint:errcheck // the client went away; nothing to tell it
	}
}

// apiBody reads r's body for the API: at most engine.MaxRequestBytes+1 bytes,
// the rest drained. tooLarge is set, and nothing read but drained, when the
// Content-Length is over the bound already.
func apiBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > engine.MaxRequestBytes {
		drain(r)
		return nil, true, nil
	}
	body, err = readBody(r)
	if err == nil && len(body) > engine.MaxRequestBytes {
		drain(r)
	}
	return body, false, err
}

// readBody reads at most engine.MaxRequestBytes+1 bytes of r's body into one
// buffer, sized by Content-Length when the request gives one: io.ReadAll
// starts at 512 bytes and doubles, which leaves about twice the body in
// garbage.
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

// maxDrainBytes bounds how much of a refused body is read and thrown away
// before the 413 is sent. A client that writes its whole body before reading the
// answer (most do) would otherwise see the connection closed under it ("broken
// pipe") instead of the JSON error; past this bound the connection may close.
const maxDrainBytes = 2 * engine.MaxRequestBytes

// drain reads and discards the rest of a refused body, up to maxDrainBytes.
func drain(r *http.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes))
}
