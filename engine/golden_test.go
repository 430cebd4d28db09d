package engine

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// goldenClock is the time of every golden recommendation (startedAt and
// completedAt are the clock's): the end of the reports' windows.
func goldenClock() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) }

// TestGolden answers each testdata/golden/NAME.request.json as the API would
// (recommendation-* through HandleRecommendation, check-* through HandleCheck,
// the rest through HandleRefine)
// and compares the whole answer with NAME.golden.json. Regenerate with
//
//	go test ./engine -run TestGolden -update
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.request.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden requests: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".request.json")
		t.Run(name, func(t *testing.T) {
			body := mustRead(t, file)
			handle := HandleRefine
			switch {
			case strings.HasPrefix(name, "recommendation-") || strings.HasPrefix(name, "error-recommendation-"):
				handle = func(body []byte) ([]byte, *Error) { return handleRecommendation(body, goldenClock) }
			case strings.HasPrefix(name, "check-"):
				handle = HandleCheck
			}
			got, e := handle(body)
			if e != nil {
				got = e.JSON()
			}
			golden := filepath.Join("testdata/golden", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := mustRead(t, golden)
			if !bytes.Equal(got, want) {
				t.Errorf("answer to %s differs from %s (run with -update after checking the change):\n%s", file, golden, got)
			}
			if strings.HasPrefix(name, "error-") != (e != nil) {
				t.Errorf("%s: error = %v; golden names starting with error- must fail, others succeed", name, e)
			}
		})
	}
}
