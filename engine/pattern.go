package engine

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Action patterns.
//
// An action pattern is a lone "*" or service ":" name, where name (and, as IAM
// allows, service) may hold the wildcards "*" (any run of characters, also none)
// and "?" (exactly one character). Matching ignores case: IAM treats
// iam:ListRoles and IAM:listroles alike. Letters are compared by their Unicode
// simple case folding, the way strings.EqualFold does.

// MaxPatternLength bounds an action pattern (in bytes). The longest AWS action name
// is under 100 characters; 512 leaves room for anything a person writes while
// keeping the inclusion test's state sets small.
const MaxPatternLength = 512

// maxInclusionStates bounds the search of includes. Glob patterns of real
// policies need a few dozen states; a pathological pair such as "*a????????…"
// could need exponentially many, and is then answered "not included", which is
// always the safe answer for the engine (it falls back to exact names).
const maxInclusionStates = 20000

// validatePattern reports why p is not a valid action pattern, or "" if it is.
func validatePattern(p string) string {
	if p == "*" {
		return ""
	}
	if len(p) > MaxPatternLength {
		return fmt.Sprintf("is longer than %d characters", MaxPatternLength)
	}
	svc, name, ok := strings.Cut(p, ":")
	if !ok {
		return "is not service:action"
	}
	if svc == "" {
		return "has an empty service prefix"
	}
	if name == "" {
		return "has an empty action name"
	}
	for _, r := range svc {
		if !(r == '-' || r == '*' || r == '?' || r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')) {
			return fmt.Sprintf("has %q in its service prefix", r)
		}
	}
	for i := 0; i < len(name); i++ {
		// Byte by byte while ASCII (names nearly always are): a call per rune
		// costs more in WebAssembly, where every policy's patterns come by.
		c := name[i]
		switch {
		case c >= utf8.RuneSelf:
			return validateName(name[i:])
		case c == ':':
			return "has more than one ':'"
		case c <= ' ' || c == 0x7f: // ASCII white space and control characters
			return fmt.Sprintf("has %q in its action name", rune(c))
		}
	}
	return ""
}

// validateName is the rest of validatePattern's check of an action name, rune
// by rune.
func validateName(name string) string {
	for _, r := range name {
		if r == ':' {
			return "has more than one ':'"
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Sprintf("has %q in its action name", r)
		}
	}
	return ""
}

// hasWildcard reports whether p holds * or ?.
func hasWildcard(p string) bool { return wildcardAt(p) >= 0 }

// wildcardAt is the index of the first * or ? of p, or -1. (A loop: it is
// called for every pattern and action the engine meets, and strings.IndexAny
// sets up a byte set on each call.)
func wildcardAt(p string) int {
	for i := 0; i < len(p); i++ {
		if p[i] == '*' || p[i] == '?' {
			return i
		}
	}
	return -1
}

// literalPrefix is the part of p before its first wildcard.
func literalPrefix(p string) string {
	if i := wildcardAt(p); i >= 0 {
		return p[:i]
	}
	return p
}

// fold maps r to the representative of its case-folding class: ASCII letters to
// lower case, other letters to the ASCII letter of their class if there is one
// (the Kelvin sign to k), else to the smallest member of the class.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	best := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			return fold(f)
		}
		if f < best {
			best = f
		}
	}
	return best
}

// foldKey is s with every rune folded: equal for strings that differ only in case.
func foldKey(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' {
			return foldKeySlow(s)
		}
	}
	return s
}

func foldKeySlow(s string) string {
	if isASCII(s) {
		b := make([]byte, len(s))
		for i := 0; i < len(s); i++ {
			b[i] = lowerASCII(s[i])
		}
		return string(b)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(fold(r))
	}
	return b.String()
}

// appendFold appends foldKey(s) to dst, without making the folded string.
func appendFold(dst []byte, s string) []byte {
	// Grown once and written by index: in WebAssembly an append a byte costs
	// several times the byte's own work.
	n := len(dst)
	dst = slices.Grow(dst, len(s))[:n+len(s)]
	out := dst[n:]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			dst = dst[:n+i]
			for _, r := range s[i:] {
				dst = utf8.AppendRune(dst, fold(r))
			}
			return dst
		}
		out[i] = lowerASCII(c)
	}
	return dst
}

// hasPrefixFold reports whether foldKey(s) begins with foldKey(prefix), without
// making either when the bytes compared are ASCII.
func hasPrefixFold(s, prefix string) bool {
	if len(prefix) <= len(s) {
		i := 0
		for ; i < len(prefix); i++ {
			a, b := s[i], prefix[i]
			if a >= utf8.RuneSelf || b >= utf8.RuneSelf {
				break // a rune of several bytes may fold to one (the Kelvin sign to k)
			}
			if lowerASCII(a) != lowerASCII(b) {
				return false
			}
		}
		if i == len(prefix) {
			return true
		}
	} else if isASCII(s) && isASCII(prefix) {
		return false
	}
	return strings.HasPrefix(foldKey(s), foldKey(prefix))
}

// equalFoldKey reports whether foldKey(a) == foldKey(b), without making either
// when both are ASCII.
func equalFoldKey(a, b string) bool {
	if len(a) == len(b) && isASCII(a) && isASCII(b) {
		for i := 0; i < len(a); i++ {
			if lowerASCII(a[i]) != lowerASCII(b[i]) {
				return false
			}
		}
		return true
	}
	return foldKey(a) == foldKey(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Match reports whether the IAM action pattern p matches the action a, ignoring
// case. A lone "*" matches every action.
func Match(p, a string) bool {
	return p == "*" || matchGlob(p, a)
}

// compileMatch returns a function reporting Match(p, a), prepared for calling
// on many actions.
func compileMatch(p string) func(a string) bool {
	lit := literalPrefix(p)
	switch {
	case p == "*":
		return func(string) bool { return true }
	case len(lit) == len(p)-1 && p[len(p)-1] == '*' && isASCII(p):
		return func(a string) bool {
			if !isASCII(a) {
				return matchGlob(p, a)
			}
			return len(a) >= len(lit) && strings.EqualFold(a[:len(lit)], lit)
		}
	}
	return func(a string) bool { return matchGlob(p, a) }
}

// matchGlob is the glob match with backtracking to the last star: linear for
// one star, O(len(p)·len(a)) at worst. It steps over bytes while both sides
// are ASCII, and over runes, folding case the Unicode way, where either is
// not (an invalid byte is one U+FFFD, as in a conversion to []rune).
func matchGlob(p, a string) bool {
	pi, ai := 0, 0
	star, mark := -1, 0
	for ai < len(a) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				star, mark = pi, ai
				pi++
				continue
			case '?':
				pi++
				ai += runeSize(a, ai)
				continue
			default:
				if c < utf8.RuneSelf && a[ai] < utf8.RuneSelf {
					if lowerASCII(c) == lowerASCII(a[ai]) {
						pi++
						ai++
						continue
					}
				} else {
					pr, pn := utf8.DecodeRuneInString(p[pi:])
					ar, an := utf8.DecodeRuneInString(a[ai:])
					if pr == ar || fold(pr) == fold(ar) {
						pi += pn
						ai += an
						continue
					}
				}
			}
		}
		if star < 0 {
			return false
		}
		mark += runeSize(a, mark)
		pi, ai = star+1, mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// runeSize is the length in bytes of the rune s holds at i.
func runeSize(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

// includes reports whether every action name that p matches is matched by q as
// well (language inclusion of the glob patterns, for every possible string, not
// only known actions): the test of rule C2, metered by w (if not nil).
func includes(p, q string, w *work) bool {
	if q == "*" || p == q {
		return true
	}
	if !hasWildcard(p) {
		w.match(1)
		return Match(q, p)
	}
	if !hasWildcard(q) {
		return false // q matches one string, p infinitely many
	}
	if !hasPrefixFold(literalPrefix(p), literalPrefix(q)) {
		return false // p matches its literal prefix followed by a letter q cannot take
	}
	if len(q) > 0 && q[len(q)-1] == '*' && len(literalPrefix(q)) == len(q)-1 {
		return true // q is lq*, and every string of p starts with lp
	}
	qs := []string{q}
	if lit, ok := isPrefixPattern(p); ok {
		return w.prefixTest(lit, qs)
	}
	return w.search(foldRunes(p), qs)
}

// includesAny reports whether every string p matches is matched by at least one of
// qs (a union may include what no single q does: s3:Get* ⊆ {s3:Get, s3:Get?*}).
// In the rare case where deciding would take more than maxInclusionStates steps,
// it answers false.
// It is metered by w (if not nil).
func includesAny(p string, qs []string, w *work) bool {
	for _, q := range qs {
		if includes(p, q, w) {
			return true
		}
	}
	if !hasWildcard(p) {
		return false // an exact name no q matches
	}
	// Only patterns whose literal prefix is compatible with p's can match any
	// string of p.
	lp := literalPrefix(p)
	var useful []string
	for _, q := range qs {
		lq := literalPrefix(q)
		if q == "*" || hasPrefixFold(lp, lq) || hasPrefixFold(lq, lp) {
			useful = append(useful, q)
		}
	}
	if len(useful) < 2 {
		return false // the single-pattern answers above were final
	}
	if lit, ok := isPrefixPattern(p); ok {
		return w.prefixTest(lit, useful)
	}
	return w.search(foldRunes(p), useful)
}

// patternIndex finds, among a list of patterns, those that may include a given
// pattern: by the proof in includes, only patterns whose folded literal prefix
// starts the given pattern's can. The prefixes are kept sorted, so each prefix
// of the query is one binary search, and searches only move forward.
type patternIndex struct {
	keys    []string // folded literal prefixes, ascending
	idx     []int    // the pattern each key belongs to
	scratch []byte   // the folded query of candidates
}

func (x *patternIndex) Len() int           { return len(x.keys) }
func (x *patternIndex) Less(i, j int) bool { return x.keys[i] < x.keys[j] }
func (x *patternIndex) Swap(i, j int) {
	x.keys[i], x.keys[j] = x.keys[j], x.keys[i]
	x.idx[i], x.idx[j] = x.idx[j], x.idx[i]
}

// candidates calls f with the index of every pattern that may include p, in
// no particular order, until f returns false. It finds the keys that are
// prefixes of p's folded literal prefix lp from the longest down: the largest
// key ≤ lp[:limit] either is such a prefix, or shares a shorter common prefix
// with lp beyond which no key can be one. Each step shortens limit, so a query
// costs a few binary searches, however many keys there are.
func (x *patternIndex) candidates(p string, f func(i int) bool) {
	// lp folded: an ASCII one into the index's scratch buffer, without an
	// allocation, then compared as bytes.
	x.scratch = appendFold(x.scratch[:0], literalPrefix(p))
	if len(x.keys) <= linearKeys {
		// A few keys: each tested in turn costs less than the searches.
		q := x.scratch
		for i, k := range x.keys {
			if len(k) <= len(q) && string(q[:len(k)]) == k && !f(x.idx[i]) {
				return
			}
		}
		return
	}
	limit := len(x.scratch)
	for {
		q := x.scratch[:limit]
		// j: the number of keys ≤ q
		lo, hi := 0, len(x.keys)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if x.keys[m] <= string(q) {
				lo = m + 1
			} else {
				hi = m
			}
		}
		j := lo
		if j == 0 {
			return
		}
		k := x.keys[j-1]
		c := 0
		for c < len(k) && c < len(q) && k[c] == q[c] {
			c++
		}
		if c < len(k) {
			limit = c // k differs from q at c: no key is a longer prefix of q
			continue
		}
		for i := j - 1; i >= 0 && x.keys[i] == k; i-- {
			if !f(x.idx[i]) {
				return
			}
		}
		if len(k) == 0 {
			return
		}
		limit = len(k) - 1
	}
}

// linearKeys is the most keys that candidates tests one by one.
const linearKeys = 8

func foldRunes(s string) []rune {
	rs := []rune(s)
	for i, r := range rs {
		if r != '*' && r != '?' {
			rs[i] = fold(r)
		}
	}
	return rs
}

// includesSearch decides L(p) ⊆ ∪ L(q) by searching for a word of p that no q
// accepts (globSearch); states counts the words of state sets it visits. In
// the rare case where deciding would take more than maxInclusionStates steps,
// it answers false.
func includesSearch(p []rune, qs []string, states *int) bool {
	_, found, exceeded := globSearch(p, qs, states, false)
	return !found && !exceeded
}

// witnessLetters are the letters a search tries where p has a wildcard, for
// all the letters no q names: readable ones first, so that a witness reads as
// a name.
const witnessLetters = "XQZJKVWYxqzjkvwy0123456789"

// globSearch explores pairs (position in p, set of states of the q automata),
// depth first and shortest words first, for a word of p that no q accepts.
// Letters that no q names behave alike, so one fresh letter stands for all of
// them. With word, it keeps the letters read, and returns the word found, in
// p's own casing where p is literal; found tells whether there is one;
// exceeded, whether it stopped past maxInclusionStates. states counts the
// words of state sets visited.
func globSearch(p []rune, qs []string, states *int, word bool) (w string, found, exceeded bool) {
	a, named := newGlobUnion(qs)
	letters := searchLetters(named)
	type item struct {
		i    int
		set  []uint64
		word string
	}
	push := func(stack []item, it item, add string) []item {
		if word {
			it.word += add
		}
		return append(stack, it)
	}
	buf := make([]byte, 0, 4+8*a.words)
	seen := map[string]bool{}
	stack := []item{{0, a.start(), ""}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		buf = stateKey(buf[:0], it.i, it.set)
		if seen[string(buf)] {
			continue
		}
		seen[string(buf)] = true
		*states += a.words
		if len(seen) > maxInclusionStates {
			return "", false, true
		}
		if isEmptySet(it.set) {
			if word {
				return it.word + shortestRest(p[it.i:], letters[0]), true, false // no q can match any way on
			}
			return "", true, false
		}
		if it.i == len(p) {
			if !a.accepts(it.set) {
				return it.word, true, false
			}
			continue
		}
		// Pushed in reverse, so that the shortest words are tried first.
		switch c := p[it.i]; c {
		case '*':
			for l := len(letters) - 1; l >= 0; l-- {
				stack = push(stack, item{it.i, a.step(it.set, letters[l]), it.word}, string(letters[l]))
			}
			stack = push(stack, item{it.i + 1, it.set, it.word}, "")
		case '?':
			for l := len(letters) - 1; l >= 0; l-- {
				stack = push(stack, item{it.i + 1, a.step(it.set, letters[l]), it.word}, string(letters[l]))
			}
		default:
			stack = push(stack, item{it.i + 1, a.step(it.set, c), it.word}, string(c))
		}
	}
	return "", false, false
}

// globUnion is the automaton of a union of globs over folded runes, for
// globSearch: state base+j of a glob means its first j characters are
// matched, and a set of states is a bit set of words uint64s.
type globUnion struct {
	globs []unionGlob
	words int
}

type unionGlob struct {
	pat  []rune
	base int // index of its state 0 in the union's states
}

// newGlobUnion returns the automaton of qs and the letters they name.
func newGlobUnion(qs []string) (*globUnion, map[rune]bool) {
	a := &globUnion{}
	n := 0
	named := map[rune]bool{}
	for _, q := range qs {
		rs := foldRunes(q)
		a.globs = append(a.globs, unionGlob{rs, n})
		n += len(rs) + 1
		for _, r := range rs {
			if r != '*' && r != '?' {
				named[r] = true
			}
		}
	}
	a.words = (n + 63) / 64
	return a, named
}

// start returns the set of states before any letter.
func (a *globUnion) start() []uint64 {
	set := make([]uint64, a.words)
	for _, g := range a.globs {
		g.add(set, 0)
	}
	return set
}

// add adds state j of g to set, and the states reachable through stars
// matching the empty string.
func (g unionGlob) add(set []uint64, j int) {
	for {
		set[(g.base+j)/64] |= 1 << ((g.base + j) % 64)
		if j < len(g.pat) && g.pat[j] == '*' {
			j++
			continue
		}
		return
	}
}

// step returns the states set moves to over letter c.
func (a *globUnion) step(set []uint64, c rune) []uint64 {
	next := make([]uint64, a.words)
	c = fold(c)
	for _, g := range a.globs {
		for j := 0; j < len(g.pat); j++ {
			s := g.base + j
			if set[s/64]&(1<<(s%64)) == 0 {
				continue
			}
			switch pc := g.pat[j]; {
			case pc == '*':
				g.add(next, j)
			case pc == '?' || pc == c:
				g.add(next, j+1)
			}
		}
	}
	return next
}

// accepts reports whether set holds the accepting state of some glob.
func (a *globUnion) accepts(set []uint64) bool {
	for _, g := range a.globs {
		s := g.base + len(g.pat)
		if set[s/64]&(1<<(s%64)) != 0 {
			return true
		}
	}
	return false
}

func isEmptySet(set []uint64) bool {
	for _, w := range set {
		if w != 0 {
			return false
		}
	}
	return true
}

// searchLetters returns the letters globSearch tries at a wildcard: one fresh
// letter (named by no q, readable if it can be), then the named ones, sorted.
func searchLetters(named map[rune]bool) []rune {
	var letters []rune
	for _, r := range witnessLetters {
		if !named[fold(r)] {
			letters = append(letters, r)
			break
		}
	}
	if letters == nil {
		fresh := rune(0x10FFFF) // fold never yields it for a named letter
		for named[fresh] {
			fresh--
		}
		letters = append(letters, fresh)
	}
	for r := range named {
		letters = append(letters, r)
	}
	slices.Sort(letters[1:]) // in one order, not the map's: the same witness every time
	return letters
}

// shortestRest completes a word of the glob rest with the shortest string:
// stars match nothing, a ? takes letter.
func shortestRest(rest []rune, letter rune) string {
	var b strings.Builder
	for _, c := range rest {
		switch c {
		case '*':
		case '?':
			b.WriteRune(letter)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// stateKey appends to b the key of a search item: position i and set.
func stateKey(b []byte, i int, set []uint64) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(i))
	for _, w := range set {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b
}
