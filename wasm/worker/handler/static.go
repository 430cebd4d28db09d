package handler

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// compressible lists the extensions that [Static] sends gzip-compressed to a
// client that accepts gzip, with the Content-Type of each. The .wasm of the
// playground is the one that matters: about 6 MB raw, 1.4 MB compressed.
var compressible = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".svg":  "image/svg+xml",
	".txt":  "text/plain; charset=utf-8",
}

// Static serves the files of fsys (the built playground) like http.FileServer,
// and sends the compressible ones (.wasm, .js, .css, .html, ...) gzip-compressed
// when the request accepts gzip: a precompressed "<file>.gz" beside the file
// when there is one no older than the file, else compressed once on the fly and
// kept in memory until the file changes. .wasm files always get Content-Type
// application/wasm, which WebAssembly.instantiateStreaming requires.
func Static(fsys fs.FS) http.Handler {
	return &static{fsys: fsys, files: http.FileServerFS(fsys)}
}

type static struct {
	fsys  fs.FS
	files http.Handler
	mu    sync.Mutex
	cache map[string]gzEntry // file name → its compressed bytes
}

type gzEntry struct {
	mod  time.Time
	size int64
	gz   []byte
}

func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || strings.HasSuffix(r.URL.Path, "/") {
		name = path.Join(name, "index.html")
	}
	ctype, ok := compressible[path.Ext(name)]
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		s.files.ServeHTTP(w, r)
		return
	}
	info, err := fs.Stat(s.fsys, name)
	if err != nil || !info.Mode().IsRegular() {
		s.files.ServeHTTP(w, r) // its 404, or a directory redirect
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r) {
		s.files.ServeHTTP(w, r)
		return
	}
	gz, mod, err := s.compressed(name, info)
	if err != nil {
		s.files.ServeHTTP(w, r)
		return
	}
	hd.Set("Content-Encoding", "gzip")
	// Ranges would refer to the compressed bytes; nobody asks for a range of
	// these files, so answer whole.
	r.Header.Del("Range")
	http.ServeContent(w, r, name, mod, bytes.NewReader(gz))
}

// compressed returns the gzip form of the file name: its precompressed
// "<name>.gz" when present and no older, else the file compressed (cached).
func (s *static) compressed(name string, info fs.FileInfo) ([]byte, time.Time, error) {
	if pre, err := fs.Stat(s.fsys, name+".gz"); err == nil && pre.Mode().IsRegular() && !pre.ModTime().Before(info.ModTime()) {
		b, err := fs.ReadFile(s.fsys, name+".gz")
		return b, info.ModTime(), err
	}
	s.mu.Lock()
	e, ok := s.cache[name]
	s.mu.Unlock()
	if ok && e.mod.Equal(info.ModTime()) && e.size == info.Size() {
		return e.gz, e.mod, nil
	}
	f, err := s.fsys.Open(name)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := io.Copy(zw, f); err != nil {
		return nil, time.Time{}, err
	}
	if err := zw.Close(); err != nil {
		return nil, time.Time{}, err
	}
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]gzEntry{}
	}
	s.cache[name] = gzEntry{info.ModTime(), info.Size(), b.Bytes()}
	s.mu.Unlock()
	return b.Bytes(), info.ModTime(), nil
}

// acceptsGzip reports whether the request's Accept-Encoding admits gzip
// (a "gzip;q=0" refuses it).
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(coding) != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
