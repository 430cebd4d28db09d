//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"sort"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// traceEvent is an event of Chromium's trace (the Trace Event Format): times
// in microseconds; Tdur is the thread's CPU time of a complete event.
type traceEvent struct {
	Name string  `json:"name"`
	Cat  string  `json:"cat"`
	Ph   string  `json:"ph"`
	Ts   float64 `json:"ts"`
	Dur  float64 `json:"dur"`
	Tdur float64 `json:"tdur"`
	Pid  int     `json:"pid"`
	Tid  int     `json:"tid"`
}

// mainTask is one task of the page's main thread, from Chromium's trace.
type mainTask struct {
	At  float64 // ms from the first whittle: mark
	Ms  float64 // wall time
	CPU float64 // the thread's CPU time: what the task cost, whatever the machine's load
}

// traceMainTasks runs f with Chromium's tracing on and returns the tasks of
// the page's main thread (the thread that set the page's whittle:…
// performance marks) between its first and last mark.
func (p *page) traceMainTasks(f func()) []mainTask {
	p.t.Helper()
	var (
		mu     sync.Mutex
		events []traceEvent
		done   = make(chan struct{})
	)
	ctx, cancel := context.WithCancel(p.ctx)
	defer cancel()
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *tracing.EventDataCollected:
			mu.Lock()
			for _, v := range e.Value {
				var te traceEvent
				if json.Unmarshal(v, &te) == nil {
					events = append(events, te)
				}
			}
			mu.Unlock()
		case *tracing.EventTracingComplete:
			close(done)
		}
	}); err != nil {
		p.t.Fatal(err)
	}
	err := chromedp.Do(p.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, tracing.Start, tracing.StartParams{
			TraceConfig: &tracing.TraceConfig{IncludedCategories: []string{"toplevel", "blink.user_timing"}},
		})
		return err
	}))
	if err != nil {
		p.t.Fatal(err)
	}
	f()
	err = chromedp.Do(p.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, tracing.End, cdp.Empty{})
		return err
	}))
	if err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		p.t.Fatal("no end of the trace")
	}
	mu.Lock()
	defer mu.Unlock()
	pid, tid, from, to := -1, -1, 0.0, 0.0
	for _, e := range events {
		if len(e.Name) > 8 && e.Name[:8] == "whittle:" && e.Cat == "blink.user_timing" {
			if pid < 0 {
				pid, tid, from, to = e.Pid, e.Tid, e.Ts, e.Ts
			}
			from, to = min(from, e.Ts), max(to, e.Ts)
		}
	}
	// A task is a RunTask event; the microtasks that run after it (promise
	// callbacks: the playground's Go code often runs in one) come as a
	// BlinkScheduler_PerformMicrotaskCheckpoint event of their own, counted
	// with the task it follows (as the longtask observer counts them).
	var own []traceEvent
	for _, e := range events {
		if e.Pid == pid && e.Tid == tid && e.Ph == "X" && e.Cat == "toplevel" &&
			(e.Name == "ThreadControllerImpl::RunTask" || e.Name == "RunTask" || e.Name == "BlinkScheduler_PerformMicrotaskCheckpoint") {
			own = append(own, e)
		}
	}
	sort.Slice(own, func(i, j int) bool { return own[i].Ts < own[j].Ts })
	var tasks []mainTask
	end := 0.0 // of the last task, in the trace's microseconds
	for _, e := range own {
		if e.Ts+e.Dur < from || e.Ts > to {
			continue
		}
		switch {
		case e.Ts+e.Dur <= end:
			continue // inside the last task
		case e.Name == "BlinkScheduler_PerformMicrotaskCheckpoint" && len(tasks) > 0 && e.Ts-end < 50:
			last := &tasks[len(tasks)-1]
			last.Ms += (e.Ts + e.Dur - end) / 1000
			last.CPU += e.Tdur / 1000
		default:
			tasks = append(tasks, mainTask{At: (e.Ts - from) / 1000, Ms: e.Dur / 1000, CPU: e.Tdur / 1000})
		}
		end = max(end, e.Ts+e.Dur)
	}
	return tasks
}
