//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"honnef.co/go/js/dom/v2"

	"whittle/engine"
	"whittle/wasm/playground/diff"
)

// diffContext is how many unchanged lines are shown around a change; longer
// unchanged runs are folded into one "… n unchanged lines" line.
const diffContext = 3

// diffFoldOver is the diff length (lines) above which unchanged runs are folded:
// a policy of a page or so is shown whole, like the article's figure.
const diffFoldOver = 80

func itoa(n int) string { return strconv.Itoa(n) }

// group writes n with thousands separators: 6144 → 6,144.
func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func formatMS(ms float64) string { return strconv.FormatFloat(ms, 'f', 1, 64) + " ms" }

// clear removes every child of el.
func clear(el dom.Element) { empty(el.Underlying()) }

// render shows a good result: action, verification, size, warnings, the refined
// policy, the changes, the diff and the tries.
func (a *app) render(policyText string, resp *engine.Response) {
	tp := now()
	res := &result{resp: *resp}
	detach := resp.RecommendedAction == "DETACH_POLICY" || len(resp.RecommendedPolicy) == 0 || string(resp.RecommendedPolicy) == "null"
	if !detach {
		var b bytes.Buffer
		if json.Compact(&b, resp.RecommendedPolicy) == nil {
			res.compact = b.String()
		}
		if p, err := diff.Pretty(resp.RecommendedPolicy); err == nil {
			res.refined = string(p)
		} else {
			res.refined = string(resp.RecommendedPolicy)
		}
	}
	a.last = res
	a.mark("pretty", now()-tp)

	action := a.byID("action")
	switch resp.RecommendedAction {
	case "CREATE_POLICY":
		action.SetTextContent("CREATE_POLICY: replace the policy with the refined one below.")
	case "DETACH_POLICY":
		action.SetTextContent("DETACH_POLICY: nothing this policy allows is still used. Detach it rather than refine it.")
	case "NONE":
		action.SetTextContent("NONE: nothing this policy allows is reported unused. Keep it as it is.")
	default:
		action.SetTextContent(resp.RecommendedAction)
	}

	a.renderVerification(&resp.Verification)
	a.renderSize(&resp.Size, detach)

	warnings := a.byID("warnings")
	clear(warnings)
	for _, w := range resp.Warnings {
		li := a.doc.CreateElement("li")
		text := w.Code + ": " + w.Message
		if w.Path != "" && !strings.Contains(w.Message, w.Path) {
			text += " (" + w.Path + ")"
		}
		li.SetTextContent(text)
		warnings.AppendChild(li)
	}

	out := a.byID("refined-output")
	if detach {
		out.SetTextContent("No refined policy: detach the original (DETACH_POLICY).")
	} else {
		out.SetTextContent(res.refined)
	}
	if box := a.byID("cli-command"); !box.HasAttribute("hidden") {
		a.copyCLI()
	}

	t0 := now()
	a.renderExplanations(resp.Changes)
	t1 := now()
	a.renderDiff(policyText, resp, detach)
	t2 := now()
	a.trie.render(resp.Changes)
	t3 := now()
	a.mark("changes", t1-t0)
	a.mark("diff", t2-t1)
	a.mark("trie", t3-t2)
}

func (a *app) renderVerification(v *engine.Verification) {
	el := a.byID("verification")
	problems := 0
	var parts []string
	for _, p := range []struct {
		name string
		list []string
	}{
		{"allows unused or new actions", v.OverPermissive},
		{"loses used actions", v.UnderPermissive},
		{"broader patterns", v.Broader},
		{"redundant entries", v.Redundant},
		{"structure changed", v.Structure},
	} {
		if len(p.list) > 0 {
			problems += len(p.list)
			parts = append(parts, p.name+": "+strings.Join(first(p.list, 5), ", "))
		}
	}
	if v.Exact && problems == 0 {
		el.SetTextContent("✓ Verified: allows exactly what the original allowed, minus the unused actions")
		el.SetAttribute("class", "badge ok")
		el.SetAttribute("data-exact", "true")
		return
	}
	el.SetTextContent("✗ The independent check failed: " + strings.Join(parts, "; "))
	el.SetAttribute("class", "badge bad")
	el.SetAttribute("data-exact", "false")
}

func first(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(append([]string(nil), list[:n]...), "… "+itoa(len(list)-n)+" more")
}

func (a *app) renderSize(s *engine.Size, detach bool) {
	el := a.byID("size")
	clear(el)
	after := "detached"
	if !detach {
		after = group(s.After)
	}
	el.AppendChild(a.doc.CreateTextNode("Size without whitespace: " + group(s.Before) + " → " + after + " characters"))
	for _, q := range []struct {
		name  string
		limit int
	}{{"managed policy", s.ManagedPolicyQuota}, {"role inline", s.RoleInlineQuota}} {
		if q.limit == 0 {
			continue
		}
		span := a.doc.CreateElement("span")
		text := " · " + q.name + " quota " + group(q.limit)
		if !detach && s.After > q.limit {
			span.SetAttribute("class", "over")
			text += " (over)"
		}
		span.SetTextContent(text)
		el.AppendChild(span)
	}
}

// renderDiff shows the line diff of the pretty original and refined policies,
// "-" and "+" lines like a unified diff, long unchanged runs folded.
func (a *app) renderDiff(policyText string, resp *engine.Response, detach bool) {
	el := a.byID("diff-view")
	key := policyText + "\x00" + string(resp.RecommendedPolicy)
	if key == a.diffKey {
		// Same documents, same diff: keep it, drop only the highlight.
		hl := el.Underlying().Call("querySelectorAll", ".hl")
		for k := 0; k < hl.Length(); k++ {
			hl.Index(k).Get("classList").Call("remove", "hl")
		}
		return
	}
	a.diffKey = key
	clear(el)
	refined := []byte(resp.RecommendedPolicy)
	if detach {
		refined = nil
	}
	var lines []diff.Line
	if refined == nil {
		p, err := diff.Pretty([]byte(policyText))
		if err != nil {
			return
		}
		lines = diff.Lines(string(p), "")
	} else {
		var err error
		td := now()
		lines, err = diff.Compare([]byte(policyText), refined)
		a.mark("compare", now()-td)
		if err != nil {
			el.SetTextContent("No diff: " + err.Error())
			return
		}
	}
	// Consecutive lines of one kind (and of one explained change) go into one
	// block (white-space: pre), and all blocks are made in one call (build).
	fold := len(lines) > diffFoldOver
	tags := diffTags(lines, resp.Changes)
	var blocks []*vnode
	var block []string
	blockClass, blockTag := "-", -1
	flush := func() {
		if len(block) == 0 {
			return
		}
		div := newV("div")
		if blockClass != "" {
			div.attr("class", blockClass)
		}
		if blockTag >= 0 {
			div.attr("data-change", itoa(blockTag))
		}
		div.text = strings.Join(block, "\n")
		blocks = append(blocks, div)
		block = block[:0]
	}
	line := func(class, text string, tag int) {
		if class != blockClass || tag != blockTag || class == "gap" {
			flush()
			blockClass, blockTag = class, tag
		}
		block = append(block, text)
	}
	for i := 0; i < len(lines); {
		if lines[i].Op != diff.Same {
			class := "del"
			if lines[i].Op == diff.Insert {
				class = "ins"
			}
			line(class, lines[i].String(), tags[i])
			i++
			continue
		}
		j := i
		for j < len(lines) && lines[j].Op == diff.Same {
			j++
		}
		head, tail := diffContext, diffContext
		if i == 0 {
			head = 0
		}
		if j == len(lines) {
			tail = 0
		}
		if fold && j-i > head+tail+1 {
			for k := i; k < i+head; k++ {
				line("", lines[k].String(), -1)
			}
			line("gap", "  … "+itoa(j-i-head-tail)+" unchanged lines", -1)
			for k := j - tail; k < j; k++ {
				line("", lines[k].String(), -1)
			}
		} else {
			for k := i; k < j; k++ {
				line("", lines[k].String(), -1)
			}
		}
		i = j
	}
	flush()
	build(el.Underlying(), "", blocks...)
}
