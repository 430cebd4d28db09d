package engine

import (
	"bytes"
	"fmt"
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
	// Pair refined statements with original ones, in order.
	j := 0
	for _, o := range orig.Statements {
		var r *Statement
		if j < len(kept) && kept[j] == o.Index {
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
		checkStatement(&v, path, o, r, u)
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

func checkStatement(v *Verification, path string, o, r *Statement, u *universe) {
	origSet := expand(u, o.Patterns)
	var refSet []bool
	if r != nil {
		if r.Key != o.Key {
			v.Structure = append(v.Structure, fmt.Sprintf("%s: %s became %s", path, o.Key, r.Key))
			return
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
			v.OverPermissive = append(v.OverPermissive, path+": "+name)
		case want && !got:
			v.UnderPermissive = append(v.UnderPermissive, path+": "+name)
		}
	}
	if r == nil {
		return
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
		// A new pattern. C2: within the originals (NotAction entries narrow, so
		// any is fine there).
		if !notAction {
			within := false
			origIndex.candidates(p.Text, func(k int) bool {
				within = Includes(p.Text, origs[k])
				return !within
			})
			if !within && !IncludesAny(p.Text, origs) {
				v.Broader = append(v.Broader, p.Path+": "+p.Text)
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
			v.Redundant = append(v.Redundant, fmt.Sprintf("%s: %s is covered by %s", p.Path, p.Text, q))
			return false
		})
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
