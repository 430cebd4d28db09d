package engine

import (
	"bytes"
	"fmt"
	"strings"
)

// Verify checks a refinement independently of the code that made it. It parses
// the refined document again from the bytes that are answered (refined; nil for
// DETACH_POLICY), pairs its statements with the original ones (kept[i] is the
// original index of refined statement i; the pairing must keep the order and
// every key but Action/NotAction), expands both over the universe with [Match]
// and compares them (C1), tests each new pattern for inclusion in the originals
// with [IncludesAny] (C2), checks that everything but Action/NotAction is
// untouched and Deny statements are identical (C3), and looks for new entries
// covered by another entry (C5).
func Verify(orig *Policy, refined []byte, kept []int, u *universe) Verification {
	return verify(orig, refined, kept, u, map[string]*statementCheck{}, nil)
}

// verify is Verify with the checks of statement pairs already made over u, by
// checkKey, and (if not nil) over universes with the same actions, by checkKey
// and the unused marks the check reads (statementMarks); it adds the ones it
// makes.
func verify(orig *Policy, refined []byte, kept []int, u *universe, checks, byMarks map[string]*statementCheck) Verification {
	v := Verification{OverPermissive: []string{}, UnderPermissive: []string{}, Broader: []string{}, Redundant: []string{}, Structure: []string{}}
	var ref *Policy
	if refined != nil {
		var err *Error
		if ref, err = ParsePolicy(refined); err != nil {
			v.Structure = append(v.Structure, "the refined document does not parse: "+err.Error())
			return v
		}
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
		k := checkKey(o, r)
		c := checks[k]
		if c == nil && byMarks != nil {
			km := string(statementMarks([]byte(k+"\x02"), u, o))
			if c = byMarks[km]; c == nil {
				c = checkStatement(o, r, refPath, u)
				byMarks[km] = c
			}
			checks[k] = c
		}
		if c == nil {
			c = checkStatement(o, r, refPath, u)
			checks[k] = c
		}
		c.report(&v, path, refPath)
	}
	if j < len(kept) {
		v.Structure = append(v.Structure, "the refined statements are not in the original order")
	}
	v.Exact = len(v.OverPermissive)+len(v.UnderPermissive)+len(v.Broader)+len(v.Redundant)+len(v.Structure) == 0
	return v
}

// expand marks the universe actions that any of the patterns match.
func expand(u *universe, patterns []PatternRef) []bool {
	set := make([]bool, len(u.names))
	for _, p := range patterns {
		lo, hi := u.patternRange(p.Text)
		for i := lo; i < hi; i++ {
			if !set[i] && Match(p.Text, u.names[i]) {
				set[i] = true
			}
		}
	}
	return set
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
func checkStatement(o, r *Statement, refPath string, u *universe) *statementCheck {
	c := &statementCheck{}
	origSet := expand(u, o.Patterns)
	var refSet []bool
	if r != nil {
		if r.Key != o.Key {
			c.keyChanged = fmt.Sprintf("%s became %s", o.Key, r.Key)
			return c
		}
		refSet = expand(u, r.Patterns)
	}
	notAction := o.Key == "NotAction"
	for i, name := range u.names {
		want := origSet[i] != notAction && !u.unused[i]
		got := false
		if r != nil {
			got = refSet[i] != notAction
		}
		switch {
		case got && !want:
			c.over = append(c.over, name)
		case want && !got:
			c.under = append(c.under, name)
		}
	}
	if r == nil {
		return c
	}
	origTexts := map[string]bool{}
	var origs, refs []string
	for _, p := range o.Patterns {
		origTexts[p.Text] = true
		origs = append(origs, p.Text)
	}
	for _, p := range r.Patterns {
		refs = append(refs, p.Text)
	}
	origIndex, refIndex := newPatternIndex(origs), newPatternIndex(refs)
	for i, p := range r.Patterns {
		if origTexts[p.Text] {
			continue
		}
		place := strings.TrimPrefix(p.Path, refPath)
		// A new pattern. C2: within the originals (NotAction entries narrow, so
		// any is fine there).
		if !notAction {
			within := false
			origIndex.candidates(p.Text, func(k int) bool {
				within = Includes(p.Text, origs[k])
				return !within
			})
			if !within && !IncludesAny(p.Text, origs) {
				c.broader = append(c.broader, place+": "+p.Text)
			}
		}
		// C5: not covered by another entry (of equal ones, the first stays).
		refIndex.candidates(p.Text, func(k int) bool {
			q := refs[k]
			if k == i || !Includes(p.Text, q) {
				return true
			}
			if k > i && !origTexts[q] && Includes(q, p.Text) {
				return true
			}
			c.redund = append(c.redund, fmt.Sprintf("%s: %s is covered by %s", place, p.Text, q))
			return false
		})
	}
	return c
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
