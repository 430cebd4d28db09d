package handler_test

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"whittle/wasm/worker/handler"
)

// BenchmarkRefineArticle is one POST /api/v1/refine of the article example through
// the handler, natively, in a warm process (the built-in catalog decoded once).
// Compare with scripts/bench-worker: the Worker's kept Go instance, as wasm.
func BenchmarkRefineArticle(b *testing.B) {
	h := handler.New(nil)
	body := articleRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/api/v1/refine", bytes.NewReader(body)))
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body.Bytes())
		}
	}
}

// BenchmarkRoleRoutes is one POST of the recommendation and check routes for
// OrdersApiRole's three policies (the golden requests that scripts/bench-worker
// also sends to the Worker), natively, in a warm process.
func BenchmarkRoleRoutes(b *testing.B) {
	for _, c := range []struct{ route, file string }{
		{"/api/v1/recommendation", "recommendation-role-action-level.request.json"},
		{"/api/v1/check", "check-role-recommendation.request.json"},
	} {
		body, err := os.ReadFile(filepath.Join("..", "..", "..", "engine", "testdata", "golden", c.file))
		if err != nil {
			b.Fatal(err)
		}
		h := handler.New(nil)
		b.Run(strings.TrimPrefix(c.route, "/api/v1/"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("POST", c.route, bytes.NewReader(body)))
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body.Bytes())
				}
			}
		})
	}
}
