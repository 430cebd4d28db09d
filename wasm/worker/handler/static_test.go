package handler_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"

	"whittle/wasm/worker/handler"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestStatic(t *testing.T) {
	t.Parallel()
	old, now := time.Unix(1e9, 0), time.Unix(2e9, 0)
	wasm := bytes.Repeat([]byte("\x00asm wasm bytes "), 1000)
	pre := bytes.Repeat([]byte("\x00asm precompressed "), 1000)
	fsys := fstest.MapFS{
		"index.html":      {Data: []byte("<!doctype html><title>Whittle</title>"), ModTime: now},
		"app.wasm":        {Data: wasm, ModTime: now},
		"pre.wasm":        {Data: pre, ModTime: old},
		"pre.wasm.gz":     {Data: gzipBytes(pre), ModTime: now},
		"stale.wasm":      {Data: wasm, ModTime: now},
		"stale.wasm.gz":   {Data: gzipBytes([]byte("old contents")), ModTime: old},
		"web/style.css":   {Data: []byte("body{margin:0}"), ModTime: now},
		"web/index.html":  {Data: []byte("sub"), ModTime: now},
		"img/logo.png":    {Data: []byte("\x89PNG"), ModTime: now},
		"examples/a.json": {Data: []byte(`{"a":1}`), ModTime: now},
	}
	h := handler.New(handler.Static(fsys))

	tests := []struct {
		path, acceptEncoding string
		status               int
		ctype                string
		gzip                 bool
		body                 []byte
	}{
		{"/app.wasm", "gzip, deflate, br", 200, "application/wasm", true, wasm},
		{"/app.wasm", "", 200, "application/wasm", false, wasm},
		{"/app.wasm", "gzip;q=0, br", 200, "application/wasm", false, wasm},
		{"/app.wasm", "br;q=1.0, GZIP;q=0.5", 200, "application/wasm", true, wasm},
		{"/pre.wasm", "gzip", 200, "application/wasm", true, pre},
		{"/stale.wasm", "gzip", 200, "application/wasm", true, wasm}, // .gz older than the file: ignored
		{"/", "gzip", 200, "text/html; charset=utf-8", true, fsys["index.html"].Data},
		{"/", "", 200, "text/html; charset=utf-8", false, fsys["index.html"].Data},
		{"/web/", "gzip", 200, "text/html; charset=utf-8", true, []byte("sub")},
		{"/web/style.css", "gzip", 200, "text/css; charset=utf-8", true, fsys["web/style.css"].Data},
		{"/examples/a.json", "", 200, "application/json; charset=utf-8", false, fsys["examples/a.json"].Data},
		{"/img/logo.png", "gzip", 200, "image/png", false, fsys["img/logo.png"].Data},
		{"/missing.wasm", "gzip", 404, "", false, nil},
		{"/../../etc/passwd", "gzip", 404, "", false, nil},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", tt.path, nil)
		if tt.acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", tt.acceptEncoding)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		call := "GET " + tt.path + " (Accept-Encoding: " + tt.acceptEncoding + ")"
		if w.Code != tt.status {
			t.Errorf("%s: status %d, want %d", call, w.Code, tt.status)
			continue
		}
		if tt.status != 200 {
			continue
		}
		if got := w.Header().Get("Content-Type"); got != tt.ctype {
			t.Errorf("%s: Content-Type %q, want %q", call, got, tt.ctype)
		}
		body := w.Body.Bytes()
		if got := w.Header().Get("Content-Encoding") == "gzip"; got != tt.gzip {
			t.Errorf("%s: gzip %v, want %v", call, got, tt.gzip)
			continue
		}
		if tt.gzip {
			body = gunzip(t, body)
		}
		if !bytes.Equal(body, tt.body) {
			t.Errorf("%s: body %q..., want %q...", call, clip(body)[:20], clip(tt.body)[:min(20, len(tt.body))])
		}
	}

	// The API stays the API when static files are served.
	w := do(h, "GET", "/api/v1/catalog", nil)
	if w.Code != 200 {
		t.Errorf("GET /api/v1/catalog with static files: status %d", w.Code)
	}
	checkError(t, "GET /api/v1/nothing with static files", do(h, "GET", "/api/v1/nothing", nil), 404, "NOT_FOUND")
}
