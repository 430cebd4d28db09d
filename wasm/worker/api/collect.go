package api

import (
	"runtime"
	"runtime/metrics"
	"sync"
)

// CollectBudget is the garbage, in bytes, that the Worker's [Collector] lets
// requests leave before it collects: about five role checks (a check of
// OrdersApiRole's three policies allocates 1.2 MB), or a hundred article
// refines. Each collection costs its request what marking the live heap (4-7
// MB, mostly pointer-free string tables) and sweeping the budget's garbage
// cost: in the Worker's WebAssembly 3-4 ms at 6 MiB. A larger budget collects
// less often but dearer: at 24-32 MiB a collecting check cost 10-15 ms more
// (bench-node.mjs's WHITTLE_BENCH_AGE measurement, 400 requests).
const CollectBudget = 6 << 20

// Collector runs Go's garbage collector between requests rather than inside
// them: its After, called when a request has been served, collects
// (runtime.GC) when the heap holds more than Budget bytes beyond what was live
// at the last collection.
//
// It is for the Worker's kept Go instance (wasm/worker/bridge_js.go), where Go
// runs on one thread and a collection finishes inside the request during which
// the heap reached its goal. Begun there, in the middle of the engine's work,
// a collection also marks that request's working set, and the rest of the
// request runs with write barriers and mark assists: 10-20 ms more for a role
// check, where one between requests costs 3-4 ms. The caller turns Go's own
// pacing off (debug.SetGCPercent(-1)) and keeps a memory limit
// (debug.SetMemoryLimit) as the backstop for a request that alone allocates
// more than the limit leaves room for: then Go collects inside it, as before.
//
// After may be called from several goroutines; one of them collects.
type Collector struct {
	Budget uint64

	mu      sync.Mutex
	gc      func() // nil: runtime.GC (tests count the calls)
	samples [2]metrics.Sample
}

// heapMetrics are what a Collector reads: the bytes of heap objects, live and
// not yet swept, and the bytes the last collection marked live.
var heapMetrics = [2]string{"/memory/classes/heap/objects:bytes", "/gc/heap/live:bytes"}

// After collects when the garbage since the last collection passes the budget.
func (c *Collector) After() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.samples[0].Name == "" {
		for i, name := range heapMetrics {
			c.samples[i].Name = name
		}
	}
	metrics.Read(c.samples[:])
	if due(c.samples[0].Value.Uint64(), c.samples[1].Value.Uint64(), c.Budget) {
		if c.gc != nil {
			c.gc()
		} else {
			runtime.GC()
		}
	}
}

// due reports whether a heap of objects bytes, of which live were live at the
// last collection, holds more than budget bytes of garbage (or of new objects).
func due(objects, live, budget uint64) bool {
	return objects > live && objects-live > budget
}
