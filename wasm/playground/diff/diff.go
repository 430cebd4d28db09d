// Package diff computes the line diff that the playground shows between an
// original policy and its refinement: both documents are pretty-printed by
// [Pretty] and compared line by line, like the figure of a unified diff, with
// "-" for lines only in the original and "+" for lines only in the refinement.
//
// A line diff is used instead of github.com/yudai/gojsondiff's ASCII output:
// v1.0.0 of that module loses and duplicates array items when two arrays differ
// in length (see diff_test.go), which is exactly what replacing s3:Get* with
// seven entries does. [Apply] replays a diff on the original text, and the
// tests prove that it always yields the refined text.
package diff

import (
	"fmt"
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

// Compare pretty-prints the JSON documents original and refined and returns the
// line diff between the two texts.
func Compare(original, refined []byte) ([]Line, error) {
	a, err := Pretty(original)
	if err != nil {
		return nil, fmt.Errorf("original: %w", err)
	}
	b, err := Pretty(refined)
	if err != nil {
		return nil, fmt.Errorf("refined: %w", err)
	}
	return Lines(string(a), string(b)), nil
}

// Lines returns a shortest line diff turning text a into text b.
func Lines(a, b string) []Line {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact and deterministic, whatever the machine's speed
	ra, rb, table := dmp.DiffLinesToRunes(a, b)
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

// Apply replays the diff d on the text original: Same and Delete lines must
// match the original's lines in order, Delete lines are dropped and Insert lines
// added. It returns the resulting text, or an error saying where d does not fit.
func Apply(original string, d []Line) (string, error) {
	src := splitLines(original)
	var out []string
	i := 0
	for n, l := range d {
		switch l.Op {
		case Same, Delete:
			if i >= len(src) || src[i] != l.Text {
				return "", fmt.Errorf("diff line %d %q does not match original line %d", n+1, l.String(), i+1)
			}
			i++
			if l.Op == Same {
				out = append(out, l.Text)
			}
		case Insert:
			out = append(out, l.Text)
		default:
			return "", fmt.Errorf("diff line %d: unknown op %q", n+1, l.Op)
		}
	}
	if i != len(src) {
		return "", fmt.Errorf("diff ends at original line %d of %d", i+1, len(src))
	}
	if len(out) == 0 {
		return "", nil
	}
	return strings.Join(out, "\n") + "\n", nil
}
