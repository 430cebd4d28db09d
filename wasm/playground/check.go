//go:build js && wasm

package main

import (
	"encoding/json"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"whittle/engine"
	"whittle/wasm/playground/describe"
)

// checkView checks a candidate — the user's edit of the refined policy, or
// AWS's recommendation pasted — against the policy and findings of the
// editors, with the engine's independent verifier (engine.Session.Check), on
// every edit; it says each issue in a sentence, each named action a link to
// the trie that holds it.
type checkView struct {
	a       *app
	editor  *editor
	verdict js.Value
	timer   js.Value
	run     js.Func
	hide    js.Value // the "hide the answer" checkbox
	exact   bool     // the last check found every candidate exact
	seq     int      // the newest check asked for
}

func (c *checkView) init(a *app) {
	c.a = a
	c.verdict = a.byID("check-verdict").Underlying()
	c.hide = a.byID("hide-answer").Underlying()
	c.run = js.FuncOf(func(js.Value, []js.Value) any { c.check(); return nil })
	c.editor = newEditor(a.byID("candidate-editor"), "candidate-input", "Candidate policy JSON",
		"A policy to check: edit a copy of the refined one, or paste AWS's get-finding-recommendation output", c.changed, c.check)
	a.byID("check-start").AddEventListener("click", false, func(dom.Event) {
		if a.last != nil && a.last.refined != "" {
			c.editor.SetText(a.last.refined)
			c.check()
		}
	})
	c.hide.Call("addEventListener", "change", js.FuncOf(func(js.Value, []js.Value) any { c.showAnswer(); return nil }))
	c.verdict.Call("addEventListener", "click", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if el := args[0].Get("target").Call("closest", "[data-action]"); el.Truthy() {
			go a.trie.showAction(el.Call("getAttribute", "data-action").String())
		}
		return nil
	}))
}

// changed re-checks after typing pauses, as the other editors refine.
func (c *checkView) changed() {
	g := js.Global()
	if !c.timer.IsUndefined() && !c.timer.IsNull() {
		g.Call("clearTimeout", c.timer)
	}
	c.timer = g.Call("setTimeout", c.run, debounceMS)
}

// check checks the candidate against the editors' policy and findings: a
// large input in the engine's worker (see largeInput), whose verdict is
// shown unless a newer check was asked for meanwhile.
func (c *checkView) check() {
	t0 := now()
	c.seq++
	text := c.editor.Text()
	if strings.TrimSpace(text) == "" {
		c.show(t0, text, nil, nil)
		return
	}
	a := c.a
	policy, findings := a.policy.Text(), a.findings.Text()
	if strings.TrimSpace(findings) == "" {
		findings = "[]"
	}
	catalog := a.catalog.Text()
	if strings.TrimSpace(catalog) == "" {
		catalog = ""
	}
	opt := engine.Options{Granularity: a.granularitySel.Value(), Principal: a.role.principal, UnusedAccessAge: a.age()}
	if large(policy, findings, catalog, text) {
		seq := c.seq
		go func() {
			ans, err := ask("check", &remoteIn{Options: opt, Policy: policy, Findings: findings, Catalog: catalog, Candidate: text})
			if seq != c.seq {
				return
			}
			var out checkOut
			if err == nil {
				err = json.Unmarshal([]byte(ans.text(0)), &out)
			}
			if err != nil {
				out.Error = &engine.Error{Code: "internal", Message: err.Error()}
			}
			c.show(t0, text, out.Response, out.Error)
		}()
		return
	}
	req, err := engine.CheckFromTexts(policy, findings, catalog, text, opt)
	var resp *engine.CheckResponse
	if err == nil {
		resp = a.sess.Check(req)
	}
	c.show(t0, text, resp, err)
}

// show draws the verdict of a check of text begun at t0: resp, or err.
func (c *checkView) show(t0 float64, text string, resp *engine.CheckResponse, err *engine.Error) {
	defer func() {
		if st := js.Global().Get("whittleStats"); st.Truthy() {
			n := 0
			if v := st.Get("checks"); v.Type() == js.TypeNumber {
				n = v.Int()
			}
			st.Set("checks", n+1)
			st.Set("lastCheckMs", now()-t0)
		}
	}()
	empty(c.verdict)
	c.editor.ClearError()
	if strings.TrimSpace(text) == "" {
		c.exact = false
		c.showAnswer()
		return
	}
	a := c.a
	if err != nil {
		c.verdict.Call("appendChild", textEl("p", "Not checked: "+err.Error(), "class", "badge bad", "data-exact", "false"))
		if err.Field == "candidate" {
			line, col := err.Line, err.Column
			if line == 0 {
				line, col = 1, 1
			}
			c.editor.SetError(line, col, err.Message)
		}
		c.exact = false
		c.showAnswer()
		return
	}
	c.exact = len(resp.Checks) > 0
	frag := jsDocument.Call("createDocumentFragment")
	for i := range resp.Checks {
		pc := &resp.Checks[i]
		c.exact = c.exact && pc.Verdict == engine.VerdictExact
		if len(resp.Checks) > 1 {
			frag.Call("appendChild", textEl("h3", pc.ExistingPolicyID+" ("+pc.CandidateAction+")"))
		}
		verdict, sentences := describe.Check(pc)
		class := "badge bad"
		if pc.Verdict == engine.VerdictExact {
			class = "badge ok"
		}
		frag.Call("appendChild", textEl("p", verdict, "class", class, "data-testid", "check-badge", "data-exact", boolText(pc.Verdict == engine.VerdictExact)))
		if len(sentences) == 0 {
			continue
		}
		ul := newEl("ul")
		for _, s := range sentences {
			li := newEl("li")
			for _, part := range s {
				if part.Action != "" && a.trie.holds(part.Action) {
					li.Call("appendChild", textEl("button", part.Text, "type", "button", "class", "small action",
						"data-action", part.Action, "title", "Show it in the trie"))
				} else {
					li.Call("appendChild", jsDocument.Call("createTextNode", part.Text))
				}
			}
			ul.Call("appendChild", li)
		}
		frag.Call("appendChild", ul)
	}
	c.verdict.Call("appendChild", frag)
	c.showAnswer()

}

// showAnswer hides Whittle's answer in exercise mode until the candidate is exact.
func (c *checkView) showAnswer() {
	hidden := c.hide.Get("checked").Bool() && !c.exact
	if hidden {
		c.a.outputs.Class().Add("hide-answer")
	} else {
		c.a.outputs.Class().Remove("hide-answer")
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
