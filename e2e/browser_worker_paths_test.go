//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
	// The pick selects asynchronously (the change may be located by the
	// engine's worker): wait for a selection that is there and new. A
	// pasted text leaves none, which differs from the last pick's too.
	p.waitFor("the selection of change "+itoa(i), `((t) => t !== "" && t !== `+jsString(before)+`)(WhittleEditor.editors["policy-input"].selectedText())`)
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

// recordAnswers wraps web/app.js's whittleEngine so that the page records,
// in window.__answers, each request it sends the engine's worker as
// "op:what", what being "stale" (the worker no longer holds what the
// request names), "skipped" (superseded) or "answer".
func (p *page) recordAnswers() {
	p.t.Helper()
	eval[bool](p, `(() => {
		window.__answers = [];
		const ask = window.whittleEngine;
		window.whittleEngine = (op, body) => ask(op, body).then(parts => {
			__answers.push(op + ":" + (parts === null ? "skipped" : parts[0].startsWith('{"stale":true') ? "stale" : "answer"));
			return parts;
		});
		return true;
	})()`)
}

// TestBrowserWorkerStalePick picks a policy in the list of a large
// principal's policies (refined in the engine's worker) while an edit of the
// dump is being refined there: the worker no longer holds the policies the
// list shows, answers the pick "stale", and the page refines the editors'
// texts again, showing the policy picked. The result drawn is the engine's
// native answer for that policy of the edited dump (not the one of the dump
// before the edit), once.
func TestBrowserWorkerStalePick(t *testing.T) {
	p := open(t)
	p.selectExample("role-action-level")
	findings := eval[string](p, `WhittleEditor.editors["findings-input"].getText()`)
	before := largeDump(t)
	n := eval[int](p, `whittleStats.refines`)
	p.paste("policy-input", before)
	eval[bool](p, testid("refine-button")+`.click() || true`)
	p.waitFor("the large dump's result", `whittleStats.refines > `+itoa(n)+` && `+testid("role-view")+`.hidden === false && document.getElementById("status").textContent.startsWith("Refined")`)
	if st := eval[string](p, `document.getElementById("status").textContent`); !strings.Contains(st, "in a Web Worker") {
		t.Fatalf("status %q: the large dump is refined in the engine's worker", st)
	}
	// The edit: a pattern of AmazonEC2ReadOnlyAccess made broader, so that
	// its refinement differs from the one the list was made of.
	const ec2 = "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"
	after := strings.Replace(before, `"cloudwatch:ListMetrics"`, `"cloudwatch:List*"`, 1)
	if after == before {
		t.Fatal(`the large dump has no "cloudwatch:ListMetrics" to edit`)
	}
	answer := func(dump string) (string, int) {
		rr, eerr := engine.RecommendationFromTexts(dump, findings, "", engine.Options{})
		if eerr != nil {
			t.Fatal(eerr)
		}
		for i, in := range rr.Set.Policies {
			if in.ID == ec2 {
				return refinedByEngine(t, string(engine.AppendJSON(nil, in.Policy.Doc, "")), findings), i
			}
		}
		t.Fatalf("the dump has no %s", ec2)
		return "", 0
	}
	old, i := answer(before)
	want, _ := answer(after)
	if old == want {
		t.Fatalf("the edit does not change what %s refines to", ec2)
	}
	if _, pressed := p.items(); pressed == i {
		t.Fatalf("%s is shown already", ec2)
	}
	p.recordAnswers()
	n = eval[int](p, `whittleStats.refines`)
	// The edit refined, and the policy picked in the list still shown,
	// before the refinement's answer can come (one script).
	eval[bool](p, `(() => {
		WhittleEditor.editors["policy-input"].setText(`+jsString(after)+`);
		`+testid("refine-button")+`.click();
		document.querySelectorAll("[data-testid=policy-item]")[`+itoa(i)+`].click();
		return true;
	})()`)
	p.waitFor("the picked policy of the edited dump", `whittleStats.refines > `+itoa(n)+` && document.getElementById("status").textContent.startsWith("Refined")`)
	// Let a late answer arrive, if one were to be drawn.
	eval[bool](p, `new Promise(done => setTimeout(() => done(true), 500))`, chromedp.EvalAwaitPromise)
	answers := eval[[]string](p, `__answers.filter(a => a.startsWith("refine:") || a.startsWith("pick:"))`)
	if strings.Join(answers, " ") != "refine:answer pick:stale refine:answer" {
		t.Errorf("the worker answered %q, want the edit's refinement, the pick stale, and the refinement again", answers)
	}
	if got := eval[int](p, `whittleStats.refines`); got != n+1 {
		t.Errorf("refines %d → %d, want one result drawn", n, got)
	}
	if st := eval[string](p, `document.getElementById("status").textContent`); !strings.Contains(st, "in a Web Worker") {
		t.Errorf("status %q: the edited dump is refined in the engine's worker", st)
	}
	if msg := p.text("error"); msg != "" {
		t.Errorf("error %q", msg)
	}
	if _, pressed := p.items(); pressed != i {
		t.Errorf("after the stale pick: policy %d pressed, want %d (%s)", pressed, i, ec2)
	}
	switch got := p.text("refined-output"); got {
	case want:
	case old:
		t.Errorf("refined-output is %s's answer before the edit", ec2)
	default:
		t.Errorf("refined-output differs from the engine's answer for %s:\n%s\nwant\n%s", ec2, got, want)
	}
}

// view is what the page shows of a result: each output's text, what is
// hidden, and the state of the outputs (dimmed as stale or refining).
func (p *page) view() map[string]string {
	p.t.Helper()
	return eval[map[string]string](p, `(() => {
		const v = {};
		const el = (id) => document.getElementById(id);
		for (const id of ["action", "verification", "size", "warnings", "refined-output", "cli-command", "explanations",
			"diff-view", "trie-select", "trie-view", "step-text", "trie-inspector", "role-title", "policy-list",
			"role-warnings", "findings-info", "error", "verdict-line"]) v[id] = el(id).textContent;
		for (const id of ["role-view", "principal-label", "error-box", "size-compare", "cli-command"]) v[id + " hidden"] = String(el(id).hidden);
		v["outputs class"] = el("outputs").className;
		v["verification class"] = el("verification").className + " " + el("verification").getAttribute("data-exact");
		v["principal"] = el("principal-select").value;
		return v;
	})()`)
}

// nothingToDoDump is the role example's dump (or largeDump) with four
// roles first, none with anything to refine: MissingRole, whose one attached
// policy's document the dump lacks, EmptyRole, with no policy at all,
// DenyRole, whose policy only denies, and UntouchedRole, whose policy allows
// only what the role example's report does not say is unused.
func nothingToDoDump(t *testing.T, dump string) string {
	t.Helper()
	const at = `"RoleDetailList": [`
	if strings.Count(dump, at) != 1 {
		t.Fatalf("the dump has no one %s", at)
	}
	return strings.Replace(dump, at, at+`
		{"RoleName": "MissingRole", "Arn": "arn:aws:iam::123456789012:role/MissingRole", "RolePolicyList": [],
		 "AttachedManagedPolicies": [{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::123456789012:policy/Gone"}]},
		{"RoleName": "EmptyRole", "Arn": "arn:aws:iam::123456789012:role/EmptyRole", "RolePolicyList": [], "AttachedManagedPolicies": []},
		{"RoleName": "DenyRole", "Arn": "arn:aws:iam::123456789012:role/DenyRole", "AttachedManagedPolicies": [],
		 "RolePolicyList": [{"PolicyName": "DenyDeletes", "PolicyDocument": {"Version": "2012-10-17",
		   "Statement": [{"Effect": "Deny", "Action": ["s3:Delete*", "ec2:Terminate*"], "Resource": "*"}]}}]},
		{"RoleName": "UntouchedRole", "Arn": "arn:aws:iam::123456789012:role/UntouchedRole", "AttachedManagedPolicies": [],
		 "RolePolicyList": [{"PolicyName": "Tables", "PolicyDocument": {"Version": "2012-10-17",
		   "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "s3:GetObject"], "Resource": "*"}]}}]},`, 1)
}

// TestBrowserWorkerNothingToRefine pastes a principal's policies past the
// worker's threshold, after a large result, and picks in turn each principal
// with nothing to refine, as the engine answers natively: no step, and no
// policy with a document (a missing managed document, or no policy at all),
// or only policies to keep (NONE: a Deny, or nothing the report says is
// unused). The page shows, from the worker, what its main thread shows for
// the same principals in a small dump (the list, the warnings, a sentence
// saying why there is nothing to do), and nothing of the result before.
func TestBrowserWorkerNothingToRefine(t *testing.T) {
	p := open(t)
	p.selectExample("role-action-level")
	findings := eval[string](p, `WhittleEditor.editors["findings-input"].getText()`)
	small := nothingToDoDump(t, read(t, roleDir+"authorization-details.json"))
	large := nothingToDoDump(t, largeDump(t))
	if len(small)+len(findings) > 32768 || len(large)+len(findings) <= 32768 {
		t.Fatalf("the small dump and report are %d characters, the large %d: not each on its side of the worker's threshold",
			len(small)+len(findings), len(large)+len(findings))
	}
	const (
		orders    = "arn:aws:iam::123456789012:role/OrdersApiRole"
		missing   = "arn:aws:iam::123456789012:role/MissingRole"
		empty     = "arn:aws:iam::123456789012:role/EmptyRole"
		deny      = "arn:aws:iam::123456789012:role/DenyRole"
		untouched = "arn:aws:iam::123456789012:role/UntouchedRole"
		keep      = "NONE: nothing this policy allows is reported unused. Keep it as it is."
	)
	principals := []string{missing, empty, deny, untouched}
	// What the engine answers natively, and what the page says of it.
	action := map[string]string{
		missing:   "None of these policies has a document to refine: see the messages above.",
		empty:     "The role EmptyRole has no policies: there is nothing to refine.",
		deny:      keep,
		untouched: keep,
	}
	kept := map[string]string{} // the policy kept, as the page shows it
	for _, principal := range principals {
		rr, eerr := engine.RecommendationFromTexts(large, findings, "", engine.Options{Principal: principal})
		if eerr != nil {
			t.Fatal(eerr)
		}
		rec := engine.Recommend(rr, time.Now)
		if len(rec.RecommendedSteps) != 0 {
			t.Fatalf("%s: the engine recommends %d steps", principal, len(rec.RecommendedSteps))
		}
		for _, d := range rec.Whittle.Policies {
			switch {
			case d.Answer == nil:
			case d.Answer.RecommendedAction == engine.ActionNone && action[principal] == keep:
				kept[principal] = pretty(t, d)
			default:
				t.Fatalf("%s: the engine answers %s for %s", principal, d.Answer.RecommendedAction, d.ExistingPolicyID)
			}
		}
	}
	refine := func(what, dump string) {
		t.Helper()
		n := eval[int](p, `whittleStats.refines`)
		p.paste("policy-input", dump)
		eval[bool](p, testid("refine-button")+`.click() || true`)
		p.waitFor(what, `whittleStats.refines > `+itoa(n))
	}
	// Where the last result was made, as the status line said when it was
	// drawn (with AWS CLI commands shown, it says next that they are copied).
	eval[bool](p, `document.addEventListener("whittle-refined", () => window.__where = document.getElementById("status").textContent) || true`)
	where := func() string { return eval[string](p, `window.__where`) }

	// Each dump is refined with OrdersApiRole picked (a result with a
	// refined policy, a diff, tries, and its AWS CLI commands shown), then
	// each principal with nothing to refine picked; what the page shows of
	// them is noted.
	views := func(dump, made string) map[string]map[string]string {
		t.Helper()
		p.setSelect("principal-select", orders)
		refine("the dump", dump)
		if !strings.Contains(where(), made) {
			t.Fatalf("status %q: want the dump refined %s", where(), made)
		}
		if p.text("refined-output") == "" || p.text("diff-view") == "" || p.text("trie-view") == "" {
			t.Fatalf("OrdersApiRole's result (%s) shows no refined policy, diff or trie", where())
		}
		eval[bool](p, testid("copy-cli")+`.click() || true`)
		p.waitFor("the CLI commands", testid("cli-command")+`.hidden === false`)
		if !strings.Contains(p.text("cli-command"), "OrdersApiRole") {
			t.Fatalf("OrdersApiRole's AWS CLI commands: %q", p.text("cli-command"))
		}
		// OrdersApiRole's sizes by granularity shown too: they must go with it.
		eval[bool](p, testid("compare-sizes")+`.click() || true`)
		p.waitFor("the sizes compared", testid("size-compare")+`.hidden === false`)
		v := map[string]map[string]string{}
		for _, principal := range principals {
			p.setSelect("principal-select", principal)
			got := p.view()
			v[principal] = got
			if !strings.Contains(where(), made) {
				t.Errorf("status %q: want %s refined %s", where(), principal, made)
			}
			if got["principal"] != principal || got["action"] != action[principal] {
				t.Errorf("%s (%s): principal %q, action %q, want %q", principal, where(), got["principal"], got["action"], action[principal])
			}
			if got["size-compare hidden"] != "true" {
				t.Errorf("%s, refined %s: OrdersApiRole's sizes by granularity still shown: %q", principal, made, p.text("size-compare"))
			}
			// The commands shown are the principal's: nothing to run.
			if strings.Contains(got["cli-command"], "OrdersApiRole") || strings.Contains(got["cli-command"], "--role-name") {
				t.Errorf("%s, refined %s: the AWS CLI commands shown are OrdersApiRole's (stale): %.200q…", principal, made, got["cli-command"])
			}
			if got["refined-output"] != kept[principal] {
				t.Errorf("%s, refined %s: refined-output = %.300q, want %.300q", principal, made, got["refined-output"], kept[principal])
			}
			empty := []string{"explanations", "step-text", "trie-inspector", "warnings", "error"}
			if kept[principal] == "" {
				empty = append(empty, "diff-view", "size")
			}
			for _, id := range empty {
				if got[id] != "" {
					t.Errorf("%s, refined %s: %s shows %.300q, want nothing", principal, made, id, got[id])
				}
			}
		}
		return v
	}
	onPage := views(small, "in this page")
	inWorker := views(large, "in a Web Worker")
	for _, principal := range principals {
		want, got := onPage[principal], inWorker[principal]
		for k := range want {
			if got[k] != want[k] {
				t.Errorf("%s of the large dump: %s = %.300q, want %.300q (as the page's main thread shows it)", principal, k, got[k], want[k])
			}
		}
	}
}
