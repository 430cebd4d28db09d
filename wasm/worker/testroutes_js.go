//go:build js && wasm && whittletest

package main

// The test build of the Worker (scripts/worker build with WORKER_TAGS=whittletest;
// e2e/workerd_test.go uses it) answers these routes besides the API. They exist
// to prove in real workerd what the glue (wasm/worker/glue/worker.mjs) promises:
// the instance is kept, faults do not poison the next request, memory stays
// bounded, and per-request env and ctx reach the handler. The production build
// has none of them (they answer 404 there; e2e checks it).
//
//	GET /api/v1/_test/state[?task=ID][&gc=1]
//	                                   this instance: its number in the isolate, Go
//	                                   start time, requests served, env, memory (after
//	                                   a GC with gc=1), collections (and how many
//	                                   of them ran inside an API request, not
//	                                   between requests); with task, when that
//	                                   task ran
//	GET /api/v1/_test/waituntil?task=ID&ms=N[&plain=1]
//	                                   answers at once; a task sleeps N ms, then
//	                                   records the time (through cloudflare.WaitUntil,
//	                                   or with plain=1 a bare goroutine)
//	GET /api/v1/_test/panic            a panic inside the API handler (500 INTERNAL)
//	GET /api/v1/_test/exit             os.Exit(3): the instance ends
//	GET /api/v1/_test/trap             a load past the end of linear memory: a wasm trap
//	GET /api/v1/_test/oom              allocates until Go's runtime is out of memory
//	GET /api/v1/_test/hang             never answers (its goroutine blocks for good)

import (
	"encoding/json"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"
	"unsafe"

	"github.com/syumai/workers/cloudflare"

	"whittle/wasm/worker/api"
)

const testPrefix = "/api/v1/_test/"

var (
	goStart  = time.Now()
	requests atomic.Int64
	// insideGC counts the API requests during which Go collected garbage
	// (api.Collector collects after them, not during).
	insideGC atomic.Int64

	tasksMu sync.Mutex
	tasks   = map[string]*task{}

	sink byte     // keeps the trap's load
	hog  [][]byte // keeps the out-of-memory route's allocations
)

type task struct {
	Started int64 `json:"startedMs"` // Unix milliseconds
	Done    int64 `json:"doneMs"`    // 0 until the task ran
}

func init() {
	serveAPI := wrap
	wrap = func(a *api.API) func(r api.Request, query string) api.Answer {
		serve := serveAPI(a)
		panicky := api.New()
		panicky.Catalog = func() []byte { panic("whittletest: a deliberate panic") }
		return func(r api.Request, query string) api.Answer {
			requests.Add(1)
			q, _ := url.ParseQuery(query)
			switch r.Path {
			case testPrefix + "state":
				return state(q)
			case testPrefix + "waituntil":
				return waitUntil(q)
			case testPrefix + "panic":
				r.Path = "/api/v1/catalog"
				return panicky.Serve(r) // the real API, its recover included
			case testPrefix + "exit":
				os.Exit(3)
			case testPrefix + "trap":
				var x byte
				// 3 GiB past a heap address: inside the 32-bit address space, far
				// past the end of the linear memory, so the load traps.
				sink = *(*byte)(unsafe.Add(unsafe.Pointer(&x), 3<<30))
				return testJSON(map[string]any{"trap": "did not trap", "byte": sink})
			case testPrefix + "hang":
				select {}
			case testPrefix + "oom":
				for {
					hog = append(hog, make([]byte, 256<<20))
				}
			}
			before := gcCycles()
			a := serve(r, query)
			if gcCycles() != before {
				insideGC.Add(1)
			}
			return a
		}
	}
}

func state(q url.Values) api.Answer {
	if q.Get("gc") != "" {
		runtime.GC() // HeapAlloc is then the live heap
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	inst := js.Global().Get("context").Get("instance")
	out := map[string]any{
		"instance":    inst.Get("number").Int(),
		"goStartMs":   goStart.UnixMilli(),
		"requests":    requests.Load(),
		"env":         cloudflare.Getenv("WHITTLE_RUNTIME"),
		"wasmMemory":  inst.Call("memoryBytes").Int(),
		"jsValues":    inst.Call("jsValues").Int(),
		"heapAlloc":   ms.HeapAlloc,
		"heapInuse":   ms.HeapInuse,
		"heapSys":     ms.HeapSys,
		"heapObjects": ms.HeapObjects,
		"sys":         ms.Sys,
		"numGC":       ms.NumGC,
		"insideGC":    insideGC.Load(),
		"goroutines":  runtime.NumGoroutine(),
		"nowMs":       time.Now().UnixMilli(),
		"hogs":        len(hog),
		"tasksListed": 0,
	}
	if id := q.Get("task"); id != "" {
		tasksMu.Lock()
		if t, ok := tasks[id]; ok {
			out["task"] = *t
		}
		out["tasksListed"] = len(tasks)
		tasksMu.Unlock()
	}
	return testJSON(out)
}

// gcCycles is the count of Go's completed collections.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func waitUntil(q url.Values) api.Answer {
	id := q.Get("task")
	ms, err := strconv.Atoi(q.Get("ms"))
	if id == "" || err != nil || ms < 0 {
		return api.Answer{Status: 400, Header: []string{"Content-Type", "text/plain; charset=utf-8"}, Body: []byte("task and ms wanted\n")}
	}
	t := &task{Started: time.Now().UnixMilli()}
	tasksMu.Lock()
	tasks[id] = t
	tasksMu.Unlock()
	run := func() {
		time.Sleep(time.Duration(ms) * time.Millisecond)
		tasksMu.Lock()
		t.Done = time.Now().UnixMilli()
		tasksMu.Unlock()
	}
	if q.Get("plain") != "" {
		go run()
	} else {
		cloudflare.WaitUntil(run)
	}
	return testJSON(map[string]any{"task": id})
}

// testJSON is v as a 200 answer with the API's headers (the test routes are GETs).
func testJSON(v any) api.Answer {
	b, _ := json.Marshal(v)
	return api.JSON("GET", 200, b)
}
