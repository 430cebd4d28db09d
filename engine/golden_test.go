package engine

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// TestGolden answers each testdata/golden/NAME.request.json as the API would
// (recommendation-* through HandleRecommendation, the rest through HandleRefine)
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
			if strings.HasPrefix(name, "recommendation-") {
				handle = HandleRecommendation
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
