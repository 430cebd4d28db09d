package diff

import (
	"fmt"
	"strings"
	"testing"

	"whittle/engine"
)

func TestEntryValue(t *testing.T) {
	for _, tt := range []struct{ line, want string }{
		{`        "s3:Get*",`, "s3:Get*"},
		{`        "s3:Get*"`, "s3:Get*"},
		{`      "Action": "s3:Get*",`, "s3:Get*"},
		{`      "NotAction": "iam:*"`, "iam:*"},
		{`        "s3:Get\u002a",`, "s3:Get*"},
		{`        "a\"b",`, `a"b`},
		{`      "Action": [`, ""},
		{`    {`, ""},
		{`        "unterminated`, ""},
	} {
		if got := entryValue(tt.line); got != tt.want {
			t.Errorf("entryValue(%#q) = %#q, want %#q", tt.line, got, tt.want)
		}
	}
}

// lines makes a diff from "op text" strings: "-a", "+b", " c".
func lines(spec ...string) []Line {
	var out []Line
	for _, s := range spec {
		out = append(out, Line{Op(s[0]), s[1:]})
	}
	return out
}

func TestTags(t *testing.T) {
	changes := []engine.Change{
		{Statement: 0, Pattern: "s3:Get*", Replacement: []string{"s3:GetObject", "s3:GetBucket*"}},
		{Statement: 1, Pattern: "s3:Get*", Replacement: []string{"s3:GetObject"}},
		{Statement: 2, Kind: "excluded", Replacement: []string{"iam:CreateUser"}},
	}
	for _, tt := range []struct {
		name string
		diff []Line
		want []int
	}{
		{"two statements, the same pattern in each", lines(
			` {`, `   "Statement": [`,
			`     {`, `       "Action": [`, `-        "s3:Get*",`, `+        "s3:GetObject",`, `+        "s3:GetBucket*",`, `         "lambda:*"`, `       ]`, `     },`,
			`     {`, `       "Action": [`, `-        "s3:Get*"`, `+        "s3:GetObject"`, `       ]`, `     },`,
			`     {`, `       "NotAction": [`, `         "iam:*",`, `+        "iam:CreateUser"`, `       ]`, `     }`,
			`   ]`, ` }`),
			[]int{-1, -1, -1, -1, 0, 0, 0, -1, -1, -1, -1, -1, 1, 1, -1, -1, -1, -1, -1, 2, -1, -1, -1, -1}},
		{"one statement object, one string", lines(
			` {`, `   "Statement": {`, `-    "Action": "s3:Get*",`, `+    "Action": [`, `+      "s3:GetObject",`, `+      "s3:GetBucket*"`, `+    ],`, `     "Resource": "*"`, `   }`, ` }`),
			[]int{-1, -1, 0, -1, 0, 0, -1, -1, -1, -1}},
		{"an unchanged line holding a pattern is not tagged", lines(` {`, `   "Statement": [`, `     {`, `         "s3:Get*"`),
			[]int{-1, -1, -1, -1}},
	} {
		if got := Tags(tt.diff, changes); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: Tags = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := Tags(lines(`-x`, `+y`), nil); fmt.Sprint(got) != "[-1 -1]" {
		t.Errorf("Tags without changes = %v, want [-1 -1]", got)
	}
}

// show writes chunks as text: chunks separated by "|", blocks as kind:change:lines.
func show(chunks [][]Block) string {
	var parts []string
	for _, c := range chunks {
		var bs []string
		for _, b := range c {
			bs = append(bs, fmt.Sprintf("%s:%d:%s", b.Kind, b.Change, strings.Join(b.Lines, "/")))
		}
		parts = append(parts, strings.Join(bs, " "))
	}
	return strings.Join(parts, " | ")
}

// asShown is how unchanged lines given as " text" are shown: "  text".
func asShown(spec []string) []string {
	var out []string
	for _, s := range spec {
		out = append(out, " "+s)
	}
	return out
}

func TestFold(t *testing.T) {
	same := func(n int) []string {
		var s []string
		for i := range n {
			s = append(s, fmt.Sprintf(" s%d", i))
		}
		return s
	}
	long := lines(append(append(same(50), "-a", "+b"), same(50)...)...)
	longTags := make([]int, len(long))
	for i := range longTags {
		longTags[i] = -1
	}
	longTags[50], longTags[51] = 3, 3
	for _, tt := range []struct {
		name string
		diff []Line
		tags []int
		size int
		want string
	}{
		{"empty", nil, nil, 64, ""},
		{"kinds and changes make blocks", lines(" a", "-b", "-c", "+d", "+e", " f"), []int{-1, 0, 1, 0, 0, -1}, 64,
			":-1:  a del:0:- b del:1:- c ins:0:+ d/+ e :-1:  f"},
		{"chunks of 3 lines, a block never spans two", lines(" a", " b", " c", " d", "-e", "-f", "-g", "-h"), []int{-1, -1, -1, -1, 2, 2, 2, 2}, 3,
			":-1:  a/  b/  c | :-1:  d del:2:- e/- f | del:2:- g/- h"},
		{"short diffs are not folded", lines(append(same(20), "-x")...), nil, 64,
			":-1:" + strings.Join(asShown(same(20)), "/") + " del:-1:- x"},
		{"long diffs fold unchanged runs but for 3 lines of context", long, longTags, 64,
			"gap:-1:  … 47 unchanged lines :-1:  s47/  s48/  s49 del:3:- a ins:3:+ b :-1:  s0/  s1/  s2 gap:-1:  … 47 unchanged lines"},
	} {
		tags := tt.tags
		if tags == nil {
			tags = make([]int, len(tt.diff))
			for i := range tags {
				tags[i] = -1
			}
		}
		got := show(Fold(tt.diff, tags, tt.size))
		if got != tt.want {
			t.Errorf("%s: Fold =\n\t%s\nwant\n\t%s", tt.name, got, tt.want)
		}
	}
}

// TestTagsArticle: in the diff of the article's refinement, every change is
// tagged on the line deleting its pattern and on the lines inserting its
// entries, and on no other line.
func TestTagsArticle(t *testing.T) {
	resp := refine(t, map[string]any{
		"policy":   string(read(t, articlePolicy)),
		"findings": string(read(t, articleFindings)),
		"catalog":  string(read(t, catalog2024)),
	})
	a, _ := pretty(read(t, articlePolicy))
	b, _ := pretty(resp.RecommendedPolicy)
	d := Lines(string(a), string(b))
	tags := Tags(d, resp.Changes)
	deleted := make([]int, len(resp.Changes))
	inserted := make([]int, len(resp.Changes))
	for n, i := range tags {
		if i < 0 {
			if d[n].Op != Same && d[n].Op != Insert {
				t.Errorf("line %d %q shows no change", n+1, d[n])
			}
			continue
		}
		c := resp.Changes[i]
		switch v := entryValue(d[n].Text); {
		case d[n].Op == Delete && v == c.Pattern:
			deleted[i]++
		case d[n].Op == Insert && strings.Contains(strings.Join(c.Replacement, "\n")+"\n", v+"\n"):
			inserted[i]++
		default:
			t.Errorf("line %d %q is tagged with change %d (%s → %v)", n+1, d[n], i, c.Pattern, c.Replacement)
		}
	}
	for i, c := range resp.Changes {
		if deleted[i] != 1 || inserted[i] != len(c.Replacement) {
			t.Errorf("change %d (%s): %d deleted and %d inserted lines tagged, want 1 and %d", i, c.Pattern, deleted[i], inserted[i], len(c.Replacement))
		}
	}
}
