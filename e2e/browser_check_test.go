//go:build e2e

package e2e

// Browser tests of checking a candidate (issue 11): an edit of the refined
// policy and AWS's recommendation, checked live by the engine's verifier.

import (
	"strings"
	"testing"
)

// checkText is the check pane's text once a check of candidate has run.
func (p *page) checkCandidate(candidate string) string {
	p.t.Helper()
	p.paste("candidate-input", candidate)
	// Counted after the paste, which restarts the check's debounce: a check
	// still pending from an earlier edit (check-start fills the editor) is
	// not taken for this one's.
	n := eval[int](p, `whittleStats.checks || 0`)
	p.waitFor("the check", `(whittleStats.checks || 0) > `+itoa(n))
	return p.text("check-verdict")
}

// TestBrowserCheck edits a copy of the article's refined policy in real
// Chromium: each edit is checked, each issue said, the named actions link to
// the trie; AWS's recommendation, exact and wrong, is checked; the exercise
// mode hides the answer until the candidate is exact.
func TestBrowserCheck(t *testing.T) {
	p := open(t)
	eval[bool](p, testid("check-start")+`.click() || true`)
	p.waitFor("the first check", testid("check-verdict")+`.textContent !== ""`)
	if got := p.text("check-verdict"); !strings.HasPrefix(got, "✓ Exact") || !strings.Contains(got, "It is Whittle's answer.") {
		t.Errorf("the refined policy itself: %q", got)
	}
	refined := p.text("refined-output")
	for _, tt := range []struct {
		name, from, to, want string
		link                 string // the action linked to the trie
	}{
		{"an unused action back", `"s3:List*"`, `"s3:List*", "s3:GetBucketAcl"`, "The candidate allows s3:GetBucketAcl, which is unused (Read).", "s3:GetBucketAcl"},
		{"a used one dropped", `"s3:GetObject*",`, ``, "It drops s3:GetObject, which is still used.", "s3:GetObject"},
		{"broader than the original", `"s3:GetObject*"`, `"s3:*Object"`, "s3:*Object is broader than s3:Get*, s3:List*: it also allows s3:DeleteObject.", ""},
	} {
		cand := strings.Replace(refined, tt.from, tt.to, 1)
		if cand == refined {
			t.Fatalf("%s: the edit did not apply", tt.name)
		}
		got := p.checkCandidate(cand)
		if !strings.HasPrefix(got, "✗ Not exact") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: the check says\n%s\nwant %q", tt.name, got, tt.want)
		}
		if tt.link == "" {
			continue
		}
		btn := testid("check-verdict") + `.querySelector('[data-action="` + tt.link + `"]')`
		if !eval[bool](p, `!!`+btn) {
			t.Errorf("%s: %s is not linked to the trie", tt.name, tt.link)
			continue
		}
		eval[bool](p, btn+`.click() || true`)
		p.waitFor("the inspector", testid("trie-inspector")+`.hidden === false`)
		if got := p.text("trie-inspector"); !strings.Contains(got, "s3:GetBucket") && !strings.Contains(got, "s3:GetObject") {
			t.Errorf("%s: the inspector shows %q", tt.name, got)
		}
	}
	t.Logf("check of an edit of the article's refined policy: %.1f ms", eval[float64](p, `whittleStats.lastCheckMs`))
	// AWS's recommendation, pasted whole.
	p.selectExample("check-aws")
	p.waitFor("the check of AWS's answer", testid("check-verdict")+`.textContent !== ""`)
	if got := p.text("check-verdict"); !strings.HasPrefix(got, "✓ Exact") {
		t.Errorf("AWS's exact recommendation: %q", got)
	}
	p.selectExample("check-aws-wrong")
	p.waitFor("the check of a wrong answer", testid("check-verdict")+`.textContent.startsWith("✗")`)
	got := p.text("check-verdict")
	for _, want := range []string{"The candidate allows s3:GetBucketAcl, which is unused (Read).", "s3:*Object is broader than s3:Get*, s3:List*: it also allows s3:DeleteObject."} {
		if !strings.Contains(got, want) {
			t.Errorf("AWS's wrong recommendation: the check says\n%s\nwant %q", got, want)
		}
	}
	p.screenshotOf("#check-pane", "check.png")
	// Exercise mode: the answer hides until the candidate is exact.
	visible := `(` + testid("refined-output") + `.offsetParent !== null)`
	eval[bool](p, `(() => { const c = `+testid("hide-answer")+`; c.checked = true; return c.dispatchEvent(new Event("change")); })()`)
	if eval[bool](p, visible) {
		t.Errorf("hide the answer: the refined policy is still shown beside a wrong candidate")
	}
	p.checkCandidate(refined)
	if !eval[bool](p, visible) {
		t.Errorf("hide the answer: the refined policy stays hidden beside an exact candidate")
	}
}
