//go:build js && wasm

package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"whittle/engine"
	"whittle/wasm/playground/describe"
	"whittle/wasm/playground/diff"
)

func itoa(n int) string { return strconv.Itoa(n) }

// group writes n with thousands separators: 6144 → 6,144.
func group(n int) string { return describe.Group(n) }

func formatMS(ms float64) string { return strconv.FormatFloat(ms, 'f', 1, 64) + " ms" }

// clear removes every child of el.
func clear(el dom.Element) { empty(el.Underlying()) }

// render shows a good result: action, verification, size, warnings, the refined
// policy, the changes, the diff and the tries.
func (a *app) render(policyText string, resp *engine.Response) {
	tp := now()
	res := &result{resp: *resp}
	detach := resp.RecommendedAction == engine.ActionDetach || len(resp.RecommendedPolicy) == 0 || string(resp.RecommendedPolicy) == "null"
	if !detach {
		res.refined = string(resp.PrettyPolicy()) // the engine lays out what it answers compact
	}
	a.mark("pretty", now()-tp)
	a.drawSummary(res)

	t0 := now()
	a.renderExplanations()
	t1 := now()
	a.renderDiff(policyText, resp)
	t2 := now()
	a.trie.render(resp.Changes)
	t3 := now()
	a.mark("changes", t1-t0)
	a.mark("diff", t2-t1)
	a.mark("trie", t3-t2)
}

// drawSummary makes res the last result and draws its head: the action, the
// verification, the size, the warnings and the refined policy. It reports
// whether the answer is to detach the policy.
func (a *app) drawSummary(res *result) (detach bool) {
	resp := &res.resp
	detach = resp.RecommendedAction == engine.ActionDetach || len(resp.RecommendedPolicy) == 0 || string(resp.RecommendedPolicy) == "null"
	if !detach {
		res.compact = string(resp.RecommendedPolicy) // the engine answers it compact
	}
	a.last = res
	action := a.byID("action")
	switch resp.RecommendedAction {
	case engine.ActionCreate:
		action.SetTextContent("CREATE_POLICY: replace the policy with the refined one below.")
	case engine.ActionDetach:
		action.SetTextContent("DETACH_POLICY: nothing this policy allows is still used. Detach it rather than refine it.")
	case engine.ActionNone:
		action.SetTextContent("NONE: nothing this policy allows is reported unused. Keep it as it is.")
	default:
		action.SetTextContent(resp.RecommendedAction)
	}

	a.renderVerification(&resp.Verification)
	a.renderSize(&resp.Size, detach)
	a.byID("size-compare").SetAttribute("hidden", "")
	verdict := "✓ verified"
	if !resp.Verification.Exact {
		verdict = "✗ check failed"
	}
	a.verdictLine(resp.RecommendedAction + " · " + verdict + " · " + group(resp.Size.Before) + " → " + group(resp.Size.After) + " characters")

	a.renderWarnings(resp)

	out := a.byID("refined-output")
	switch {
	case detach:
		out.SetTextContent("No refined policy: detach the original (DETACH_POLICY).")
	case res.drawn.Truthy():
		empty(out.Underlying()) // its chunks, drawn by the engine's worker
		js.Global().Call("whittleBuild", out.Underlying(), res.drawn, "")
	default:
		setChunkedText(out.Underlying(), res.refined)
	}
	if box := a.byID("cli-command"); !box.HasAttribute("hidden") {
		a.showCLI() // the commands follow the result; a click copies them
	}
	return detach
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
			parts = append(parts, p.name+": "+strings.Join(describe.First(p.list, 5), ", "))
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

func (a *app) renderSize(s *engine.Size, detach bool) {
	el := a.byID("size")
	clear(el)
	after := "detached"
	if !detach {
		after = group(s.After)
	}
	el.AppendChild(a.doc.CreateTextNode("Size without whitespace: " + group(s.Before) + " → " + after + " characters"))
	if !detach && s.After > s.Before {
		// Larger: say why, and what may be smaller (measured on demand: two
		// more refinements of a large policy are not free).
		el.AppendChild(a.doc.CreateTextNode(" — larger, because each partly unused wildcard is replaced by its safe prefixes and exact names. " +
			"The character granularity, or exact names only, may be shorter: "))
		btn := a.doc.CreateElement("button")
		btn.SetAttribute("type", "button")
		btn.SetAttribute("class", "small")
		btn.SetAttribute("data-testid", "compare-sizes")
		btn.SetTextContent("compare sizes")
		el.AppendChild(btn)
	}
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

// chunkLines is the number of lines in a chunk of a long text (the refined
// policy, the diff). Chunks are styled content-visibility: auto (web/style.css,
// .chunk), so the browser lays out only those scrolled into view: a policy of
// ten thousand lines costs what the visible ones cost, while all the text stays
// in the page for find, select and copy. style.css assumes this number.
const chunkLines = 64

// setChunkedText sets el's text to text, as chunks of chunkLines lines (each a
// span with class chunk, the last chunk-last) when it is longer than one.
func setChunkedText(el js.Value, text string) {
	chunks := textChunks(text)
	if len(chunks) < 2 {
		el.Set("textContent", text)
		return
	}
	empty(el)
	build(el, "", chunks...)
}

// textChunks cuts text into chunks of chunkLines lines for setChunkedText;
// nil when it is one chunk.
func textChunks(text string) []*vnode {
	if strings.Count(text, "\n") < chunkLines {
		return nil
	}
	var chunks []*vnode
	for text != "" {
		end := len(text)
		for i, n := 0, 0; i < len(text); i++ {
			if text[i] == '\n' {
				if n++; n == chunkLines {
					end = i + 1
					break
				}
			}
		}
		c := newV("span", "class", "chunk")
		c.text, text = text[:end], text[end:]
		chunks = append(chunks, c)
	}
	chunks[len(chunks)-1].attrs[1] = "chunk chunk-last"
	return chunks
}

// prettyOriginal is the policy document the diff shows, laid out by the
// engine from what it read (the request's policy, not parsed again): kept
// for the next refinement, since editing the findings leaves the policy as
// it was.
func (a *app) prettyOriginal(text string) string {
	if text != a.original.text || a.original.pretty == "" {
		a.original.text = text
		a.original.pretty = string(a.req.Policy.Doc.Pretty())
	}
	return a.original.pretty
}

// renderDiff shows the line diff of the pretty original and refined policies,
// "-" and "+" lines like a unified diff, long unchanged runs folded.
func (a *app) renderDiff(policyText string, resp *engine.Response) {
	el := a.byID("diff-view")
	key := policyText + "\x00" + string(resp.RecommendedPolicy)
	if key == a.diffKey {
		a.dropHighlight(el) // same documents, same diff: keep it
		return
	}
	a.diffKey = key
	clear(el)
	// The line diff of the pretty texts the page has already made.
	td := now()
	refined := a.last.refined // "" when detached: every line deleted
	lines := diff.Lines(a.prettyOriginal(policyText), refined)
	a.mark("compare", now()-td)
	build(el.Underlying(), "", diffChunks(lines, resp.Changes)...)
}

// diffChunks draws the diff lines: "-" and "+" lines like a unified diff,
// long unchanged runs folded, each line of an explained change tagged with
// its index (diff.Fold, diff.Tags): blocks of lines (white-space: pre) in
// chunks of chunkLines lines (see setChunkedText), all made in one call
// (build) or, for a large result, a part at a time (see engineside.go).
func diffChunks(lines []diff.Line, changes []engine.Change) []*vnode {
	chunks := diff.Fold(lines, diff.Tags(lines, changes), chunkLines)
	vs := make([]*vnode, len(chunks))
	for i, blocks := range chunks {
		vs[i] = newV("div", "class", "chunk")
		for _, b := range blocks {
			div := newV("div")
			if b.Kind != diff.KindSame {
				div.attr("class", b.Kind)
			}
			if b.Change >= 0 {
				div.attr("data-change", itoa(b.Change))
			}
			div.text = strings.Join(b.Lines, "\n")
			vs[i].add(div)
		}
	}
	vs[len(vs)-1].attrs[1] = "chunk chunk-last"
	return vs
}

// dropHighlight removes the highlight of a picked change from the diff el.
func (a *app) dropHighlight(el dom.Element) {
	hl := el.Underlying().Call("querySelectorAll", ".hl")
	for k := 0; k < hl.Length(); k++ {
		hl.Index(k).Get("classList").Call("remove", "hl")
	}
}

// renderWarnings lists the warnings one group a code: a line with the count
// and, for names the catalog does not know, their services; opening a group
// shows each warning.
func (a *app) renderWarnings(resp *engine.Response) {
	el := a.byID("warnings").Underlying()
	empty(el)
	groups := describe.Warnings(resp.Warnings, resp.Catalog.Date, a.knownService)
	var vs []*vnode
	for _, g := range groups {
		li := newV("li", "data-code", g.Code)
		if len(g.Items) == 1 && !strings.Contains(g.Summary, "retired") {
			li.text = g.Items[0]
			vs = append(vs, li)
			continue
		}
		d := newV("details")
		sum := newV("summary")
		sum.text = g.Summary
		d.add(sum)
		ul := newV("ul")
		for _, it := range g.Items {
			item := newV("li")
			item.text = it
			ul.add(item)
		}
		d.add(ul)
		li.add(d)
		vs = append(vs, li)
	}
	build(el, "", vs...)
}

// compareSizes refines the shown policy at the other granularities and says
// their sizes in the size line.
// For a remote result it asks the worker: call it from a goroutine.
func (a *app) compareSizes() {
	if a.last == nil {
		return
	}
	var sizes []int
	switch r := a.remote; {
	case r != nil:
		ans, err := ask("sizes", &remoteIn{Seq: r.seq})
		var out sizesOut
		if err != nil || a.remote != r || json.Unmarshal([]byte(ans.text(0)), &out) != nil || len(out.Sizes) != 3 {
			return
		}
		sizes = out.Sizes
	case a.req != nil:
		for _, g := range []string{engine.GranularityWord, engine.GranularityChar, engine.GranularityAction} {
			req := *a.req
			req.Options.Granularity = g
			sizes = append(sizes, a.sess.Respond(&req).Size.After)
		}
	default:
		return
	}
	var parts []string
	for i, name := range []string{"words", "characters", "exact names"} {
		parts = append(parts, name+" "+group(sizes[i]))
	}
	box := a.byID("size-compare")
	box.SetTextContent("Sizes by granularity: " + strings.Join(parts, ", ") + " characters (pick one in Granularity above).")
	box.RemoveAttribute("hidden")
}
