package engine

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// verifyRefinement checks a refinement independently of the code that made it. It parses
// the refined document again from the bytes that are answered (refined; nil for
// DETACH_POLICY), pairs its statements with the original ones (kept[i] is the
// original index of refined statement i; the pairing must keep the order and
// every key but Action/NotAction), expands both over the universe (an exact
// name looked up, lit* its range, any other pattern tried with [Match] on its
// range) and compares them (C1), tests each new pattern for inclusion in the
// originals with includesAny (C2), checks that everything but Action/NotAction is
// untouched and Deny statements are identical (C3), and looks for new entries
// covered by another entry (C5).
func verifyRefinement(orig *Policy, refined []byte, kept []int, u *universe) Verification {
	v, _ := verify(orig, refined, kept, u, newMemo(), nil)
	return v
}

// verify is verifyRefinement with the checks of statement pairs that memo m
// holds (see memo.check); it adds the ones it makes. It also returns the
// refined document as it parsed it (nil for DETACH_POLICY or when it does not
// parse).
func verify(orig *Policy, refined []byte, kept []int, u *universe, m *memo, w *work) (Verification, *Policy) {
	var ref *Policy
	if refined != nil {
		var err *Error
		if ref, err = parsePolicy(refined); err != nil {
			v := newVerification()
			v.Structure = append(v.Structure, "the refined document does not parse: "+err.Error())
			return v, nil
		}
	}
	return verifyParsed(orig, ref, kept, u, m, w), ref
}

func newVerification() Verification {
	return Verification{OverPermissive: []string{}, UnderPermissive: []string{}, Broader: []string{}, Redundant: []string{}, Structure: []string{}}
}

// verifyParsed is verify of the refined document parsed already (nil for
// DETACH_POLICY): the refinement's own answer, parsed once from the bytes
// answered, or a candidate, parsed when its request was read.
func verifyParsed(orig, ref *Policy, kept []int, u *universe, m *memo, w *work) Verification {
	v := newVerification()
	if ref != nil {
		if !sameExceptStatement(orig.Doc, ref.Doc) {
			v.Structure = append(v.Structure, "keys outside Statement changed")
		}
	} else {
		ref = &Policy{}
	}
	if len(kept) != len(ref.Statements) {
		v.Structure = append(v.Structure, fmt.Sprintf("the refined policy has %d statements, the refinement accounts for %d", len(ref.Statements), len(kept)))
		kept = kept[:min(len(kept), len(ref.Statements))]
	}
	// Pair refined statements with original ones, in order. Statements with
	// the same patterns before and after are checked once.
	j := 0
	for _, o := range orig.Statements {
		var r *Statement
		refPath := ""
		if j < len(kept) && kept[j] == o.Index {
			refPath = ref.statementPath(j)
			r = ref.Statements[j]
			j++
			if !sameExceptActions(o.Obj, r.Obj) {
				v.Structure = append(v.Structure, orig.statementPath(o.Index)+": keys other than Action/NotAction changed")
			}
		}
		path := orig.statementPath(o.Index)
		if o.Effect == "Deny" {
			if r == nil || !bytes.Equal(AppendJSON(nil, o.Obj, ""), AppendJSON(nil, r.Obj, "")) {
				v.Structure = append(v.Structure, path+": a Deny statement was changed or removed")
			}
			continue
		}
		w.at(path, "while verifying this statement ("+strconv.Itoa(len(o.Patterns))+" patterns)")
		c := m.check(checkKey(o, r), u, o, func() *statementCheck { return checkStatement(o, r, refPath, u, w) })
		c.report(&v, path, refPath)
	}
	if j < len(kept) {
		v.Structure = append(v.Structure, "the refined statements are not in the original order")
	}
	v.Exact = len(v.OverPermissive)+len(v.UnderPermissive)+len(v.Broader)+len(v.Redundant)+len(v.Structure) == 0
	return v
}

// expand returns the universe actions that any of the patterns match, as
// ascending indices. Each distinct pattern is tried on its range only.
func expand(u *universe, patterns []PatternRef, w *work) []int {
	// The matches are collected in a list and sorted, or, when the ranges
	// are a fair part of the universe, marked in a set read in order.
	type span struct {
		p      string
		lo, hi int
	}
	var spans []span
	total := 0
	seen := make(map[string]bool, len(patterns))
	for _, p := range patterns {
		if seen[p.Text] {
			continue
		}
		seen[p.Text] = true
		var lo, hi int
		if !hasWildcard(p.Text) {
			// An exact name matches the action with its folded name only.
			if lo = u.indexOf(p.Text); lo < 0 {
				continue
			}
			hi = lo + 1
		} else {
			lo, hi = u.patternRange(p.Text)
		}
		w.match(hi - lo)
		if lo < hi {
			spans = append(spans, span{p.Text, lo, hi})
			total += hi - lo
		}
	}
	var set []bool
	if len(spans) > 1 && 8*total >= u.len() {
		set = make([]bool, u.len())
	}
	var out []int
	for _, s := range spans {
		if s.hi == s.lo+1 && !hasWildcard(s.p) {
			if set != nil {
				set[s.lo] = true
			} else {
				out = append(out, s.lo)
			}
			continue
		}
		// The plain matcher, not the refinement's (universe.matcher), after a
		// necessary condition: the pattern's longest literal run after its
		// literal prefix (which the range holds), folded, is in the folded
		// name.
		if _, ok := isPrefixPattern(s.p); ok {
			// lit*: the range is the actions starting with lit.
			for i := s.lo; i < s.hi; i++ {
				if set != nil {
					set[i] = true
				} else {
					out = append(out, i)
				}
			}
			continue
		}
		fp := foldKey(s.p)
		run := longestRun(fp[len(literalPrefix(fp)):]) // folded rune by rune, as the keys are
		for i := s.lo; i < s.hi; i++ {
			if (set == nil || !set[i]) && strings.Contains(u.keys.at(i), run) && Match(s.p, u.names.at(i)) {
				if set != nil {
					set[i] = true
				} else {
					out = append(out, i)
				}
			}
		}
	}
	switch {
	case set != nil:
		for i, in := range set {
			if in {
				out = append(out, i)
			}
		}
	case len(spans) > 1:
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}

// longestRun is the longest run of p without wildcards.
func longestRun(p string) string {
	best := ""
	for run := range strings.FieldsFuncSeq(p, func(r rune) bool { return r == '*' || r == '?' }) {
		if len(run) > len(best) {
			best = run
		}
	}
	return best
}

// statementCheck is what checkStatement finds in one pair of statements, with
// places relative to the statement, so that it can be reused for every pair
// with the same patterns.
type statementCheck struct {
	keyChanged      string   // "Action became NotAction", or ""
	over, under     []string // action names
	broader, redund []string // ".Action[2]: s3:X*", ".Action[2]: a is covered by b"
}

// statementMarks appends to b the unused marks a check of statement o reads:
// those of its patterns' ranges (Action), or all (NotAction).
func statementMarks(b []byte, u *universe, o *Statement) []byte {
	if o.Key == "NotAction" {
		return packMarks(b, u.unused)
	}
	for _, p := range o.Patterns {
		lo, hi := u.patternRange(p.Text)
		b = packMarks(b, u.unused[lo:hi])
	}
	return b
}

// checkKey identifies a pair of pattern lists: equal keys (and unused marks,
// see statementMarks), equal checks.
func checkKey(o, r *Statement) string {
	var b strings.Builder
	size := 16
	for _, p := range o.Patterns {
		size += len(p.Text) + 1
	}
	if r != nil {
		for _, p := range r.Patterns {
			size += len(p.Text) + 1
		}
	}
	b.Grow(size)
	b.WriteString(o.Key)
	for _, p := range o.Patterns {
		b.WriteString("\x00")
		b.WriteString(p.Text)
	}
	if r == nil {
		return b.String() + "\x01-"
	}
	b.WriteString("\x01")
	b.WriteString(r.Key)
	for _, p := range r.Patterns {
		b.WriteString("\x00")
		b.WriteString(p.Text)
	}
	return b.String()
}

// report adds a statement's findings to v, at the statement's paths.
func (c *statementCheck) report(v *Verification, path, refPath string) {
	if c.keyChanged != "" {
		v.Structure = append(v.Structure, path+": "+c.keyChanged)
	}
	for _, a := range c.over {
		v.OverPermissive = append(v.OverPermissive, path+": "+a)
	}
	for _, a := range c.under {
		v.UnderPermissive = append(v.UnderPermissive, path+": "+a)
	}
	for _, m := range c.broader {
		v.Broader = append(v.Broader, refPath+m)
	}
	for _, m := range c.redund {
		v.Redundant = append(v.Redundant, refPath+m)
	}
}

// checkStatement checks one Allow statement o against its refined form r (nil
// when it was removed): C1 over the universe, C2 and C5 on the new patterns.
// C1 reads the actions the patterns match and the unused ones, not the whole
// universe (but for a removed NotAction statement, whose every other action
// would be lost).
func checkStatement(o, r *Statement, refPath string, u *universe, w *work) *statementCheck {
	c := &statementCheck{}
	origSet := expand(u, o.Patterns, w)
	var refSet []int
	if r != nil {
		if r.Key != o.Key {
			c.keyChanged = fmt.Sprintf("%s became %s", o.Key, r.Key)
			return c
		}
		refSet = expand(u, r.Patterns, w)
	}
	c.exact(o.Key == "NotAction", r == nil, origSet, refSet, u, w)
	if r != nil {
		c.newPatterns(o, r, refPath, u, w)
	}
	return c
}

// exact checks C1 for a statement of Action (or NotAction) whose patterns
// match origSet, refined to patterns that match refSet (or removed): the
// actions it allows but should not (c.over), and those it lost (c.under).
func (c *statementCheck) exact(notAction, removed bool, origSet, refSet []int, u *universe, w *work) {
	switch {
	case !notAction:
		// want: matched by o and not unused; got: matched by r.
		mergeSorted(func(i int, inOrig, inRef bool) {
			want := inOrig && !u.unused[i]
			switch {
			case inRef && !want:
				c.over = append(c.over, u.names.at(i))
			case want && !inRef:
				c.under = append(c.under, u.names.at(i))
			}
		}, origSet, refSet)
	case removed:
		// Every action o allowed that is not unused is lost.
		w.match(u.len())
		mergeSorted(func(i int, inOrig, _ bool) {
			if !inOrig && !u.unused[i] {
				c.under = append(c.under, u.names.at(i))
			}
		}, origSet, u.all())
	default:
		// want: matched by no pattern of o and not unused; got: matched by no
		// pattern of r. Over: r allows it (not in refSet) but o did not, or it
		// is unused; under: wanted, and r excludes it.
		unused := u.unusedList()
		w.match(len(unused))
		mergeSorted3(func(i int, inOrig, inRef, isUnused bool) {
			want := !inOrig && !isUnused
			switch {
			case !inRef && !want:
				c.over = append(c.over, u.names.at(i))
			case want && inRef:
				c.under = append(c.under, u.names.at(i))
			}
		}, origSet, refSet, unused)
	}
}

// newPatterns checks the patterns of r, the refined form of o at refPath,
// that o does not have: C2, included in o's patterns (c.broader), and C5,
// covered by no other entry of r (c.redund).
func (c *statementCheck) newPatterns(o, r *Statement, refPath string, u *universe, w *work) {
	notAction := o.Key == "NotAction"
	origTexts := map[string]bool{}
	var origs, refs []string
	for _, p := range o.Patterns {
		origTexts[p.Text] = true
		origs = append(origs, p.Text)
	}
	for _, p := range r.Patterns {
		refs = append(refs, p.Text)
	}
	og, rg := newTextGroups(origs, u), newTextGroups(refs, u)
	w.match(entryCost*len(rg.texts) + len(refs))
	// C2, once per distinct new pattern: within the originals (NotAction
	// entries narrow, so any is fine there).
	broader := make([]bool, len(rg.texts))
	if !notAction {
		for k, p := range rg.texts {
			if origTexts[p] {
				continue
			}
			within := false
			wit := ""
			og.candidates(p, func() string {
				if wit == "" {
					wit = groupWitness(p, u) + "\x00"
				}
				return wit[:len(wit)-1]
			}, w, func(int) bool {
				within = true
				return false
			})
			broader[k] = !within && !includesAny(p, og.texts, w)
		}
	}
	// C5: not covered by another entry (of equal ones, the first stays).
	type cover struct {
		group int
		back  bool // the cover is new, and included in the covered pattern
	}
	covers := make([][]cover, len(rg.texts))
	decided := make([]bool, len(rg.texts))
	for i, p := range r.Patterns {
		if origTexts[p.Text] {
			continue
		}
		place := strings.TrimPrefix(p.Path, refPath)
		k := rg.of[i]
		if broader[k] {
			c.broader = append(c.broader, place+": "+p.Text)
		}
		if !decided[k] {
			decided[k] = true
			rg.including(k, w, func(j int) bool {
				q := rg.texts[j]
				covers[k] = append(covers[k], cover{j, !origTexts[q] && includes(q, p.Text, w)})
				return true
			})
		}
		by := ""
		if rg.first[k] < i {
			by = p.Text // the same entry earlier
		}
		for _, cv := range covers[k] {
			if by != "" {
				break
			}
			if !cv.back || rg.first[cv.group] < i {
				by = rg.texts[cv.group]
			}
		}
		if by != "" {
			c.redund = append(c.redund, fmt.Sprintf("%s: %s is covered by %s", place, p.Text, by))
		}
	}
}

// mergeSorted calls f, in ascending order, with every index of the two
// ascending lists, and whether each list holds it.
func mergeSorted(f func(i int, inA, inB bool), a, b []int) {
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || len(a) > 0 && a[0] < b[0]:
			f(a[0], true, false)
			a = a[1:]
		case len(a) == 0 || b[0] < a[0]:
			f(b[0], false, true)
			b = b[1:]
		default:
			f(a[0], true, true)
			a, b = a[1:], b[1:]
		}
	}
}

// mergeSorted3 is mergeSorted for three lists.
func mergeSorted3(f func(i int, inA, inB, inC bool), a, b, c []int) {
	for len(a) > 0 || len(b) > 0 || len(c) > 0 {
		next := -1
		for _, l := range [3][]int{a, b, c} {
			if len(l) > 0 && (next < 0 || l[0] < next) {
				next = l[0]
			}
		}
		inA, inB, inC := len(a) > 0 && a[0] == next, len(b) > 0 && b[0] == next, len(c) > 0 && c[0] == next
		if inA {
			a = a[1:]
		}
		if inB {
			b = b[1:]
		}
		if inC {
			c = c[1:]
		}
		f(next, inA, inB, inC)
	}
}

// sameExceptActions reports whether two statements have the same keys in the
// same order with the same values, except Action and NotAction.
func sameExceptActions(a, b *Value) bool {
	return sameExcept(a, b, "Action", "NotAction")
}

func sameExceptStatement(a, b *Value) bool { return sameExcept(a, b, "Statement", "") }

func sameExcept(a, b *Value, skip1, skip2 string) bool {
	if len(a.Obj) != len(b.Obj) {
		return false
	}
	for i := range a.Obj {
		ma, mb := a.Obj[i], b.Obj[i]
		if ma.Key != mb.Key {
			return false
		}
		if ma.Key == skip1 || ma.Key == skip2 {
			continue
		}
		if !bytes.Equal(AppendJSON(nil, ma.Val, ""), AppendJSON(nil, mb.Val, "")) {
			return false
		}
	}
	return true
}
