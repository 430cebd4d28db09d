//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"whittle/engine"
	"whittle/wasm/playground/locate"
)

// selection is the policy editor's selected text and where it ends (line,
// column: the editor's cursor).
func (p *page) selection() (text string, line, column int) {
	p.t.Helper()
	text = eval[string](p, `WhittleEditor.editors["policy-input"].selectedText()`)
	cur := eval[[]int](p, `WhittleEditor.editors["policy-input"].cursor().slice(0, 2)`)
	return text, cur[0], cur[1]
}

// wantSelection is what picking change c of the policy parsed as p from
// text selects in the page's main thread: locate.Change's span, and the
// text it covers.
func wantSelection(t *testing.T, text string, p *engine.Policy, c *engine.Change) (string, locate.Span) {
	t.Helper()
	from, to, ok := locate.Range(p, c)
	span, sok := locate.Change(text, p, c)
	if !ok || !sok {
		t.Fatalf("change %s has no place in the text", c.Path)
	}
	return text[from:to], span
}

// pickExplained clicks the explanation of change i and waits until the
// policy editor selects something other than before.
func (p *page) pickExplained(i int, before string) {
	p.t.Helper()
	p.waitFor("the explanation of change "+itoa(i), testid("explanations")+`.querySelector('[data-change="`+itoa(i)+`"]') !== null`)
	eval[bool](p, testid("explanations")+`.querySelector('[data-change="`+itoa(i)+`"]').click() || true`)
	p.waitFor("the selection of change "+itoa(i), `WhittleEditor.editors["policy-input"].selectedText() !== `+jsString(before))
}

// TestBrowserWorkerSelectChange picks a change's explanation in results the
// engine's Web Worker made (a large lone policy, then a large principal's
// policies): the policy editor selects the change's pattern where it stands,
// as the main thread's path does (locate.Change on the same text and the
// policy as the engine read it).
func TestBrowserWorkerSelectChange(t *testing.T) {
	p := open(t)
	p.selectExample("readonly-half")
	if st := eval[string](p, `document.getElementById("status").textContent`); !strings.Contains(st, "in a Web Worker") {
		t.Fatalf("status %q: the large example is refined in the engine's worker", st)
	}
	policy := eval[string](p, `WhittleEditor.editors["policy-input"].getText()`)
	findings := eval[string](p, `WhittleEditor.editors["findings-input"].getText()`)
	req, eerr := engine.RequestFromTexts(policy, findings, "", engine.Options{})
	if eerr != nil {
		t.Fatal(eerr)
	}
	resp := engine.Respond(req)
	if len(resp.Changes) < 40 {
		t.Fatalf("the large example has %d changes", len(resp.Changes))
	}
	// A change far from the top, then another: each selected where it stands.
	before := ""
	for _, i := range []int{33, 5} {
		c := &resp.Changes[i]
		want, span := wantSelection(t, policy, req.Policy, c)
		p.pickExplained(i, before)
		text, line, col := p.selection()
		if text != want || line != span.ToLine || col != span.ToColumn {
			t.Errorf("picking change %d (%s): the policy editor selects %q ending at %d:%d, want %q ending at %d:%d",
				i, c.Path, text, line, col, want, span.ToLine, span.ToColumn)
		}
		before = text
	}

	// A principal's policies past the threshold: the pattern is selected
	// inside the dump, where the picked policy's document stands.
	big := largeDump(t)
	report := read(t, roleDir+"last-accessed-action-level.json")
	n := eval[int](p, `whittleStats.refines`)
	p.paste("findings-input", report)
	p.paste("policy-input", big)
	eval[bool](p, testid("refine-button")+`.click() || true`)
	p.waitFor("the large dump's result", `whittleStats.refines > `+itoa(n)+` && `+testid("role-view")+`.hidden === false && document.getElementById("status").textContent.startsWith("Refined")`)
	if st := eval[string](p, `document.getElementById("status").textContent`); !strings.Contains(st, "in a Web Worker") {
		t.Fatalf("status %q: the large dump is refined in the engine's worker", st)
	}
	rr, eerr := engine.RecommendationFromTexts(big, report, "", engine.Options{})
	if eerr != nil {
		t.Fatal(eerr)
	}
	rec := engine.Recommend(rr, time.Now)
	_, pressed := p.items()
	if pressed < 0 || rec.Whittle.Policies[pressed].Answer == nil || len(rec.Whittle.Policies[pressed].Answer.Changes) < 2 {
		t.Fatalf("the policy shown of the large dump (%d) has not two changes", pressed)
	}
	shown := rr.Request(pressed)
	changes := rec.Whittle.Policies[pressed].Answer.Changes
	for _, i := range []int{min(len(changes)-1, 39), 0} { // explained at first: 40
		c := &changes[i]
		want, span := wantSelection(t, big, shown.Policy, c)
		p.pickExplained(i, before)
		text, line, col := p.selection()
		if text != want || line != span.ToLine || col != span.ToColumn {
			t.Errorf("picking change %d (%s) of %s: the policy editor selects %q ending at %d:%d, want %q ending at %d:%d",
				i, c.Path, rec.Whittle.Policies[pressed].ExistingPolicyID, text, line, col, want, span.ToLine, span.ToColumn)
		}
		before = text
	}
}
