package engine

import (
	"math/rand/v2"
	"testing"
)

// TestIncludesPrefix checks the linear test of lit* against the general
// search, on random patterns over a small alphabet (where the search stays
// far below its bound), unions included.
func TestIncludesPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	alpha := []string{"a", "b", "A", "*", "?", "*", "?"}
	gen := func(n int, wild bool) string {
		s := ""
		for range rng.IntN(n) {
			c := alpha[rng.IntN(len(alpha))]
			if !wild && (c == "*" || c == "?") {
				c = "b"
			}
			s += c
		}
		return s
	}
	trues := 0
	for range 20000 {
		lit := gen(5, false)
		qs := []string{gen(8, true)}
		if rng.IntN(3) == 0 {
			qs = append(qs, gen(8, true))
		}
		var steps, states int
		got := includesPrefix(lit, qs, &steps)
		want := includesSearch(foldRunes(lit+"*"), qs, &states)
		if got != want {
			t.Fatalf("includesPrefix(%q, %q) = %v, want %v (the search)", lit, qs, got, want)
		}
		if got {
			trues++
		}
	}
	if trues < 1000 || trues > 19000 {
		t.Errorf("%d of 20000 random pairs included: the test needs both answers", trues)
	}
	// The pattern: the search needs 2^k states, the linear test a few
	// hundred steps.
	q := "s3:*???????????????????????????????????????t*"
	var steps int
	if includesPrefix("s3:GetObject", []string{q}, &steps) {
		t.Errorf("s3:GetObject* ⊆ %s, want not", q)
	}
	if steps > 2000 {
		t.Errorf("includesPrefix took %d steps, want ≤ 2000", steps)
	}
	if !includesPrefix("s3:GetObjectTagging", []string{"s3:*?t*", "s3:*?"}, &steps) {
		t.Errorf("s3:GetObjectTagging* ⊆ {s3:*?t*, s3:*?}, want yes")
	}
}

// BenchmarkMatcher runs the refinement's matcher of a few wide patterns over
// their ranges of the whole built-in catalog: the glob matching of
// BenchmarkRefine* without the rest.
func BenchmarkMatcher(b *testing.B) {
	u := newUniverse(BuiltinCatalog(), nil, true, nil)
	pats := []string{"s3:*Object*", "ec2:Describe*Attribute", "iam:*Policy?ersion*", "*:Get*Policy", "ec2:*Instance*s"}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pats {
			lo, hi := u.patternRange(p)
			m := u.matcher(p)
			for i := lo; i < hi; i++ {
				m(i)
			}
		}
	}
}
