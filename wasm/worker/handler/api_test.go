package handler_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"

	"whittle/engine"
	"whittle/wasm/worker/api"
	"whittle/wasm/worker/handler"
)

// toHeader is name/value pairs as an http.Header.
func toHeader(pairs []string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Add(pairs[i], pairs[i+1])
	}
	return h
}

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

// TestAPIMatchesHTTP: every route, answered by package api directly (as the
// Worker serves it), gets the status, headers and body that the http.Handler
// gets for the same request through net/http's recorder.
func TestAPIMatchesHTTP(t *testing.T) {
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
			a := api.New().Serve(api.Request{Method: c.method, Path: c.path, Body: c.body})
			got := struct {
				Status int
				Header []string
				Body   []byte
			}{a.Status, pairs(toHeader(a.Header)), a.Body}

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
