package handler

import (
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
)

// CollectBudget is the garbage, in bytes, that [Collected] lets requests leave
// before it collects: about five role checks (a check of OrdersApiRole's three
// policies allocates 1.2 MB), or a hundred article refines. Each collection
// costs its request what marking the live heap (4-7 MB, mostly pointer-free
// string tables) and sweeping the budget's garbage cost, and what the finalizers
// of the JS values syumai/workers made since the last one (about 60 a request)
// cost: in the Worker's WebAssembly about 1 ms at 6 MiB. A larger budget
// collects less often but dearer: at 24-32 MiB a collecting check cost 10-15 ms
// more (bench-node.mjs's WHITTLE_BENCH_AGE measurement, 400 requests).
const CollectBudget = 6 << 20

// Collected returns next wrapped so that Go's garbage collector runs between
// requests rather than inside them: after next has served a request, and when
// the heap holds more than budget bytes beyond what was live at the last
// collection, it collects (runtime.GC) before the request ends.
//
// It is for the Worker's kept Go instance (wasm/worker/serve_js.go), where Go
// runs on one thread and a collection finishes inside the request during which
// the heap reached its goal. Begun there, in the middle of the engine's work,
// a collection also marks that request's working set, and the rest of the
// request runs with write barriers and mark assists: 10-20 ms more for a role
// check, where one between requests costs about 1 ms. The caller turns Go's own
// pacing off (debug.SetGCPercent(-1)) and keeps a memory limit
// (debug.SetMemoryLimit) as the backstop for a request that alone allocates
// more than the limit leaves room for: then Go collects inside it, as before.
//
// Requests that overlap (natively, a server's goroutines) share the count; one
// of them collects.
func Collected(next http.Handler, budget uint64) http.Handler {
	c := &collector{budget: budget, gc: runtime.GC}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		c.after()
	})
}

// collector holds what [Collected] reads after each request.
type collector struct {
	mu      sync.Mutex
	budget  uint64
	gc      func()
	samples [2]metrics.Sample
}

// heapMetrics are what collector reads: the bytes of heap objects, live and
// not yet swept, and the bytes the last collection marked live.
var heapMetrics = [2]string{"/memory/classes/heap/objects:bytes", "/gc/heap/live:bytes"}

// after collects when the garbage since the last collection passes the budget.
func (c *collector) after() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.samples[0].Name == "" {
		for i, name := range heapMetrics {
			c.samples[i].Name = name
		}
	}
	metrics.Read(c.samples[:])
	if due(c.samples[0].Value.Uint64(), c.samples[1].Value.Uint64(), c.budget) {
		c.gc()
	}
}

// due reports whether a heap of objects bytes, of which live were live at the
// last collection, holds more than budget bytes of garbage (or of new objects).
func due(objects, live, budget uint64) bool {
	return objects > live && objects-live > budget
}
