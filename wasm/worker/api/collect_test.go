package api

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func TestDue(t *testing.T) {
	for _, c := range []struct {
		objects, live, budget uint64
		want                  bool
	}{
		{10, 4, 6, false}, // exactly the budget: not yet
		{11, 4, 6, true},
		{4, 4, 6, false},
		{3, 4, 6, false}, // swept below the last mark: nothing new
		{0, 0, 0, false},
		{1, 0, 0, true},
	} {
		if got := due(c.objects, c.live, c.budget); got != c.want {
			t.Errorf("due(%d, %d, %d) = %v, want %v", c.objects, c.live, c.budget, got, c.want)
		}
	}
}

// gcCycles is the count of Go's completed collections.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// garbage is what each request of TestCollectorBetweenRequests leaves: the
// request after it drops it.
var garbage []byte

// TestCollectorBetweenRequests: with Go's own pacing off, as in the Worker,
// a Collector collects after the requests that leave the heap past the budget,
// and never inside one.
func TestCollectorBetweenRequests(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	const mib = 1 << 20
	for _, c := range []struct {
		budget   uint64
		min, max uint64 // collections in 24 requests
	}{
		// 1 MiB a request: a collection every 4-5 requests.
		{4 * mib, 4, 6},
		{64 * mib, 0, 0},
	} {
		inside := 0
		c0 := &Collector{Budget: c.budget}
		serve := func() {
			before := gcCycles()
			garbage = make([]byte, mib)
			garbage[len(garbage)-1] = 1
			if gcCycles() != before {
				inside++
			}
			c0.After()
		}
		runtime.GC()
		start := gcCycles()
		for range 24 {
			serve()
		}
		n := gcCycles() - start
		if n < c.min || n > c.max {
			t.Errorf("budget %d MiB: %d collections in 24 requests of 1 MiB each, want %d to %d", c.budget/mib, n, c.min, c.max)
		}
		if inside != 0 {
			t.Errorf("budget %d MiB: %d collections inside a request, want 0", c.budget/mib, inside)
		}
	}
}
