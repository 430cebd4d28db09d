package handler_test

import (
	"bytes"
	"net/http/httptest"
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
