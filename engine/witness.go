package engine

import "strings"

// A witness shows that a pattern is broader than a list of patterns: an
// action name the pattern matches and none of the list does. It comes from
// the search that decides inclusion (includesSearch explores the same pairs
// of a position in p and the states of the q automata); this one keeps the
// letters it read on the way, so that the word it stops at is the witness.

// witness returns an action name that p matches and no q does, preferring an
// action of the universe (a name that exists today), else the word the
// inclusion search finds (a name that may not exist yet). ok is false when p
// is included in the union of qs, or when deciding would take more than
// maxInclusionStates steps. The matching is metered by w.
func witness(p string, qs []string, u *universe, w *work) (string, bool) {
	if u != nil {
		lo, hi := u.patternRange(p)
		w.match((hi - lo) * (1 + len(qs)))
		for i := lo; i < hi; i++ {
			a := u.names[i]
			if !Match(p, a) {
				continue
			}
			covered := false
			for _, q := range qs {
				if Match(q, a) {
					covered = true
					break
				}
			}
			if !covered {
				return a, true
			}
		}
	}
	return searchWitness(p, qs)
}

// witnessLetters are the letters a witness uses where p has a wildcard and no
// q names a letter: readable ones first.
const witnessLetters = "XQZJKVWYxqzjkvwy0123456789"

// searchWitness explores words of p, letter by letter, with the set of states
// the q automata can be in, depth first, until a word no q accepts.
func searchWitness(p string, qs []string) (string, bool) {
	type glob struct {
		pat  []rune
		base int
	}
	var gs []glob
	n := 0
	named := map[rune]bool{}
	for _, q := range qs {
		rs := foldRunes(q)
		gs = append(gs, glob{rs, n})
		n += len(rs) + 1
		for _, r := range rs {
			if r != '*' && r != '?' {
				named[r] = true
			}
		}
	}
	// One letter no q names stands for all of them; then the named ones.
	var letters []rune
	for _, r := range witnessLetters {
		if !named[fold(r)] {
			letters = append(letters, r)
			break
		}
	}
	if letters == nil {
		letters = append(letters, 0x2603) // every readable letter is named: any other will do
	}
	for r := range named {
		letters = append(letters, r)
	}
	words := (n + 63) / 64
	add := func(set []uint64, g glob, j int) {
		for {
			set[(g.base+j)/64] |= 1 << ((g.base + j) % 64)
			if j < len(g.pat) && g.pat[j] == '*' {
				j++
				continue
			}
			return
		}
	}
	step := func(set []uint64, c rune) []uint64 {
		next := make([]uint64, words)
		c = fold(c)
		for _, g := range gs {
			for j := 0; j < len(g.pat); j++ {
				s := g.base + j
				if set[s/64]&(1<<(s%64)) == 0 {
					continue
				}
				switch pc := g.pat[j]; {
				case pc == '*':
					add(next, g, j)
				case pc == '?' || pc == c:
					add(next, g, j+1)
				}
			}
		}
		return next
	}
	accepts := func(set []uint64) bool {
		for _, g := range gs {
			s := g.base + len(g.pat)
			if set[s/64]&(1<<(s%64)) != 0 {
				return true
			}
		}
		return false
	}
	empty := func(set []uint64) bool {
		for _, w := range set {
			if w != 0 {
				return false
			}
		}
		return true
	}
	pr := []rune(p)
	// rest completes a word from position i of p with the shortest string:
	// stars match nothing, a ? takes the first letter.
	rest := func(i int) string {
		var b strings.Builder
		for _, c := range pr[i:] {
			switch c {
			case '*':
			case '?':
				b.WriteRune(letters[0])
			default:
				b.WriteRune(c)
			}
		}
		return b.String()
	}
	type item struct {
		i    int
		set  []uint64
		word string
	}
	key := func(it item) string {
		var b strings.Builder
		b.WriteString(string(rune(it.i + 1)))
		for _, w := range it.set {
			for k := 0; k < 8; k++ {
				b.WriteByte(byte(w >> (8 * k)))
			}
		}
		return b.String()
	}
	start := make([]uint64, words)
	for _, g := range gs {
		add(start, g, 0)
	}
	seen := map[string]bool{}
	stack := []item{{0, start, ""}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		k := key(it)
		if seen[k] {
			continue
		}
		seen[k] = true
		if len(seen) > maxInclusionStates {
			return "", false
		}
		if empty(it.set) {
			return it.word + rest(it.i), true // no q can match any way on
		}
		if it.i == len(pr) {
			if !accepts(it.set) {
				return it.word, true
			}
			continue
		}
		// Pushed in reverse, so the first letter is tried first.
		switch c := pr[it.i]; c {
		case '*':
			for l := len(letters) - 1; l >= 0; l-- {
				stack = append(stack, item{it.i, step(it.set, letters[l]), it.word + string(letters[l])})
			}
			stack = append(stack, item{it.i + 1, it.set, it.word})
		case '?':
			for l := len(letters) - 1; l >= 0; l-- {
				stack = append(stack, item{it.i + 1, step(it.set, letters[l]), it.word + string(letters[l])})
			}
		default:
			stack = append(stack, item{it.i + 1, step(it.set, c), it.word + string(c)})
		}
	}
	return "", false
}
