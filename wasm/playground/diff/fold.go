package diff

import (
	"encoding/json"
	"strconv"
	"strings"

	"whittle/engine"
)

// Context is how many unchanged lines are shown around a change; longer
// unchanged runs are folded into one "… n unchanged lines" line.
const Context = 3

// FoldOver is the diff length (lines) above which unchanged runs are folded:
// a policy of a page or so is shown whole, like the article's figure.
const FoldOver = 80

// Tags gives each line of a diff the index of the listed change it shows
// (-1 for none): a deleted line holding a change's pattern, an inserted line
// holding one of its replacement entries, in the same statement. Statements are
// counted in the pretty-printed original, where each starts with a line "    {"
// inside "Statement": [ (or is the one object of "Statement": {).
func Tags(lines []Line, changes []engine.Change) []int {
	type key struct {
		stmt  int
		value string
		op    Op
	}
	want := map[key]int{}
	for i, c := range changes {
		if c.Pattern != "" {
			want[key{c.Statement, c.Pattern, Delete}] = i
		}
		for _, r := range c.Replacement {
			if _, ok := want[key{c.Statement, r, Insert}]; !ok {
				want[key{c.Statement, r, Insert}] = i
			}
		}
	}
	tags := make([]int, len(lines))
	stmt := -1
	for n, l := range lines {
		tags[n] = -1
		if l.Op != Insert {
			switch l.Text {
			case "    {":
				stmt++
			case `  "Statement": {`:
				stmt = 0
			}
		}
		if l.Op == Same || len(want) == 0 {
			continue
		}
		if i, ok := want[key{stmt, entryValue(l.Text), l.Op}]; ok {
			tags[n] = i
		}
	}
	return tags
}

// entryValue is the string a pretty-printed line holds: `"s3:Get*",` → s3:Get*;
// also for a one-string Action: `"Action": "s3:Get*",`.
func entryValue(line string) string {
	s := strings.TrimSuffix(strings.TrimSpace(line), ",")
	for _, k := range []string{`"Action": `, `"NotAction": `} {
		s = strings.TrimPrefix(s, k)
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.ContainsRune(s, '\\') {
		return s[1 : len(s)-1] // the usual case, without a JSON decoder
	}
	var v string
	if json.Unmarshal([]byte(s), &v) != nil {
		return ""
	}
	return v
}

// The kinds of a Block.
const (
	KindSame   = ""    // unchanged lines
	KindDelete = "del" // lines only in the original
	KindInsert = "ins" // lines only in the refinement
	KindGap    = "gap" // a folded run of unchanged lines, said in one line
)

// Block is a run of diff lines that the page draws as one element:
// consecutive lines of one kind that show one change.
type Block struct {
	Kind   string   // KindSame, KindDelete, KindInsert or KindGap
	Change int      // the index of the change the lines show (see [Tags]), -1 for none
	Lines  []string // as shown (Line.String), or the gap's "  … n unchanged lines"
}

// Fold lays out a diff for the page: lines of a diff longer than FoldOver
// lose the inside of their unchanged runs, but for Context lines around each
// change, to one gap line; consecutive lines of one kind and one change (tags,
// from [Tags]) make a block; blocks go into chunks of at most size lines (a
// block never spans two). There is always at least one chunk.
func Fold(lines []Line, tags []int, size int) [][]Block {
	f := folder{size: size, chunks: [][]Block{nil}}
	fold := len(lines) > FoldOver
	for i := 0; i < len(lines); {
		if lines[i].Op != Same {
			kind := KindDelete
			if lines[i].Op == Insert {
				kind = KindInsert
			}
			f.add(kind, tags[i], lines[i].String())
			i++
			continue
		}
		j := i
		for j < len(lines) && lines[j].Op == Same {
			j++
		}
		head, tail := Context, Context
		if i == 0 {
			head = 0
		}
		if j == len(lines) {
			tail = 0
		}
		if fold && j-i > head+tail+1 {
			f.same(lines[i : i+head])
			f.add(KindGap, -1, "  … "+strconv.Itoa(j-i-head-tail)+" unchanged lines")
			f.same(lines[j-tail : j])
		} else {
			f.same(lines[i:j])
		}
		i = j
	}
	return f.chunks
}

// folder builds the chunks of Fold; n counts the lines of the last chunk.
type folder struct {
	size, n int
	chunks  [][]Block
}

func (f *folder) same(lines []Line) {
	for _, l := range lines {
		f.add(KindSame, -1, l.String())
	}
}

func (f *folder) add(kind string, change int, text string) {
	if f.n == f.size {
		f.chunks = append(f.chunks, nil)
		f.n = 0
	}
	last := &f.chunks[len(f.chunks)-1]
	if k := len(*last) - 1; k >= 0 && kind != KindGap && (*last)[k].Kind == kind && (*last)[k].Change == change {
		(*last)[k].Lines = append((*last)[k].Lines, text)
	} else {
		*last = append(*last, Block{Kind: kind, Change: change, Lines: []string{text}})
	}
	f.n++
}
