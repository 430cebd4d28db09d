package engine

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The property test over every AWS managed policy. scripts/fetch-corpus puts the
// documents into .cache/managed-policies; scripts/test sets WHITTLE_CORPUS to that
// folder, so the test always runs there, and fails if the folder is missing or
// holds fewer policies than the corpus has.

const corpusMinPolicies = 1500 // the corpus has 1,594; fewer means a broken fetch

// corpus returns the managed policy files, or skips when WHITTLE_CORPUS is unset
// (a plain `go test ./...` on a machine without the corpus).
func corpus(t testing.TB) []string {
	t.Helper()
	dir := os.Getenv("WHITTLE_CORPUS")
	if dir == "" {
		t.Skip("WHITTLE_CORPUS is not set; scripts/test sets it (run scripts/fetch-corpus)")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir) // relative to the repository, where go test is typed
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) < corpusMinPolicies {
		t.Fatalf("WHITTLE_CORPUS=%s holds %d policies, want at least %d (run scripts/fetch-corpus): %v", dir, len(files), corpusMinPolicies, err)
	}
	sort.Strings(files)
	return files
}

// reachable lists the catalog actions ("svc:Name") that the policy's Allow
// statements can reach, computed here by brute force with Match, service by
// service, independently of the engine's universe.
func reachable(cat *Catalog, p *Policy) []string {
	all := false
	svcs := map[string]bool{}
	for _, s := range p.Statements {
		if s.Effect != "Allow" {
			continue
		}
		if s.Key == "NotAction" {
			all = true
		}
		for _, pat := range s.Patterns {
			svc, rest, ok := strings.Cut(strings.ToLower(pat.Text), ":")
			if !ok || strings.ContainsAny(svc, "*?") {
				all = true
			}
			_ = rest
			svcs[svc] = true
		}
	}
	var out []string
	for _, svc := range cat.Services() {
		if !all && !svcs[svc] {
			continue
		}
		for _, a := range cat.Actions(svc) {
			out = append(out, svc+":"+a)
		}
	}
	return out
}

// allowedSet returns the lower-cased actions of the list that statement s
// allows, by brute force with Match; a pattern naming one service is tried on
// that service's actions only (bySvc), others on all.
func allowedSet(s *Statement, actions []string, bySvc map[string][]string) map[string]bool {
	matched := map[string]bool{}
	for _, p := range s.Patterns {
		cands := actions
		if svc, _, ok := strings.Cut(p.Text, ":"); ok && !strings.ContainsAny(svc, "*?") {
			cands = bySvc[strings.ToLower(svc)]
		}
		for _, a := range cands {
			if Match(p.Text, a) {
				matched[strings.ToLower(a)] = true
			}
		}
	}
	if s.Key == "Action" {
		return matched
	}
	out := map[string]bool{}
	for _, a := range actions {
		if k := strings.ToLower(a); !matched[k] {
			out[k] = true
		}
	}
	return out
}

// checkExact checks C1 and the Deny part of C3 by brute force over actions:
// each kept Allow statement allows exactly what its original allowed minus the
// unused actions; removed ones allowed nothing still wanted.
func checkExact(t *testing.T, name string, orig *Policy, res *Result, actions []string, unused map[string]bool) {
	t.Helper()
	var ref *Policy
	if res.Policy != nil {
		var err *Error
		if ref, err = parsePolicy(AppendJSON(nil, res.Policy, "  ")); err != nil {
			t.Fatalf("%s: refined policy does not parse: %v", name, err)
		}
	}
	bySvc := map[string][]string{}
	for _, a := range actions {
		svc, _, _ := strings.Cut(a, ":")
		bySvc[svc] = append(bySvc[svc], a)
	}
	byOrig := map[int]*Statement{}
	for i, k := range res.Kept {
		byOrig[k] = ref.Statements[i]
	}
	bad := 0
	for _, o := range orig.Statements {
		r := byOrig[o.Index]
		if o.Effect == "Deny" {
			if r == nil || string(AppendJSON(nil, r.Obj, "")) != string(AppendJSON(nil, o.Obj, "")) {
				t.Errorf("%s: Deny Statement[%d] changed", name, o.Index)
			}
			continue
		}
		want := allowedSet(o, actions, bySvc)
		got := map[string]bool{}
		if r != nil {
			got = allowedSet(r, actions, bySvc)
		}
		for _, a := range actions {
			k := strings.ToLower(a)
			if w := want[k] && !unused[k]; got[k] != w && bad < 5 {
				bad++
				t.Errorf("%s: Statement[%d] allows %s = %v, want %v", name, o.Index, a, got[k], w)
			}
		}
	}
}

func TestManagedPolicies(t *testing.T) {
	files := corpus(t)
	cat := BuiltinCatalog()
	fractions := []float64{0.1, 0.5, 0.9}
	answer := func(res *Result) []byte { return marshalIndent(respond(&Request{Catalog: cat}, res)) }
	var heaviest int64
	var heaviestName string
	defer func() {
		t.Logf("the heaviest refinement: %s, %d units of work (MaxWork %d)", heaviestName, heaviest, MaxWork)
	}()
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		p, err := parsePolicy(mustRead(t, file))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		actions := reachable(cat, p)
		var sess Session // the findings change with each fraction, the policy stays
		for seed, frac := range fractions {
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(len(name))))
			f := &Findings{}
			unused := map[string]bool{}
			for _, a := range actions {
				if rng.Float64() < frac {
					f.Actions = append(f.Actions, UnusedAction{Name: a})
					unused[strings.ToLower(a)] = true
				}
			}
			gran := []string{GranularityWord, GranularityChar, GranularityAction}[seed%3]
			res := Refine(p, f, cat, Options{Granularity: gran})
			label := fmt.Sprintf("%s (unused %.0f%%, %s)", name, frac*100, gran)
			if w := res.work.total(); w > MaxWork/3 {
				// Real policies stay far from the budget of hostile ones.
				t.Errorf("%s: the refinement took %d units of work, more than MaxWork/3 (%d): %v", label, w, MaxWork/3, res.work)
			}
			if w := res.work.total(); w > heaviest {
				heaviest, heaviestName = w, label
			}
			if !res.Verify.Exact {
				t.Errorf("%s: verification failed: %+v", label, res.Verify)
			}
			checkExact(t, label, p, res, actions, unused)
			want := answer(res)
			for _, pass := range []string{"new", "kept"} {
				if got := answer(refineIn(p, f, cat, Options{Granularity: gran}, &sess)); !bytes.Equal(got, want) {
					t.Errorf("%s: the answer of a session (universe %s) differs from Refine's", label, pass)
				}
			}
		}
	}
}
