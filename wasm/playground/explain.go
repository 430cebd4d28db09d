//go:build js && wasm

package main

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"syscall/js"

	"whittle/engine"
	"whittle/wasm/playground/awscli"
	"whittle/wasm/playground/diff"
)

// firstExplained is how many changes are explained at first; a button then
// explains moreExplained more at a time. Every change can be picked out in the
// diff, which shows them all; picking one not explained yet explains it.
const (
	firstExplained = 40
	moreExplained  = 200
)

// accessOrder is the order in which access levels are named, that of the
// Service Authorization Reference; other levels follow alphabetically.
var accessOrder = map[string]int{"List": 1, "Read": 2, "Write": 3, "Permissions management": 4, "Tagging": 5}

// count writes n with its noun: 1 action, 58 actions.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return group(n) + " " + many
}

// explanation is the sentence of one change, built from the engine's fields
// only: pattern, allowed, removed, kept, replacement and accessLevels.
func explanation(c *engine.Change) string {
	var b strings.Builder
	switch c.Kind {
	case "excluded":
		b.WriteString(count(len(c.Replacement), "unused action is", "unused actions are"))
		b.WriteString(" added to NotAction: ")
		b.WriteString(strings.Join(first(c.Replacement, 6), ", "))
		b.WriteString(".")
	case "removed":
		b.WriteString(" allowed " + count(c.Allowed, "action", "actions") + "; ")
		if c.Allowed == 1 {
			b.WriteString("it is unused, so the entry is removed.")
		} else {
			b.WriteString("all " + group(c.Allowed) + " are unused, so the entry is removed.")
		}
	default:
		b.WriteString(" allowed " + count(c.Allowed, "action", "actions") + "; ")
		if len(c.Removed) == 1 {
			b.WriteString("1 is unused; ")
		} else {
			b.WriteString(group(len(c.Removed)) + " are unused; ")
		}
		if c.Kept == 1 {
			b.WriteString("the 1 still used is covered by ")
		} else {
			b.WriteString("the " + group(c.Kept) + " still used are covered by ")
		}
		b.WriteString(count(len(c.Replacement), "entry", "entries") + ".")
	}
	if len(c.AccessLevels) > 0 {
		levels := make([]string, 0, len(c.AccessLevels))
		for l := range c.AccessLevels {
			levels = append(levels, l)
		}
		sort.Slice(levels, func(i, j int) bool {
			oi, oj := accessOrder[levels[i]], accessOrder[levels[j]]
			if oi == 0 {
				oi = 99
			}
			if oj == 0 {
				oj = 99
			}
			if oi != oj {
				return oi < oj
			}
			return levels[i] < levels[j]
		})
		parts := make([]string, len(levels))
		for i, l := range levels {
			parts[i] = group(c.AccessLevels[l]) + " " + l
		}
		b.WriteString(" Access removed: " + strings.Join(parts, ", ") + ".")
	}
	return b.String()
}

// renderExplanations lists one clickable sentence per change.
func (a *app) renderExplanations() {
	el := a.byID("explanations").Underlying()
	empty(el)
	a.selected = -1
	a.explained = 0
	a.explainUpTo(firstExplained)
}

// explainUpTo explains the changes of the last result up to n (at most all),
// after those already explained, and offers the next ones with a button.
func (a *app) explainUpTo(n int) {
	el := a.byID("explanations").Underlying()
	changes := a.last.resp.Changes
	n = min(n, len(changes))
	a.decodeChanges(a.explained, n)
	if more := el.Call("querySelector", ".more"); more.Truthy() {
		more.Call("remove")
	}
	frag := jsDocument.Call("createDocumentFragment")
	for i := a.explained; i < n; i++ {
		c := &changes[i]
		btn := newEl("button", "type", "button", "class", "explain", "data-change", itoa(i), "aria-pressed", "false",
			"title", "Show this change in the diff and its trie")
		btn.Call("appendChild", textEl("span", c.Path, "class", "path"))
		btn.Call("appendChild", jsDocument.Call("createTextNode", " "))
		if c.Kind != "excluded" {
			btn.Call("appendChild", textEl("code", c.Pattern))
		}
		btn.Call("appendChild", jsDocument.Call("createTextNode", explanation(c)))
		li := newEl("li")
		li.Call("appendChild", btn)
		frag.Call("appendChild", li)
	}
	a.explained = max(a.explained, n)
	if rest := len(changes) - a.explained; rest > 0 {
		li := textEl("li", group(len(changes))+" changes, "+group(a.explained)+" explained; the diff below shows all, and clicking a line of one explains it. ", "class", "more")
		li.Call("appendChild", textEl("button", "Explain "+group(min(rest, moreExplained))+" more", "type", "button", "class", "small", "data-more", ""))
		frag.Call("appendChild", li)
	}
	el.Call("appendChild", frag)
}

// selectChange highlights change i: its sentence, its lines in the diff, and
// its trie, which becomes the one drawn.
func (a *app) selectChange(i int) {
	if a.last == nil || i < 0 || i >= len(a.last.resp.Changes) {
		return
	}
	if i >= a.explained {
		a.explainUpTo(i + 1)
	}
	a.selected = i
	root := a.byID("outputs").Underlying()
	for _, sel := range []string{".explain.selected", ".diff .hl"} {
		list := root.Call("querySelectorAll", sel)
		for k := 0; k < list.Length(); k++ {
			el := list.Index(k)
			el.Get("classList").Call("remove", "selected", "hl")
			if el.Call("hasAttribute", "aria-pressed").Bool() {
				el.Call("setAttribute", "aria-pressed", "false")
			}
		}
	}
	id := strconv.Itoa(i)
	if btn := root.Call("querySelector", `.explain[data-change="`+id+`"]`); btn.Truthy() {
		btn.Get("classList").Call("add", "selected")
		btn.Call("setAttribute", "aria-pressed", "true")
	}
	lines := a.byID("diff-view").Underlying().Call("querySelectorAll", `[data-change="`+id+`"]`)
	for k := 0; k < lines.Length(); k++ {
		lines.Index(k).Get("classList").Call("add", "hl")
	}
	if lines.Length() > 0 {
		opts := js.Global().Get("Object").New()
		opts.Set("block", "nearest")
		lines.Index(0).Call("scrollIntoView", opts)
	}
	a.decodeChanges(i, i+1)
	c := &a.last.resp.Changes[i]
	// The pattern's place in the shown document, then in the editor, which
	// may hold a principal's policies around it.
	if text := a.policy.Text(); a.docBase >= 0 && text == a.policyText {
		if from, to, ok := pathRange(a.docText, c.Path); ok {
			l1, c1 := lineColumn(text, a.docBase+from)
			l2, c2 := lineColumn(text, a.docBase+to)
			a.policy.Select(l1, c1, l2, c2)
		}
	}
	for k, tr := range a.trie.tries {
		if tr.Path == c.Path {
			a.trie.show(k)
			break
		}
	}
}

// diffTags gives each line of a diff the index of the listed change it shows
// (-1 for none): a deleted line holding a change's pattern, an inserted line
// holding one of its replacement entries, in the same statement. Statements are
// counted in the pretty-printed original, where each starts with a line "    {"
// inside "Statement": [ (or is the one object of "Statement": {).
func diffTags(lines []diff.Line, changes []engine.Change) []int {
	type key struct {
		stmt  int
		value string
		op    diff.Op
	}
	want := map[key]int{}
	for i, c := range changes {
		if c.Pattern != "" {
			want[key{c.Statement, c.Pattern, diff.Delete}] = i
		}
		for _, r := range c.Replacement {
			if _, ok := want[key{c.Statement, r, diff.Insert}]; !ok {
				want[key{c.Statement, r, diff.Insert}] = i
			}
		}
	}
	tags := make([]int, len(lines))
	stmt := -1
	for n, l := range lines {
		tags[n] = -1
		if l.Op != diff.Insert {
			switch l.Text {
			case "    {":
				stmt++
			case `  "Statement": {`:
				stmt = 0
			}
		}
		if l.Op == diff.Same || len(want) == 0 {
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

// cliCommand is the aws command that makes the refined document the default
// version of the managed policy; "" when there is no refined document.
func cliCommand(r *result) string {
	if r == nil || r.compact == "" {
		return ""
	}
	return awscli.PolicyVersion(r.compact)
}

// copyCLI shows the AWS CLI commands under the refined policy and copies them:
// for a principal, those of the whole recommendation; for one policy, the
// command that installs its refined version.
func (a *app) copyCLI() {
	box := a.byID("cli-command")
	var cmd, done string
	switch {
	case a.role.active():
		cmd, done = a.role.cli(), "AWS CLI commands of the whole recommendation copied"
		box.SetTextContent(cmd)
	case cliCommand(a.last) == "":
		action := "none"
		if a.last != nil {
			action = a.last.resp.RecommendedAction
		}
		box.SetTextContent("No refined policy to install: the recommendation is " + action + ".")
	default:
		cmd, done = cliCommand(a.last), "AWS CLI command copied (replace the policy ARN)"
		box.SetTextContent(cmd)
	}
	box.RemoveAttribute("hidden")
	if cmd != "" {
		a.copyText(cmd, done)
	}
}

// copyText writes text to the clipboard and says in the status line whether
// that worked (a page without clipboard permission gets a hint instead of an
// unhandled rejection).
func (a *app) copyText(text, done string) {
	cb := js.Global().Get("navigator").Get("clipboard")
	if !cb.Truthy() {
		a.status.SetTextContent("No clipboard here: select the text and copy it")
		return
	}
	var ok, fail js.Func
	release := func() { ok.Release(); fail.Release() }
	ok = js.FuncOf(func(js.Value, []js.Value) any { a.status.SetTextContent(done); release(); return nil })
	fail = js.FuncOf(func(js.Value, []js.Value) any {
		a.status.SetTextContent("The browser refused the clipboard: select the text and copy it")
		release()
		return nil
	})
	cb.Call("writeText", text).Call("then", ok, fail)
}

// pathRange finds the value at a change's JSON path (Statement[1].Action[0])
// in the policy text and returns its byte range. A Statement or Action given
// as one object or string instead of a list answers to index 0.
func pathRange(text, path string) (from, to int, ok bool) {
	v, err := engine.ParseJSON([]byte(text))
	if err != nil || v == nil {
		return 0, 0, false
	}
	for _, seg := range strings.Split(path, ".") {
		name, index := seg, -1
		if k := strings.IndexByte(seg, '['); k >= 0 && strings.HasSuffix(seg, "]") {
			n, err := strconv.Atoi(seg[k+1 : len(seg)-1])
			if err != nil {
				return 0, 0, false
			}
			name, index = seg[:k], n
		}
		if name != "" {
			if v = v.Get(name); v == nil {
				return 0, 0, false
			}
		}
		if index >= 0 {
			switch {
			case v.Kind == engine.KindArray && index < len(v.Arr):
				v = v.Arr[index]
			case v.Kind != engine.KindArray && index == 0:
			default:
				return 0, 0, false
			}
		}
	}
	if v.Off < 0 || v.End > len(text) {
		return 0, 0, false
	}
	return v.Off, v.End, true
}

// lineColumn turns a byte offset of text into a 1-based line and column (in
// characters), as the editor counts them.
func lineColumn(text string, off int) (line, column int) {
	line, column = 1, 1
	for _, r := range text[:off] {
		if r == '\n' {
			line, column = line+1, 1
		} else {
			column++
		}
	}
	return line, column
}
