package handler_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"

	"whittle/engine"
	"whittle/wasm/worker/handler"
)

// pairs is h as name/value pairs sorted by name, values in order.
func pairs(h http.Header) []string {
	var names []string
	for n := range h {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		for _, v := range h[n] {
			out = append(out, n, v)
		}
	}
	return out
}

// TestServeBuffered: every route, answered through ServeBuffered, gets the
// status, headers and body that net/http's own recorder gets for the same
// request.
func TestServeBuffered(t *testing.T) {
	h := handler.New(nil)
	check, err := os.ReadFile("../../../engine/testdata/golden/check-role-recommendation.request.json")
	if err != nil {
		t.Fatal(err)
	}
	json := []string{"Content-Type", "application/json"}
	for _, c := range []struct {
		name, method, path string
		header             []string
		body               []byte
	}{
		{"refine", "POST", "/api/v1/refine", json, articleRequest(t)},
		{"check", "POST", "/api/v1/check", json, check},
		{"catalog", "GET", "/api/v1/catalog", nil, nil},
		{"catalog HEAD", "HEAD", "/api/v1/catalog", nil, nil},
		{"preflight", "OPTIONS", "/api/v1/refine", []string{"Origin", "https://example.org", "Access-Control-Request-Method", "POST"}, nil},
		{"404", "GET", "/api/v1/nothing", nil, nil},
		{"404 outside the API", "GET", "/index.html", nil, nil},
		{"405", "GET", "/api/v1/refine", nil, nil},
		{"413", "POST", "/api/v1/refine", json, bytes.Repeat([]byte(" "), engine.MaxRequestBytes+1)},
		{"400", "POST", "/api/v1/refine", json, []byte(`{"policy": {`)},
		{"empty body", "POST", "/api/v1/refine", json, []byte{}},
		{"no body", "POST", "/api/v1/refine", json, nil},
		{"repeated header", "POST", "/api/v1/refine", []string{"Content-Type", "application/json", "X-A", "1", "x-a", "2"}, articleRequest(t)},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := "https://whittle.example" + c.path
			got := handler.ServeBuffered(h, handler.Buffered{Method: c.method, URL: url, Header: c.header, Body: c.body})

			req := httptest.NewRequest(c.method, url, bytes.NewReader(c.body))
			for i := 0; i < len(c.header); i += 2 {
				req.Header.Add(c.header[i], c.header[i+1])
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			if got.Status != res.StatusCode {
				t.Errorf("status %d, want %d", got.Status, res.StatusCode)
			}
			if want := pairs(res.Header); !slices.Equal(got.Header, want) {
				t.Errorf("headers\n%q\nwant\n%q", got.Header, want)
			}
			if !bytes.Equal(got.Body, rec.Body.Bytes()) {
				t.Errorf("body %.300s\nwant %.300s", got.Body, rec.Body.Bytes())
			}
		})
	}
}

// TestServeBufferedWriter: the writer follows net/http's rules where a handler
// can tell: headers changed after the status are not sent, a second status is
// ignored, a handler that writes nothing answers 200 with no body, and a body
// without a Content-Type gets a sniffed one.
func TestServeBufferedWriter(t *testing.T) {
	for _, c := range []struct {
		name string
		h    http.HandlerFunc
		want handler.Answer
	}{
		{"nothing written", func(w http.ResponseWriter, r *http.Request) {}, handler.Answer{Status: 200}},
		{"headers after the status", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Before", "1")
			w.WriteHeader(http.StatusTeapot)
			w.Header().Set("X-After", "1")
			w.WriteHeader(http.StatusOK)
		}, handler.Answer{Status: http.StatusTeapot, Header: []string{"X-Before", "1"}}},
		{"sniffed", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("plain words"))
		}, handler.Answer{Status: 200, Header: []string{"Content-Type", "text/plain; charset=utf-8"}, Body: []byte("plain words")}},
		{"request as given", func(w http.ResponseWriter, r *http.Request) {
			b := new(bytes.Buffer)
			b.ReadFrom(r.Body)
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery + " " + r.Host + " " + r.Header.Get("X-A") + " " + b.String()))
		}, handler.Answer{Status: 200, Header: []string{"Content-Type", "text/plain"}, Body: []byte("PUT /a/b?c=d w.example 1 body")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := handler.Buffered{Method: "PUT", URL: "https://w.example/a/b?c=d", Header: []string{"X-A", "1"}, Body: []byte("body")}
			got := handler.ServeBuffered(c.h, in)
			if got.Status != c.want.Status || !slices.Equal(got.Header, c.want.Header) || !bytes.Equal(got.Body, c.want.Body) {
				t.Errorf("ServeBuffered = %d %q %q, want %d %q %q", got.Status, got.Header, got.Body, c.want.Status, c.want.Header, c.want.Body)
			}
		})
	}
	if got := handler.ServeBuffered(http.NotFoundHandler(), handler.Buffered{Method: "bad method", URL: "/"}); got.Status != http.StatusBadRequest {
		t.Errorf("a malformed method: status %d, want 400", got.Status)
	}
}
