// Package diff computes the line diff that the playground shows between an
// original policy and its refinement: both documents are pretty-printed by the
// engine (engine.Pretty's layout) and compared line by line, like the figure
// of a unified diff, with "-" for lines only in the original and "+" for lines
// only in the refinement. [Tags] says which change of the engine's answer each
// line shows, and [Fold] lays the lines out in the blocks the page draws.
//
// A line diff is used instead of github.com/yudai/gojsondiff's ASCII output:
// v1.0.0 of that module loses and duplicates array items when two arrays differ
// in length (see diff_test.go), which is exactly what replacing s3:Get* with
// seven entries does. The tests replay every diff on the original text and
// prove that it yields the refined text.
package diff

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op says on which side a line of a diff appears.
type Op byte

// The three kinds of diff lines, written as the first character of a shown line.
const (
	Same   Op = ' ' // in both documents
	Delete Op = '-' // only in the original
	Insert Op = '+' // only in the refinement
)

// Line is one line of a diff: its Op and its text without the newline.
type Line struct {
	Op   Op
	Text string
}

// String is the line as shown: the Op character, a space, the text.
func (l Line) String() string { return string(l.Op) + " " + l.Text }

// Lines returns a line diff turning text a into text b.
//
// It is a patience diff: lines that occur exactly once in each text are
// anchors, the longest run of anchors in the same order on both sides is kept,
// and the gaps between them are diffed the same way, down to gaps without
// anchors, which get a shortest diff (Myers). The engine replaces patterns in
// place and keeps every other line, so the anchors are nearly all the lines and
// the gaps a few lines each: this takes time about linear in the size of the
// documents where one shortest diff over a refined ReadOnlyAccess took the
// page about 0.3 s. Within a gap, deleted lines come before inserted ones.
func Lines(a, b string) []Line {
	d := &differ{}
	d.diff(splitLines(a), splitLines(b))
	return d.out
}

type differ struct{ out []Line }

func (d *differ) emit(op Op, lines []string) {
	for _, s := range lines {
		d.out = append(d.out, Line{op, s})
	}
}

func (d *differ) diff(a, b []string) {
	// Common head and tail.
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	d.emit(Same, a[:n])
	a, b = a[n:], b[n:]
	m := 0
	for m < len(a) && m < len(b) && a[len(a)-1-m] == b[len(b)-1-m] {
		m++
	}
	tail := a[len(a)-m:]
	a, b = a[:len(a)-m], b[:len(b)-m]
	switch {
	case len(a) == 0:
		d.emit(Insert, b)
	case len(b) == 0:
		d.emit(Delete, a)
	default:
		if anchors := uniqueCommon(a, b); len(anchors) > 0 {
			i, j := 0, 0
			for _, p := range anchors {
				d.diff(a[i:p[0]], b[j:p[1]])
				d.emit(Same, a[p[0]:p[0]+1])
				i, j = p[0]+1, p[1]+1
			}
			d.diff(a[i:], b[j:])
		} else {
			d.out = append(d.out, shortest(a, b)...)
		}
	}
	d.emit(Same, tail)
}

// uniqueCommon returns the pairs (i, j) with a[i] == b[j] where that line
// occurs once in a and once in b, reduced to the longest sequence increasing
// in both i and j (patience sorting).
func uniqueCommon(a, b []string) [][2]int {
	type count struct{ na, nb, ia, ib int }
	seen := make(map[string]*count, len(a))
	for i, s := range a {
		c := seen[s]
		if c == nil {
			c = &count{}
			seen[s] = c
		}
		c.na++
		c.ia = i
	}
	for j, s := range b {
		if c := seen[s]; c != nil {
			c.nb++
			c.ib = j
		}
	}
	var pairs [][2]int // in order of i
	for _, s := range a {
		if c := seen[s]; c.na == 1 && c.nb == 1 {
			pairs = append(pairs, [2]int{c.ia, c.ib})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	// Longest increasing subsequence of the j's.
	tops := []int{} // tops[k]: index in pairs of the smallest end of a run of length k+1
	prev := make([]int, len(pairs))
	for k, p := range pairs {
		lo, hi := 0, len(tops)
		for lo < hi {
			mid := (lo + hi) / 2
			if pairs[tops[mid]][1] < p[1] {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		prev[k] = -1
		if lo > 0 {
			prev[k] = tops[lo-1]
		}
		if lo == len(tops) {
			tops = append(tops, k)
		} else {
			tops[lo] = k
		}
	}
	out := make([][2]int, len(tops))
	for k, i := len(tops)-1, tops[len(tops)-1]; i >= 0; k, i = k-1, prev[i] {
		out[k] = pairs[i]
	}
	return out
}

// shortest returns a shortest line diff turning a into b (Myers, through
// github.com/sergi/go-diff), deletions before insertions within a change.
func shortest(a, b []string) []Line {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact and deterministic, whatever the machine's speed
	ta := strings.Join(a, "\n") + "\n"
	tb := strings.Join(b, "\n") + "\n"
	ra, rb, table := dmp.DiffLinesToRunes(ta, tb)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), table)
	var out []Line
	for _, d := range diffs {
		op := Same
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = Delete
		case diffmatchpatch.DiffInsert:
			op = Insert
		}
		for _, s := range splitLines(d.Text) {
			out = append(out, Line{op, s})
		}
	}
	return out
}

// splitLines splits text into lines, dropping the final newline.
func splitLines(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}
