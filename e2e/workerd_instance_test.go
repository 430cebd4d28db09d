//go:build e2e

package e2e

// The kept Go instance (wasm/worker/glue/worker.mjs) in real workerd, with the
// test build of the Worker (tag whittletest: the routes of
// wasm/worker/testroutes_js.go). These tests are in `go test -tags e2e -run
// Workerd ./e2e`, which scripts/test runs.
//
//	WHITTLE_WORKERD_SOAK=10000 go test -count=1 -tags e2e -run WorkerdMemory -v ./e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"whittle/engine"
)

// testTags builds the Worker with its test-only routes.
const testTags = "whittletest"

// instanceState is GET /api/v1/_test/state of the test build.
type instanceState struct {
	Instance   int    `json:"instance"` // the glue's count of instances started in the isolate
	GoStartMs  int64  `json:"goStartMs"`
	Requests   int64  `json:"requests"` // requests this instance served, this one included
	Env        string `json:"env"`      // env.WHITTLE_RUNTIME, through cloudflare.Getenv
	WasmMemory int64  `json:"wasmMemory"`
	JSValues   int    `json:"jsValues"` // JS values the Go instance holds references to
	HeapAlloc  uint64 `json:"heapAlloc"`
	HeapInuse  uint64 `json:"heapInuse"`
	HeapSys    uint64 `json:"heapSys"`
	Sys        uint64 `json:"sys"`
	NumGC      uint32 `json:"numGC"`
	InsideGC   int64  `json:"insideGC"` // API requests during which Go collected
	Goroutines int    `json:"goroutines"`
	NowMs      int64  `json:"nowMs"`
	Task       *struct {
		Started int64 `json:"startedMs"`
		Done    int64 `json:"doneMs"`
	} `json:"task"`
}

func (w *workerd) state(t testing.TB, query string) instanceState {
	t.Helper()
	got := w.do(t, "GET", "/api/v1/_test/state"+query, nil)
	if got.status != 200 {
		t.Fatalf("GET /api/v1/_test/state: %d %s", got.status, got.body)
	}
	var s instanceState
	if err := json.Unmarshal(got.body, &s); err != nil {
		t.Fatalf("GET /api/v1/_test/state: %v: %s", err, got.body)
	}
	return s
}

// refineArticle sends the article request and checks the answer is the native one.
func (w *workerd) refineArticle(t testing.TB, article, want []byte) {
	t.Helper()
	got := w.do(t, "POST", "/api/v1/refine", article, "Content-Type", "application/json")
	if got.status != 200 || !bytes.Equal(got.body, want) {
		t.Fatalf("POST /api/v1/refine (article): %d, %d bytes, want 200 and the native %d bytes:\n%.300s", got.status, len(got.body), len(want), got.body)
	}
}

func nativeRefine(t testing.TB, body []byte) []byte {
	t.Helper()
	want, e := engine.HandleRefine(body)
	if e != nil {
		t.Fatalf("engine.HandleRefine = %s", e.JSON())
	}
	return want
}

// TestWorkerdInstance: one Go instance serves the requests of the isolate; a
// panic leaves it serving; an exit, a trap and running out of memory each end
// it, and a request that never gets an answer (hang) has it retired after the
// glue's time limit: that request is answered 500 INTERNAL, and the next starts
// a new instance; env and ctx.waitUntil reach the handler.
func TestWorkerdInstance(t *testing.T) {
	t.Setenv("WHITTLE_TURN_LIMIT_MS", "1500") // the glue's limit on a request's time in Go
	w := serve(t, build(t, testTags), "")
	article := articleRequest(t)
	want := nativeRefine(t, article)
	internal := engine.NewError(engine.CodeInternal, "internal error").JSON()

	s0 := w.state(t, "")
	w.refineArticle(t, article, want)
	w.refineArticle(t, article, want)
	s1 := w.state(t, "")
	if s1.Instance != s0.Instance || s1.GoStartMs != s0.GoStartMs || s1.Requests != s0.Requests+3 {
		t.Fatalf("the instance was not kept: before %+v, after two refines %+v (want the same instance, 3 more requests)", s0, s1)
	}
	if s1.Env != "workerd" {
		t.Errorf("env.WHITTLE_RUNTIME through cloudflare.Getenv = %q, want %q (env does not reach the handler)", s1.Env, "workerd")
	}

	t.Run("panic keeps the instance", func(t *testing.T) {
		before := w.state(t, "")
		got := w.do(t, "GET", "/api/v1/_test/panic", nil)
		if got.status != 500 || !bytes.Equal(got.body, internal) {
			t.Errorf("GET /api/v1/_test/panic: %d %s, want 500 %s", got.status, got.body, internal)
		}
		w.refineArticle(t, article, want)
		after := w.state(t, "")
		if after.Instance != before.Instance || after.Requests != before.Requests+3 {
			t.Errorf("after a recovered panic: instance %d → %d, requests %d → %d; want the same instance, 3 more requests", before.Instance, after.Instance, before.Requests, after.Requests)
		}
	})

	for _, fault := range []string{"exit", "trap", "oom", "hang"} {
		t.Run(fault+" starts a new instance", func(t *testing.T) {
			before := w.state(t, "")
			t0 := time.Now()
			got := w.do(t, "GET", "/api/v1/_test/"+fault, nil)
			if got.status != 500 || !bytes.Equal(got.body, internal) {
				t.Errorf("GET /api/v1/_test/%s: %d %s, want 500 and the handler's own INTERNAL answer %s", fault, got.status, got.body, internal)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json; charset=utf-8" || got.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("GET /api/v1/_test/%s: headers %v", fault, got.header)
			}
			t.Logf("%s: answered 500 in %v", fault, time.Since(t0).Round(time.Millisecond))
			after := w.state(t, "")
			if after.Instance != before.Instance+1 || after.Requests != 1 || after.GoStartMs < before.GoStartMs {
				t.Errorf("after %s: %+v, want instance %d with 1 request (a new one)", fault, after, before.Instance+1)
			}
			w.refineArticle(t, article, want)
		})
	}

	t.Run("ctx.waitUntil", func(t *testing.T) {
		// A task registered with cloudflare.WaitUntil sleeps 300 ms after its
		// response went out, and runs on time although no request follows. The
		// control, a bare goroutine, shows what waitUntil is for: with no request
		// in flight workerd drops the Go runtime's timer, and the task runs only
		// when the next request enters Go.
		const ms, idle = 300, 1500
		for _, tc := range []struct {
			name, query string
			onTime      bool
		}{
			{"waitUntil", "", true},
			{"bare goroutine", "&plain=1", false},
		} {
			id := strconv.FormatInt(time.Now().UnixNano(), 36)
			got := w.do(t, "GET", fmt.Sprintf("/api/v1/_test/waituntil?task=%s&ms=%d%s", id, ms, tc.query), nil)
			if got.status != 200 {
				t.Fatalf("waituntil: %d %s", got.status, got.body)
			}
			time.Sleep(idle * time.Millisecond)
			s := w.state(t, "?task="+id)
			if !tc.onTime && s.Task != nil && s.Task.Done == 0 {
				// The state request woke Go, and its handler read the task
				// before the timer's goroutine ran: the task is done by the
				// next request.
				s = w.state(t, "?task="+id)
			}
			if s.Task == nil || s.Task.Done == 0 {
				t.Fatalf("%s: the task did not run at all: %+v", tc.name, s)
			}
			took := s.Task.Done - s.Task.Started
			t.Logf("%s: the %d ms task finished %d ms after it started", tc.name, ms, took)
			if onTime := took < ms+idle/2; onTime != tc.onTime {
				t.Errorf("%s: the %d ms task finished after %d ms; on time (< %d ms): %v, want %v", tc.name, ms, took, ms+idle/2, onTime, tc.onTime)
			}
		}
	})
}

// TestWorkerdConcurrent sends 200 requests at once, of four kinds, to one
// isolate: every answer is the native one (but for the clock's times in a
// recommendation), and one instance answered them all.
func TestWorkerdConcurrent(t *testing.T) {
	w := serve(t, build(t, testTags), "")
	article := articleRequest(t)
	var rec bytes.Buffer
	rec.WriteString(`{"policies": [{"existingPolicyId": "arn:aws:iam::123456789012:policy/MyPolicy", "document": `)
	rec.Write(readFile(t, "wasm/worker/handler/testdata/article-policy.json"))
	rec.WriteString(`}], "findings": `)
	rec.Write(readFile(t, "wasm/worker/handler/testdata/article-findings.json"))
	rec.WriteString("}")
	recWant, e := engine.HandleRecommendation(rec.Bytes())
	if e != nil {
		t.Fatal(e.JSON())
	}
	bad := []byte(`{"policy": {"Version": "2012-10-17", "Statement": [}`)
	_, badErr := engine.HandleRefine(bad)
	type call struct {
		method, path string
		body         []byte
		status       int
		want         []byte
	}
	kinds := []call{
		{"POST", "/api/v1/refine", article, 200, nativeRefine(t, article)},
		{"POST", "/api/v1/recommendation", rec.Bytes(), 200, recWant},
		{"GET", "/api/v1/catalog", nil, 200, engine.HandleCatalog()},
		{"POST", "/api/v1/refine", bad, 400, badErr.JSON()},
	}
	before := w.state(t, "")
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan string, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := kinds[i%len(kinds)]
			<-start
			got := w.do(t, c.method, c.path, c.body)
			if got.status != c.status || !bytes.Equal(clockTimes.ReplaceAll(got.body, nil), clockTimes.ReplaceAll(c.want, nil)) {
				errs <- fmt.Sprintf("request %d, %s %s: %d, %d bytes, want %d and %d bytes: %.200s", i, c.method, c.path, got.status, len(got.body), c.status, len(c.want), got.body)
			}
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	t.Logf("%d concurrent requests answered in %v", n, time.Since(t0).Round(time.Millisecond))
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	after := w.state(t, "")
	if after.Instance != before.Instance || after.Requests != before.Requests+n+1 {
		t.Errorf("before %+v, after %+v: want the same instance and %d more requests", before, after, n+1)
	}
	if strings.Contains(w.out.String(), "rror") {
		t.Errorf("workerd logged errors:\n%s", w.out)
	}
}

// readOnlyHalfRequest is the playground's generated example as a refine request:
// ReadOnlyAccess with every second action it allows reported unused.
func readOnlyHalfRequest(t testing.TB) []byte {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "./wasm/playground/examplegen", dir)
	cmd.Dir = root(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("examplegen: %v\n%s", err, out)
	}
	var b bytes.Buffer
	b.WriteString(`{"policy": `)
	b.Write(readFile(t, filepath.Join(dir, "readonly-half", "policy.json")))
	b.WriteString(`, "findings": `)
	b.Write(readFile(t, filepath.Join(dir, "readonly-half", "findings.json")))
	b.WriteString("}")
	return b.Bytes()
}

// Bounds of TestWorkerdMemory, at every sample: the linear memory of the
// instance, and its live heap (after a GC). The glue retires an instance once its
// linear memory passes 64 MiB (RETIRE_BYTES in wasm/worker/glue/worker.mjs), so
// the next request gets a new one; memoryBound leaves room for the one request
// that crossed it. The live heap is not flat: the engine keeps the full names of
// each catalog action list it has seen, up to 2,048 lists (engine/universe.go,
// nameCache), and every article request brings its own catalog (two lists, about
// 32 KB), so it grows for about 1,000 article requests, is emptied, and grows
// again. Measured: see the README (Performance, Worker).
const (
	memoryBound = 80 << 20
	heapBound   = 48 << 20
)

// TestWorkerdMemory sends one instance requests of mixed sizes: per ten, six
// article requests, one ReadOnlyAccess with half its actions unused, and three
// hostile ones (malformed JSON, 200,000 nested brackets, a body over the limit).
// The linear memory stays under memoryBound and the live heap under heapBound,
// sampled every tenth of the run. 100 requests by default;
// WHITTLE_WORKERD_SOAK=10000 for the long run.
func TestWorkerdMemory(t *testing.T) {
	n := 100
	if v := os.Getenv("WHITTLE_WORKERD_SOAK"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 10 {
			t.Fatalf("WHITTLE_WORKERD_SOAK=%q: want a number ≥ 10", v)
		}
	}
	w := serve(t, build(t, testTags), "")
	article := articleRequest(t)
	readOnly := readOnlyHalfRequest(t)
	type call struct {
		body   []byte
		status int
		want   []byte
	}
	var mix []call
	for range 6 {
		mix = append(mix, call{article, 200, nativeRefine(t, article)})
	}
	mix = append(mix, call{readOnly, 200, nativeRefine(t, readOnly)})
	for _, b := range [][]byte{
		[]byte(`{"policy": {`),
		append(bytes.Repeat([]byte("["), 200000), bytes.Repeat([]byte("]"), 200000)...),
		bytes.Repeat([]byte(" "), engine.MaxRequestBytes+1),
	} {
		_, e := engine.HandleRefine(b)
		if len(b) > engine.MaxRequestBytes {
			e = engine.NewError(engine.CodeTooLarge, fmt.Sprintf("the body is larger than %d bytes", engine.MaxRequestBytes))
			e.Field = "body"
		}
		mix = append(mix, call{b, e.Status(), e.JSON()})
	}

	first := w.state(t, "?gc=1")
	samples := []instanceState{first}
	t0 := time.Now()
	for i := range n {
		c := mix[i%len(mix)]
		got := w.do(t, "POST", "/api/v1/refine", c.body)
		if got.status != c.status || !bytes.Equal(got.body, c.want) {
			t.Fatalf("request %d (kind %d): %d %.200s, want %d %.200s", i, i%len(mix), got.status, got.body, c.status, c.want)
		}
		if (i+1)%(n/10) == 0 {
			samples = append(samples, w.state(t, "?gc=1"))
		}
	}
	elapsed := time.Since(t0)
	last := samples[len(samples)-1]
	var maxMem int64
	var maxHeap uint64
	var rows []string
	for _, s := range samples {
		maxMem = max(maxMem, s.WasmMemory)
		maxHeap = max(maxHeap, s.HeapAlloc)
		rows = append(rows, fmt.Sprintf("#%d %.1f/%.1f/%d", s.Instance, mib(s.WasmMemory), mib(int64(s.HeapAlloc)), s.JSValues))
	}
	// The glue logs each retirement with the memory the instance had then: the
	// peak, which the samples (taken between requests) may miss.
	var retired []string
	for _, m := range retiredRE.FindAllStringSubmatch(w.out.String(), -1) {
		b, _ := strconv.ParseInt(m[2], 10, 64)
		maxMem = max(maxMem, b)
		retired = append(retired, fmt.Sprintf("%s/%.1f", m[1], mib(b)))
	}
	t.Logf("retired after requests/at linear-memory MiB: %s", strings.Join(retired, " "))
	t.Logf("%d requests in %v, %d instance(s); every tenth, instance linear-memory/live-heap MiB/JS values: %s; max %.1f MiB linear memory, retirements included (bound %d), %.1f MiB live heap (bound %d); at the end heap obtained %.1f MiB, Go's Sys %.1f MiB, %d GCs, %d goroutines",
		n, elapsed.Round(time.Millisecond), last.Instance-first.Instance+1, strings.Join(rows, " "),
		mib(maxMem), memoryBound>>20, mib(int64(maxHeap)), heapBound>>20,
		mib(int64(last.HeapSys)), mib(int64(last.Sys)), last.NumGC, last.Goroutines)
	if last.Instance == first.Instance && last.Requests != first.Requests+int64(n+len(samples)-1) {
		t.Errorf("the instance missed requests: %+v → %+v", first, last)
	}
	if maxMem > memoryBound {
		t.Errorf("linear memory reached %d bytes in %d requests, over the bound of %d", maxMem, n, memoryBound)
	}
	if maxHeap > heapBound {
		t.Errorf("the live heap reached %d bytes in %d requests, over the bound of %d", maxHeap, n, heapBound)
	}
	if last.Instance == first.Instance && last.Goroutines > first.Goroutines+2 {
		t.Errorf("goroutines %d → %d: some are left behind", first.Goroutines, last.Goroutines)
	}
}

// TestWorkerdCollectsBetweenRequests: the kept instance collects its garbage
// after the requests that leave enough of it (api.Collector), never in the
// middle of one, where a collection costs a role check 10-20 ms more.
func TestWorkerdCollectsBetweenRequests(t *testing.T) {
	w := serve(t, build(t, testTags), "")
	body := readFile(t, "engine/testdata/golden/check-role-recommendation.request.json")
	want, e := engine.HandleCheck(body)
	if e != nil {
		t.Fatal(e.JSON())
	}
	const n = 30
	before := w.state(t, "")
	for i := range n {
		got := w.do(t, "POST", "/api/v1/check", body)
		if got.status != 200 || !bytes.Equal(got.body, want) {
			t.Fatalf("check %d: %d %.300s", i, got.status, got.body)
		}
	}
	after := w.state(t, "")
	if after.Instance != before.Instance {
		t.Fatalf("instance %d → %d: want one instance for %d requests", before.Instance, after.Instance, n)
	}
	t.Logf("%d role checks: %d collections, %d of them inside a request", n, after.NumGC-before.NumGC, after.InsideGC-before.InsideGC)
	// A check of the role's three policies leaves about 1.2 MB: n of them, 36
	// MB, pass the budget of 6 MiB at least 4 times.
	if after.NumGC < before.NumGC+4 {
		t.Errorf("%d collections in %d role checks, want at least 4: the garbage is not collected", after.NumGC-before.NumGC, n)
	}
	if after.InsideGC != before.InsideGC {
		t.Errorf("%d of %d role checks collected inside the request, want none", after.InsideGC-before.InsideGC, n)
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// clockTimes are the times of the request that an answer may carry (a
// recommendation's startedAt and completedAt, from the clock): masked when
// answers are compared.
var clockTimes = regexp.MustCompile(`"(startedAt|completedAt)": ?"[^"]*"`)

// retiredRE is the glue's log line for a retired instance.
var retiredRE = regexp.MustCompile(`Go instance \d+ retired after (\d+) requests, (\d+) bytes of linear memory`)
