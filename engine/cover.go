package engine

import (
	"slices"
	"strings"
)

// textGroups gathers the equal texts of a list of patterns (a statement's
// entries, a refined statement's patterns), so that each distinct pattern is
// compared with each distinct candidate once, however often either repeats: a
// statement of 15,000 patterns of 40 kinds costs 40 kinds, not 15,000.
type textGroups struct {
	texts   []string // distinct texts, by folded literal prefix, then text
	of      []int    // the group of each item of the list
	first   []int    // the first item of each group
	index   *patternIndex
	witness []string // an action each group's pattern matches, or "" (see groupWitness), made on first use
	u       *universe
}

// newTextGroups groups the items by sorting them (by folded literal prefix,
// then text), which also orders the index: no map.
func newTextGroups(items []string, u *universe) *textGroups {
	type item struct {
		key, text string
		i         int
	}
	its := make([]item, len(items))
	keys := foldAll(items, literalPrefix)
	for i, t := range items {
		its[i] = item{keys[i], t, i}
	}
	slices.SortFunc(its, func(a, b item) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		if c := strings.Compare(a.text, b.text); c != 0 {
			return c
		}
		return a.i - b.i
	})
	g := &textGroups{of: make([]int, len(items)), u: u}
	x := &patternIndex{}
	for k, it := range its {
		if k == 0 || it.text != its[k-1].text {
			x.keys = append(x.keys, it.key)
			x.idx = append(x.idx, len(g.texts))
			g.texts = append(g.texts, it.text)
			g.first = append(g.first, it.i)
		}
		g.of[it.i] = len(g.texts) - 1
	}
	g.index = x
	g.witness = make([]string, len(g.texts))
	return g
}

// groupWitness is a string pattern p matches, when p is an exact name (itself)
// or a prefix pattern with an action of the universe under its prefix (the
// first); else "". A pattern that includes p matches its witness: testing
// that first rules out most candidates at the cost of one match.
func groupWitness(p string, u *universe) string {
	if !hasWildcard(p) {
		return p
	}
	lit, ok := isPrefixPattern(p)
	if !ok || u == nil {
		return ""
	}
	if lo, hi := u.patternRange(lit); lo < hi {
		return u.names.at(lo)
	}
	return ""
}

// including calls f with every group other than k whose pattern includes
// group k's, until f returns false.
func (g *textGroups) including(k int, w *work, f func(j int) bool) {
	g.candidates(g.texts[k], func() string {
		if g.witness[k] == "" {
			g.witness[k] = groupWitness(g.texts[k], g.u)
			if g.witness[k] == "" {
				g.witness[k] = "\x00" // none: not sought again
			}
		}
		if g.witness[k] == "\x00" {
			return ""
		}
		return g.witness[k]
	}, w, func(j int) bool {
		return j == k || f(j)
	})
}

// candidates calls f with every group whose pattern includes p, until f
// returns false. A candidate that is neither "*" nor a prefix pattern (whose
// inclusion is a prefix test) must first match p's witness, if it has one,
// which wit returns.
func (g *textGroups) candidates(p string, wit func() string, w *work, f func(j int) bool) {
	g.index.candidates(p, func(j int) bool {
		q := g.texts[j]
		w.match(1) // a candidate visited
		if _, simple := isPrefixPattern(q); !simple && q != "*" && hasWildcard(q) {
			if s := wit(); s != "" && !Match(q, s) {
				return true
			}
		}
		if !includes(p, q, w) {
			return true
		}
		return f(j)
	})
}

// foldAll returns foldKey(part(s)) for each of the strings, made in one
// allocation (slices of one folded text) rather than one a string.
func foldAll(ss []string, part func(string) string) []string {
	size := 0
	for _, s := range ss {
		size += len(part(s))
	}
	buf := make([]byte, 0, size)
	ends := make([]int, len(ss))
	for i, s := range ss {
		buf = appendFold(buf, part(s))
		ends[i] = len(buf)
	}
	all := string(buf)
	out := make([]string, len(ss))
	start := 0
	for i, e := range ends {
		out[i] = all[start:e]
		start = e
	}
	return out
}
