//go:build e2e

package e2e

// Browser tests of the trie inspector and the step-through (issue 6), on the
// article example the page opens with (2024 catalog overlay).

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// inspectorRows lists the inspector's actions as "action=state".
func (p *page) inspectorRows() []string {
	p.t.Helper()
	return eval[[]string](p, `Array.from(`+testid("trie-inspector")+`.querySelectorAll("li[data-action]")).map(li => li.getAttribute("data-action") + "=" + li.getAttribute("data-state"))`)
}

func node(prefix string) string {
	return testid("trie-view") + `.querySelector('[data-prefix="` + prefix + `"]')`
}

func TestBrowserTrieInspector(t *testing.T) {
	p := open(t)
	if !eval[bool](p, testid("trie-inspector")+`.hidden`) {
		t.Errorf("the inspector is shown before any node is picked")
	}
	// Click s3:GetBucket: unsafe, because of an unused action under it.
	eval[bool](p, `(`+node("s3:GetBucket")+`).dispatchEvent(new MouseEvent("click", {bubbles: true}))`)
	p.waitFor("inspector for s3:GetBucket", `!`+testid("trie-inspector")+`.hidden && `+testid("trie-inspector")+`.textContent.includes("s3:GetBucket is")`)
	rows := p.inspectorRows()
	joined := strings.Join(rows, "\n")
	if !strings.Contains(joined, "s3:GetBucketAcl=unused") {
		t.Errorf("inspector of s3:GetBucket does not list s3:GetBucketAcl as unused:\n%s", joined)
	}
	for _, r := range rows {
		if !strings.HasPrefix(strings.ToLower(r), "s3:getbucket") {
			t.Errorf("inspector of s3:GetBucket lists %s, not under the prefix", r)
		}
	}
	verdict := eval[string](p, testid("trie-inspector")+`.querySelector(".verdict").textContent`)
	named := ""
	for _, r := range rows {
		a, state, _ := strings.Cut(r, "=")
		if state == "unused" && strings.Contains(verdict, a+" is unused") {
			named = a
		}
	}
	if !strings.Contains(verdict, "s3:GetBucket is unsafe") || named == "" {
		t.Errorf("inspector verdict for s3:GetBucket = %q, want unsafe naming an unused action it lists", verdict)
	}
	// Focus s3:GetObject as the keyboard does: safe, every action used. A
	// headless window never has the system focus, so focus events are emulated.
	err := chromedp.Do(p.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	eval[bool](p, `(`+node("s3:GetObject")+`).focus() || true`)
	p.waitFor("inspector for s3:GetObject", testid("trie-inspector")+`.textContent.includes("s3:GetObject is")`)
	verdict = eval[string](p, testid("trie-inspector")+`.querySelector(".verdict").textContent`)
	if !strings.Contains(verdict, "s3:GetObject is safe") || !strings.Contains(verdict, "s3:GetObject*") {
		t.Errorf("inspector verdict for s3:GetObject = %q, want safe, written s3:GetObject*", verdict)
	}
	rows = p.inspectorRows()
	joined = strings.Join(rows, "\n")
	if !strings.Contains(joined, "s3:GetObjectAcl=used") || strings.Contains(joined, "=unused") {
		t.Errorf("inspector of s3:GetObject should list s3:GetObjectAcl as used and nothing unused:\n%s", joined)
	}
}

func TestBrowserStepThrough(t *testing.T) {
	p := open(t)
	stepText := func() string { return p.text("step-text") }
	if !eval[bool](p, testid("step-prev")+`.disabled`) {
		t.Errorf("step-prev is enabled before the first step")
	}
	click := func(id string) { eval[bool](p, testid(id)+`.click() || true`) }
	click("step-next")
	first := stepText()
	if !strings.Contains(first, "Step 1 of") || !strings.Contains(first, "s3:Get is unsafe") || !strings.Contains(first, "look at its children") {
		t.Errorf("first step reads %q, want the root s3:Get, unsafe, with children", first)
	}
	if got := eval[string](p, testid("trie-view")+`.querySelector(".node.current").getAttribute("data-prefix")`); got != "s3:Get" {
		t.Errorf("highlighted node at step 1 = %q, want s3:Get", got)
	}
	var texts []string
	reached := -1
	for i := 0; i < 10 && reached < 0; i++ {
		click("step-next")
		texts = append(texts, stepText())
		if strings.Contains(texts[len(texts)-1], "so write s3:GetAccess*") {
			reached = i
		}
	}
	if reached < 0 {
		t.Fatalf("no step within 10 mentions writing s3:GetAccess*; steps read:\n%s", strings.Join(texts, "\n"))
	}
	if got := eval[string](p, testid("trie-view")+`.querySelector(".node.current").getAttribute("data-prefix")`); got != "s3:GetAccess" {
		t.Errorf("highlighted node at the s3:GetAccess* step = %q", got)
	}
	if n := eval[int](p, testid("trie-view")+`.querySelectorAll(".node.current").length`); n != 1 {
		t.Errorf("%d nodes highlighted, want 1", n)
	}
	click("step-prev")
	back := stepText()
	want := first
	if reached > 0 {
		want = texts[reached-1]
	}
	if back != want {
		t.Errorf("after prev the step reads %q, want %q", back, want)
	}
	for i := 0; i < 20; i++ {
		click("step-prev")
	}
	if got := stepText(); got != first || !eval[bool](p, testid("step-prev")+`.disabled`) {
		t.Errorf("prev back to the start reads %q (step-prev disabled: %v), want %q", got, eval[bool](p, testid("step-prev")+`.disabled`), first)
	}
}
