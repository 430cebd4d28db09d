//go:build e2e

// Package e2e runs the Worker for real: scripts/worker builds wasm/worker for
// GOOS=js and serves it in workerd (npm, pinned), and the answers through
// workerd must be the native engine's, byte for byte.
//
//	go test -count=1 -tags e2e -run Workerd ./e2e
//	go test -tags e2e -run '^$' -bench 'Workerd(Refine|Catalog|Roles)$' -benchtime 50x ./e2e   # warm latency and CPU
//	WHITTLE_BENCH_BUILD=DIR go test ...   # the same benchmarks on another build (scripts/worker build into DIR)
//	go test -tags e2e -run '^$' -bench WorkerdFirst -benchtime 7x ./e2e   # first request of a new isolate
//
// These tests fail, never skip, when Node.js or workerd cannot run.
package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"whittle/engine"
)

// readyTimeout bounds the wait for workerd to answer: the first run installs it
// from npm (a few seconds), and it starts in about a second.
const readyTimeout = 90 * time.Second

// maxUploadGzip is the free Workers plan's limit on the compressed Worker size.
const maxUploadGzip = 3_000_000

// root is the repository's top folder (the tests run in e2e/).
func root(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// build runs `scripts/worker build` into a temporary folder (so a developer's
// build/worker is left alone) and returns the folder. The Go build cache makes
// every build after the first a matter of linking. tags are Go build tags
// (WORKER_TAGS): "" is the production build, testTags the test build.
func build(t testing.TB, tags string) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(root(t), "scripts", "worker"), "build")
	cmd.Env = append(os.Environ(), "WORKER_BUILD="+dir, "WORKER_TAGS="+tags)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/worker build: %v\n%s", err, out)
	}
	return dir
}

// workerd is a running `scripts/worker serve`.
type workerd struct {
	dir  string // the build: worker.mjs, runtime.mjs, wasm_exec.js, app.wasm
	url  string
	cmd  *exec.Cmd
	done chan struct{}
	out  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// start builds the Worker (production build) and serves it in workerd on a free
// loopback port, with static (may be "") as WHITTLE_STATIC; it is stopped when t ends.
func start(t testing.TB, static string) *workerd {
	t.Helper()
	return serve(t, build(t, ""), static)
}

// serve serves the build in dir in workerd, as start does.
func serve(t testing.TB, dir, static string) *workerd {
	t.Helper()
	port := freePort(t)
	out := &syncBuffer{}
	cmd := exec.Command("bash", filepath.Join(root(t), "scripts", "worker"), "serve")
	cmd.Env = append(os.Environ(), "WORKER_BUILD="+dir, "PORT="+port, "WHITTLE_STATIC="+static)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // one group: the script, npm, workerd
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting scripts/worker serve: %v", err)
	}
	w := &workerd{dir: dir, url: "http://127.0.0.1:" + port, cmd: cmd, done: make(chan struct{}), out: out}
	go func() { cmd.Wait(); close(w.done) }()
	t.Cleanup(w.stop)

	deadline := time.Now().Add(readyTimeout)
	for {
		// Without static files, GET /api/v1/catalog (which starts the Go instance);
		// with them, the router's answer for / (which leaves the API untouched).
		probe := "/api/v1/catalog"
		if static != "" {
			probe = "/"
		}
		resp, err := http.Get(w.url + probe)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 || static != "" && resp.StatusCode == 404 {
				return w
			}
		}
		select {
		case <-w.done:
			t.Fatalf("workerd stopped before answering (%v):\n%s", cmd.ProcessState, out)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("workerd did not answer GET %s within %v (last error %v):\n%s", probe, readyTimeout, err, out)
		}
	}
}

// stop ends workerd's process group and waits for it.
func (w *workerd) stop() {
	select {
	case <-w.done:
		return
	default:
	}
	syscall.Kill(-w.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
		<-w.done
	}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (w *workerd) do(t testing.TB, method, path string, body []byte, header ...string) answer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// The body as sent, not as the transport would have decoded it.
	req.Header.Set("Accept-Encoding", req.Header.Get("Accept-Encoding"))
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v\nworkerd:\n%s", method, path, err, w.out)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	if !filepath.IsAbs(name) {
		name = filepath.Join(root(t), name)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// articleRequest is the refine request of the article's worked example with the
// 2024-08-31 catalog fixture as "catalog" (as in the handler tests).
func articleRequest(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`{"policy": `)
	b.Write(readFile(t, "wasm/worker/handler/testdata/article-policy.json"))
	b.WriteString(`, "findings": `)
	b.Write(readFile(t, "wasm/worker/handler/testdata/article-findings.json"))
	b.WriteString(`, "catalog": `)
	b.Write(readFile(t, "engine/testdata/catalog-2024-08-31.json"))
	b.WriteString("}")
	return b.Bytes()
}

func errorCode(body []byte) string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(body, &e)
	return e.Error.Code
}

func TestWorkerd(t *testing.T) {
	w := start(t, "")
	article := articleRequest(t)

	t.Run("article", func(t *testing.T) {
		want, e := engine.HandleRefine(article)
		if e != nil {
			t.Fatalf("engine.HandleRefine(article) = %s", e.JSON())
		}
		got := w.do(t, "POST", "/api/v1/refine", article, "Content-Type", "application/json")
		if got.status != 200 {
			t.Fatalf("POST /api/v1/refine (article) through workerd: status %d: %s", got.status, got.body)
		}
		if !bytes.Equal(got.body, want) {
			t.Errorf("POST /api/v1/refine (article) through workerd differs from the native engine:\n%s\nwant\n%s", got.body, want)
		}
		if ct := got.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if !bytes.Contains(got.body, []byte(`"s3:GetAccess*"`)) {
			t.Errorf("the article's answer lacks s3:GetAccess*:\n%s", got.body)
		}
	})

	t.Run("catalog", func(t *testing.T) {
		got := w.do(t, "GET", "/api/v1/catalog", nil)
		if want := engine.HandleCatalog(); got.status != 200 || !bytes.Equal(got.body, want) {
			t.Errorf("GET /api/v1/catalog through workerd = %d %s, want 200 %s", got.status, got.body, want)
		}
	})

	t.Run("HEAD", func(t *testing.T) {
		for _, path := range []string{"/api/v1/catalog", "/api/v1/refine"} {
			got := w.do(t, "HEAD", path, nil)
			if want := map[string]int{"/api/v1/catalog": 200, "/api/v1/refine": 405}[path]; got.status != want || len(got.body) != 0 {
				t.Errorf("HEAD %s through workerd: status %d with %d body bytes, want %d and none", path, got.status, len(got.body), want)
			}
		}
		if strings.Contains(w.out.String(), "error") {
			t.Errorf("workerd logged errors:\n%s", w.out)
		}
	})

	t.Run("recommendation", func(t *testing.T) {
		// A whole role: the authorization-details dump and its last-accessed
		// report; the same bytes as natively but for the two times, the clock's.
		var b bytes.Buffer
		b.WriteString(`{"policies": `)
		b.Write(readFile(t, "engine/testdata/role/authorization-details.json"))
		b.WriteString(`, "findings": `)
		b.Write(readFile(t, "engine/testdata/role/last-accessed-action-level.json"))
		b.WriteString(`, "options": {"principal": "OrdersApiRole"}}`)
		want, e := engine.HandleRecommendation(b.Bytes())
		if e != nil {
			t.Fatalf("engine.HandleRecommendation = %s", e.JSON())
		}
		got := w.do(t, "POST", "/api/v1/recommendation", b.Bytes())
		times := regexp.MustCompile(`"(startedAt|completedAt)": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"`)
		if got.status != 200 || !bytes.Equal(times.ReplaceAll(got.body, nil), times.ReplaceAll(want, nil)) || !times.Match(got.body) {
			t.Errorf("POST /api/v1/recommendation through workerd = %d %.2000s\nwant 200 %.2000s", got.status, got.body, want)
		}
	})

	t.Run("check", func(t *testing.T) {
		// The golden check requests: AWS's answer for a role with one document
		// changed, and an edit of the article's refinement.
		for _, name := range []string{"check-role-recommendation", "check-article-edited"} {
			body := readFile(t, "engine/testdata/golden/"+name+".request.json")
			want, e := engine.HandleCheck(body)
			if e != nil {
				t.Fatalf("engine.HandleCheck(%s) = %s", name, e.JSON())
			}
			if got := w.do(t, "POST", "/api/v1/check", body); got.status != 200 || !bytes.Equal(got.body, want) {
				t.Errorf("POST /api/v1/check (%s) through workerd = %d %.2000s\nwant 200 %.2000s", name, got.status, got.body, want)
			}
		}
	})

	// Errors: the same status and bytes as natively where the engine answers.
	for _, tt := range []struct {
		name, method, path string
		body               []byte
		status             int
		code, allow        string
	}{
		{"404", "GET", "/api/v1/nothing", nil, 404, engine.CodeNotFound, ""},
		{"404 outside the API", "GET", "/index.html", nil, 404, engine.CodeNotFound, ""},
		{"405", "GET", "/api/v1/refine", nil, 405, engine.CodeMethod, "POST, OPTIONS"},
		{"405 catalog", "DELETE", "/api/v1/catalog", nil, 405, engine.CodeMethod, "GET, HEAD, OPTIONS"},
		{"413", "POST", "/api/v1/refine", bytes.Repeat([]byte(" "), engine.MaxRequestBytes+1), 413, engine.CodeTooLarge, ""},
		{"400 malformed", "POST", "/api/v1/refine", []byte(`{"policy": {`), 400, engine.CodeInvalidJSON, ""},
		{"400 truncated", "POST", "/api/v1/refine", article[:len(article)/2], 400, "", ""},
		{"400 non-UTF-8", "POST", "/api/v1/refine", []byte("{\"policy\": \"\xff\xfe\", \"findings\": []}"), 400, "", ""},
		{"400 nested", "POST", "/api/v1/refine", append(bytes.Repeat([]byte("["), 200000), bytes.Repeat([]byte("]"), 200000)...), 400, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := w.do(t, tt.method, tt.path, tt.body)
			if got.status != tt.status {
				t.Errorf("%s %s through workerd: status %d, want %d: %s", tt.method, tt.path, got.status, tt.status, got.body)
			}
			if code := errorCode(got.body); code == "" || (tt.code != "" && code != tt.code) {
				t.Errorf("%s %s through workerd: error code %q, want %q: %s", tt.method, tt.path, code, tt.code, got.body)
			}
			if got.header.Get("Allow") != tt.allow {
				t.Errorf("%s %s through workerd: Allow %q, want %q", tt.method, tt.path, got.header.Get("Allow"), tt.allow)
			}
			if got.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%s %s through workerd: no CORS header", tt.method, tt.path)
			}
			if tt.status == 400 {
				_, e := engine.HandleRefine(tt.body)
				if e == nil || !bytes.Equal(got.body, e.JSON()) {
					t.Errorf("%s %s through workerd = %s, want the native error %s", tt.method, tt.path, got.body, e.JSON())
				}
			}
		})
	}

	t.Run("escaped path", func(t *testing.T) {
		// The path is decoded, as net/http decodes it natively.
		if got := w.do(t, "GET", "/api/v1/%63atalog", nil); got.status != 200 || !bytes.Equal(got.body, engine.HandleCatalog()) {
			t.Errorf("GET /api/v1/%%63atalog through workerd: %d %s", got.status, got.body)
		}
	})

	t.Run("bundle size", func(t *testing.T) {
		// What wrangler uploads, gzip-compressed, against the free plan's limit.
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		for _, name := range []string{"worker.mjs", "runtime.mjs", "wasm_exec.js", "app.wasm"} {
			zw.Write(readFile(t, filepath.Join(w.dir, name)))
		}
		zw.Close()
		if gz.Len() >= maxUploadGzip {
			t.Errorf("the Worker is %d bytes gzip-compressed, want under %d (the free plan's limit)", gz.Len(), maxUploadGzip)
		}
		t.Logf("Worker bundle: %d bytes gzip", gz.Len())
	})

	t.Run("no test routes", func(t *testing.T) {
		// The production build has none of the test build's routes (whittletest).
		for _, r := range []string{"state", "panic", "exit", "trap", "oom", "hang", "waituntil"} {
			got := w.do(t, "GET", "/api/v1/_test/"+r, nil)
			if got.status != 404 || errorCode(got.body) != engine.CodeNotFound {
				t.Errorf("GET /api/v1/_test/%s in the production build: %d %s, want 404 NOT_FOUND", r, got.status, got.body)
			}
		}
		if bytes.Contains(readFile(t, filepath.Join(w.dir, "app.wasm")), []byte("whittletest")) {
			t.Errorf("the production app.wasm contains the test build's code (the string whittletest)")
		}
	})

	t.Run("glue constants", func(t *testing.T) {
		// The glue's body limit and its own 500 answer are the handler's.
		glue := string(readFile(t, filepath.Join(w.dir, "worker.mjs")))
		if want := fmt.Sprintf("const MAX_BODY = %d;", engine.MaxRequestBytes); !strings.Contains(glue, want) {
			t.Errorf("worker.mjs lacks %q (engine.MaxRequestBytes)", want)
		}
		js, _ := json.Marshal(string(engine.NewError(engine.CodeInternal, "internal error").JSON()))
		if want := "const INTERNAL = " + string(js) + ";"; !strings.Contains(glue, want) {
			t.Errorf("worker.mjs lacks %s (the handler's 500 answer)", want)
		}
	})

	t.Run("preflight", func(t *testing.T) {
		got := w.do(t, "OPTIONS", "/api/v1/refine", nil, "Origin", "https://example.org", "Access-Control-Request-Method", "POST")
		if got.status != 204 || got.header.Get("Access-Control-Allow-Origin") != "*" || got.header.Get("Access-Control-Allow-Methods") != "POST, OPTIONS" {
			t.Errorf("OPTIONS /api/v1/refine through workerd: %d %v", got.status, got.header)
		}
	})
}

// TestWorkerdStatic: with WHITTLE_STATIC the same workerd serves a folder's files
// (the .wasm as application/wasm, gzip-compressed) and still the API.
func TestWorkerdStatic(t *testing.T) {
	site := t.TempDir()
	wasm := bytes.Repeat([]byte("\x00asm not really "), 4096)
	os.WriteFile(filepath.Join(site, "index.html"), []byte("<!doctype html><title>Whittle</title>\n"), 0o644)
	os.WriteFile(filepath.Join(site, "app.wasm"), wasm, 0o644)
	w := start(t, site)

	got := w.do(t, "GET", "/", nil)
	if got.status != 200 || !strings.Contains(string(got.body), "<title>Whittle</title>") || !strings.HasPrefix(got.header.Get("Content-Type"), "text/html") {
		t.Errorf("GET / through workerd: %d %q %s", got.status, got.header.Get("Content-Type"), got.body)
	}
	got = w.do(t, "GET", "/app.wasm", nil, "Accept-Encoding", "gzip")
	if got.status != 200 || got.header.Get("Content-Type") != "application/wasm" || got.header.Get("Content-Encoding") != "gzip" || len(got.body) >= len(wasm) {
		t.Errorf("GET /app.wasm (gzip) through workerd: %d %v, %d bytes of %d", got.status, got.header, len(got.body), len(wasm))
	}
	got = w.do(t, "GET", "/app.wasm", nil)
	if got.status != 200 || !bytes.Equal(got.body, wasm) {
		t.Errorf("GET /app.wasm (identity) through workerd: %d, %d bytes, want %d", got.status, len(got.body), len(wasm))
	}
	if got := w.do(t, "GET", "/missing.js", nil); got.status != 404 {
		t.Errorf("GET /missing.js through workerd: %d", got.status)
	}
	article := articleRequest(t)
	want, _ := engine.HandleRefine(article)
	if got := w.do(t, "POST", "/api/v1/refine", article); got.status != 200 || !bytes.Equal(got.body, want) {
		t.Errorf("POST /api/v1/refine through workerd with static files: %d %s", got.status, got.body)
	}
}

// BenchmarkWorkerdRefine measures warm requests through workerd for the
// article example (the isolate's kept Go instance, see wasm/worker/glue): the
// median and 90th percentile of their latency besides the mean, and their CPU
// time in workerd (see benchWorkerd).
func BenchmarkWorkerdRefine(b *testing.B) {
	benchWorkerd(b, "POST", "/api/v1/refine", articleRequest(b))
}

// BenchmarkWorkerdCatalog is the floor: GET /api/v1/catalog costs a trip through
// workerd, the glue and the Go bridge, and almost nothing else.
func BenchmarkWorkerdCatalog(b *testing.B) {
	benchWorkerd(b, "GET", "/api/v1/catalog", nil)
}

// BenchmarkWorkerdRoles is the recommendation and check routes for
// OrdersApiRole's three policies (the golden requests that scripts/bench-worker
// also sends under Node), through workerd.
func BenchmarkWorkerdRoles(b *testing.B) {
	for _, c := range []struct{ route, file string }{
		{"recommendation", "recommendation-role-action-level"},
		{"check", "check-role-recommendation"},
	} {
		body := readFile(b, "engine/testdata/golden/"+c.file+".request.json")
		b.Run(c.route, func(b *testing.B) { benchWorkerd(b, "POST", "/api/v1/"+c.route, body) })
	}
}

// BenchmarkWorkerdFirst is the first request of a new isolate: each iteration
// starts workerd afresh (with an empty static folder, so that the router answers
// the readiness probe and the API's isolate has run nothing), then times the
// article request: Go's start with cold code, the built-in catalog, the refine;
// its latency and the CPU time of workerd's main thread.
func BenchmarkWorkerdFirst(b *testing.B) {
	dir := benchBuild(b)
	article := articleRequest(b)
	want := nativeRefine(b, article)
	times := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	for range b.N {
		b.StopTimer()
		w := serve(b, dir, b.TempDir())
		mainTID := strconv.Itoa(w.cmd.Process.Pid) // workerd's main thread (see benchWorkerd)
		before := threadCPU(b, w.cmd.Process.Pid)[mainTID]
		b.StartTimer()
		t0 := time.Now()
		got := w.do(b, "POST", "/api/v1/refine", article)
		times = append(times, time.Since(t0))
		b.StopTimer()
		cpu = append(cpu, threadCPU(b, w.cmd.Process.Pid)[mainTID]-before)
		if got.status != 200 || !bytes.Equal(got.body, want) {
			b.Fatalf("first request: status %d: %.200s", got.status, got.body)
		}
		w.stop()
	}
	slices.Sort(times)
	slices.Sort(cpu)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90-ms")
	b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds())/1000, "cpu-median-ms")
}

// benchBuild is the build the benchmarks measure: $WHITTLE_BENCH_BUILD (another
// build, an A/B's other half), else the production build of this tree.
func benchBuild(b *testing.B) string {
	if dir := os.Getenv("WHITTLE_BENCH_BUILD"); dir != "" {
		return dir
	}
	return build(b, "")
}

func benchWorkerd(b *testing.B, method, path string, body []byte) {
	w := serve(b, benchBuild(b), "")
	// scripts/worker serve execs workerd: its pid is the command's.
	pid := w.cmd.Process.Pid
	for range 5 { // warm: compile the module, fill caches
		if got := w.do(b, method, path, body); got.status != 200 {
			b.Fatalf("warm-up: status %d: %s", got.status, got.body)
		}
	}
	// workerd runs its event loop, and the isolate's JavaScript and
	// WebAssembly, on its main thread; V8's worker threads compile and collect
	// in the background.
	iso := strconv.Itoa(pid)
	times := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	var all time.Duration
	b.ResetTimer()
	before := threadCPU(b, pid)
	for range b.N {
		t0 := time.Now()
		got := w.do(b, method, path, body)
		times = append(times, time.Since(t0))
		if got.status != 200 {
			b.Fatalf("status %d", got.status)
		}
		b.StopTimer()
		after := threadCPU(b, pid)
		cpu = append(cpu, after[iso]-before[iso])
		for tid, c := range after {
			all += c - before[tid]
		}
		before = after
		b.StartTimer()
	}
	b.StopTimer()
	var sum time.Duration
	for _, c := range cpu {
		sum += c
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	slices.Sort(times)
	slices.Sort(cpu)
	at := func(v []time.Duration, q float64) time.Duration { return v[min(len(v)-1, int(float64(len(v))*q))] }
	b.ReportMetric(ms(at(times, 0.5)), "median-ms")
	b.ReportMetric(ms(at(times, 0.9)), "p90-ms")
	b.ReportMetric(ms(sum/time.Duration(len(cpu))), "cpu-mean-ms")
	b.ReportMetric(ms(at(cpu, 0.5)), "cpu-median-ms")
	b.ReportMetric(ms(at(cpu, 0.99)), "cpu-p99-ms")
	b.ReportMetric(ms(cpu[len(cpu)-1]), "cpu-max-ms")
	b.ReportMetric(ms(all/time.Duration(len(cpu))), "cpu-all-mean-ms")
}

// threadCPU returns the CPU time that each thread of process pid has used so far,
// by thread id (Linux: /proc/PID/task/TID/schedstat, whose first field is the
// thread's run time in ns; exact for a thread that is not running, as
// workerd's are between two requests of a benchmark). The main thread's is
// what a Worker's CPU time counts (with workerd's own work for the request,
// reading and writing HTTP, a little more).
func threadCPU(t testing.TB, pid int) map[string]time.Duration {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("the CPU time of workerd's threads: %v", err)
	}
	out := make(map[string]time.Duration, len(tasks))
	for _, task := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, task.Name(), "schedstat"))
		if err != nil {
			continue // the thread ended
		}
		var ns int64
		if _, err := fmt.Sscan(string(b), &ns); err != nil {
			t.Fatalf("%s/%s/schedstat: %q: %v", dir, task.Name(), b, err)
		}
		out[task.Name()] = time.Duration(ns)
	}
	return out
}
