package handler

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// Buffered is a request whose body is in memory, as the Worker's glue hands it
// to Go (wasm/worker/glue/worker.mjs reads every body whole before the
// request's turn), and Answer is what [ServeBuffered] makes of it.
type Buffered struct {
	Method string
	URL    string   // absolute: "https://whittle.example/api/v1/refine"
	Header []string // name, value, name, value, ... (a name may repeat)
	Body   []byte   // nil: no body
}

// Answer is a served request: status, headers as name/value pairs (sorted by
// name, values in the order written), and the body.
type Answer struct {
	Status int
	Header []string
	Body   []byte
}

// ServeBuffered serves r with h and returns the answer whole. It is the
// Worker's bridge between the glue and h: one call in, one answer out, where
// syumai/workers's bridge turns each request and answer into JavaScript
// streams, promises and about 60 JS values (see wasm/worker/bridge_js.go). A
// request that cannot be made (a malformed method or URL: the glue passes
// workerd's own, so never in practice) is answered 400 BAD_REQUEST.
func ServeBuffered(h http.Handler, r Buffered) Answer {
	req, err := http.NewRequest(r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Answer{
			Status: http.StatusBadRequest,
			Header: []string{"Content-Type", "text/plain; charset=utf-8"},
			Body:   []byte(fmt.Sprintf("bad request: %v\n", err)),
		}
	}
	if r.Body == nil {
		req.Body = http.NoBody
	}
	for i := 0; i+1 < len(r.Header); i += 2 {
		req.Header.Add(r.Header[i], r.Header[i+1])
	}
	// The length is known: the body is in memory (net/http's server would take
	// it from Content-Length; NewRequest sets it from the reader).
	req.ContentLength = int64(len(r.Body))
	w := &bufferedWriter{header: http.Header{}}
	h.ServeHTTP(w, req)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	a := Answer{Status: w.status, Body: w.body.Bytes()}
	if len(a.Body) > 0 && w.header.Get("Content-Type") == "" {
		w.header.Set("Content-Type", http.DetectContentType(a.Body)) // as net/http's server does
	}
	names := make([]string, 0, len(w.header))
	for name := range w.header {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range w.header[name] {
			a.Header = append(a.Header, name, v)
		}
	}
	return a
}

// bufferedWriter is the http.ResponseWriter of [ServeBuffered]: the status and
// headers as of the first write, the body in memory.
type bufferedWriter struct {
	header  http.Header
	written http.Header // the headers when the status was written
	status  int
	body    bytes.Buffer
}

func (w *bufferedWriter) Header() http.Header {
	if w.written != nil {
		return w.written.Clone() // changes after the status has no effect, as with net/http
	}
	return w.header
}

func (w *bufferedWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		panic("invalid WriteHeader code " + strconv.Itoa(code))
	}
	w.status = code
	w.written = w.header
}

func (w *bufferedWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}
