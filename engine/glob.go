package engine

import (
	"strings"
	"unicode/utf8"
)

// Inclusion of a prefix pattern.
//
// Every pattern the refinement writes is either an exact action name or a
// literal prefix followed by one star (lit*), and every inclusion test of the
// refinement and of its verification asks whether such a pattern p is
// included in the user's patterns. For that shape the test needs no search:
//
//	L(lit*) ⊆ L(q1) ∪ … ∪ L(qk)  ⟺  lit·x^n ∈ L(q1) ∪ … ∪ L(qk) for n = 0, 1, …, m+1
//
// where x is a letter none of the q names and m the number of non-star
// characters of the longest q. (⟸) A q matching lit·x^n matches x only with
// ? or *, which match any letter: it matches lit·w for every w of length n.
// Past m, one x is always taken by a star, which takes one more or one less
// as well, so the answer for n > m+1 is the answer for m+1. Each q runs as a
// bit-parallel automaton, so the test costs (len(lit)+m+2) steps of a few
// machine words each: linear, where the general search of includesSearch
// may need exponentially many states.

// globNFA is the automaton of a glob over folded runes: state j means the
// first j characters of the glob are matched; runs of stars count as one.
type globNFA struct {
	words int
	last  int      // the accepting state
	star  []uint64 // states at a '*'
	any   []uint64 // states at a '?'
	lits  map[rune][]uint64
	fixed int // characters other than '*'
}

func newGlobNFA(q string) *globNFA {
	rs := make([]rune, 0, len(q))
	for _, r := range q {
		if r == '*' && len(rs) > 0 && rs[len(rs)-1] == '*' {
			continue
		}
		if r != '*' && r != '?' {
			r = fold(r)
		}
		rs = append(rs, r)
	}
	g := &globNFA{last: len(rs), words: len(rs)/64 + 1, lits: map[rune][]uint64{}}
	g.star = make([]uint64, g.words)
	g.any = make([]uint64, g.words)
	for j, r := range rs {
		switch r {
		case '*':
			g.star[j/64] |= 1 << (j % 64)
			continue
		case '?':
			g.any[j/64] |= 1 << (j % 64)
		default:
			m := g.lits[r]
			if m == nil {
				m = make([]uint64, g.words)
				g.lits[r] = m
			}
			m[j/64] |= 1 << (j % 64)
		}
		g.fixed++
	}
	return g
}

// start returns the set of states before any letter.
func (g *globNFA) start() []uint64 {
	s := make([]uint64, g.words)
	s[0] = 1
	g.closure(s)
	return s
}

// closure adds to s the state after each star it holds (a star matches the
// empty string; stars come one at a time, so one pass suffices).
func (g *globNFA) closure(s []uint64) {
	var carry uint64
	for w := range s {
		x := s[w] & g.star[w]
		s[w] |= x<<1 | carry
		carry = x >> 63
	}
}

// step moves s over letter c (folded; a letter no character names matches
// only '?' and '*') into next, and reports whether next is not empty.
func (g *globNFA) step(s, next []uint64, c rune) bool {
	lit := g.lits[c]
	var carry uint64
	nonEmpty := false
	for w := range s {
		adv := s[w] & g.any[w]
		if lit != nil {
			adv |= s[w] & lit[w]
		}
		next[w] = s[w]&g.star[w] | adv<<1 | carry
		carry = adv >> 63
	}
	g.closure(next) // the accepting state is no star and no letter: nothing moves past it
	for _, x := range next {
		nonEmpty = nonEmpty || x != 0
	}
	return nonEmpty
}

func (g *globNFA) accepts(s []uint64) bool { return s[g.last/64]>>(g.last%64)&1 == 1 }

// isPrefixPattern reports whether p is a literal prefix followed by one star
// (lit*), and returns lit.
func isPrefixPattern(p string) (string, bool) {
	if len(p) == 0 || p[len(p)-1] != '*' {
		return "", false
	}
	lit := p[:len(p)-1]
	if hasWildcard(lit) {
		return "", false
	}
	return lit, true
}

// includesPrefix decides L(lit*) ⊆ ∪ L(qs) as explained above, adding the
// automaton steps it takes to *steps.
func includesPrefix(lit string, qs []string, steps *int) bool {
	gs := make([]*globNFA, len(qs))
	sets := make([][]uint64, len(qs))
	next := make([][]uint64, len(qs))
	fixed := 0
	named := map[rune]bool{}
	for i, q := range qs {
		gs[i] = newGlobNFA(q)
		sets[i] = gs[i].start()
		next[i] = make([]uint64, gs[i].words)
		fixed = max(fixed, gs[i].fixed)
		for r := range gs[i].lits {
			named[r] = true
		}
	}
	fresh := rune(utf8.MaxRune)
	for named[fresh] {
		fresh--
	}
	// alive steps every automaton still holding a state over c.
	alive := func(c rune) bool {
		any := false
		for i, g := range gs {
			if sets[i] == nil {
				continue
			}
			*steps += g.words
			if g.step(sets[i], next[i], c) {
				sets[i], next[i] = next[i], sets[i]
				any = true
			} else {
				sets[i] = nil
			}
		}
		return any
	}
	for _, r := range lit {
		if !alive(fold(r)) {
			return false
		}
	}
	for n := 0; ; n++ {
		accepted := false
		for i, g := range gs {
			if sets[i] != nil && g.accepts(sets[i]) {
				accepted = true
				break
			}
		}
		if !accepted {
			return false // lit·x^n is matched by no q
		}
		if n == fixed+1 {
			return true
		}
		if !alive(fresh) {
			return false
		}
	}
}

// matcher returns a function reporting whether pattern p matches action i of
// the universe, as [Match] does. When the pattern and the universe's keys are
// ASCII it matches the folded key (no case folding a letter), after looking
// for the pattern's longest literal run in it: most actions a wide pattern
// is tried on fail that search, which is fast.
//
// It is meant for the actions of p's range (patternRange), all of which start
// with p's literal prefix: a prefix pattern (lit*) matches them all.
func (u *universe) matcher(p string) func(i int) bool {
	if _, ok := isPrefixPattern(p); ok || p == "*" {
		return func(int) bool { return true }
	}
	if !hasWildcard(p) && isASCII(p) {
		return func(i int) bool { return compareFoldASCII(u.keys.at(i), p) == 0 }
	}
	fp := foldKey(p)
	seg := longestRun(fp[len(literalPrefix(fp)):]) // the range holds the literal prefix
	if !u.ascii || !isASCII(fp) {
		// Keys are folded rune by rune, so a name the pattern matches has
		// the folded run in its key, whatever the letters.
		m := compileMatch(p)
		return func(i int) bool { return strings.Contains(u.keys.at(i), seg) && m(u.names.at(i)) }
	}
	return func(i int) bool {
		k := u.keys.at(i)
		return strings.Contains(k, seg) && matchGlob(fp, k)
	}
}
