//go:build js && wasm

package main

import (
	"strconv"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"whittle/engine"
	"whittle/wasm/playground/awscli"
	"whittle/wasm/playground/describe"
)

// roleView is the list of a principal's policies, shown when the policy editor
// holds several (an authorization-details dump, or the recommendation
// request's list): each with its kind, verdict and size; picking one shows its
// refined policy, diff, explanations and trie below, as for a lone policy.
type roleView struct {
	a         *app
	box       js.Value // #role-view
	picker    js.Value // #principal-select
	list      js.Value // #policy-list
	notes     js.Value // #role-warnings
	rr        *engine.RecommendationRequest
	rec       *engine.Recommendation // nil when the input is one policy
	selected  int                    // the policy shown
	principal string                 // picked in the picker; "" for the first
	note      string                 // said above the principal's warnings
	pickerKey string                 // the principals the picker lists
	// When the engine's worker refined the principal's policies (a large
	// input: rr is nil, rec only what the list draws): the worker's
	// sequence number of that refinement, and the texts of the copy and
	// download buttons, as the worker wrote them.
	remoteSeq        int
	cliText, recJSON js.Value
}

func (r *roleView) init(a *app) {
	r.a = a
	r.box = a.byID("role-view").Underlying()
	r.picker = a.byID("principal-select").Underlying()
	r.list = a.byID("policy-list").Underlying()
	r.notes = a.byID("role-warnings").Underlying()
	r.picker.Call("addEventListener", "change", js.FuncOf(func(js.Value, []js.Value) any {
		r.principal = r.picker.Get("value").String()
		a.refine()
		return nil
	}))
	r.list.Call("addEventListener", "click", js.FuncOf(func(_ js.Value, args []js.Value) any {
		el := args[0].Get("target").Call("closest", "[data-index]")
		if el.Truthy() {
			if i, err := strconv.Atoi(el.Call("getAttribute", "data-index").String()); err == nil {
				r.pick(i)
			}
		}
		return nil
	}))
}

// active reports whether the last result is a principal's.
func (r *roleView) active() bool { return r.rec != nil }

// hide leaves the role view: the input is one policy.
func (r *roleView) hide() {
	r.rec, r.rr = nil, nil
	r.cliText, r.recJSON = js.Undefined(), js.Undefined()
	r.box.Call("setAttribute", "hidden", "")
}

// show lists the policies of rec and returns the one to show: the one shown
// before if it is still there (by id), else the first refined one; -1 when
// none has a document.
func (r *roleView) show(rr *engine.RecommendationRequest, rec *engine.Recommendation) int {
	before := r.shownID()
	pick := -1
	for i, d := range rec.Whittle.Policies {
		if d.Answer == nil {
			continue
		}
		if pick < 0 {
			pick = i
		}
		if d.ExistingPolicyID == before {
			pick = i
			break
		}
	}
	r.present(rec, pick)
	r.rr = rr
	r.cliText, r.recJSON = js.Undefined(), js.Undefined()
	return pick
}

// shownID is the id of the policy shown, or "".
func (r *roleView) shownID() string {
	if r.rec != nil && r.selected >= 0 && r.selected < len(r.rec.Whittle.Policies) {
		return r.rec.Whittle.Policies[r.selected].ExistingPolicyID
	}
	return ""
}

// showRemote lists the policies of a recommendation the engine's worker
// made (its refinement seq): rec as the worker summed it up, pick the policy
// it sent the parts of, cli and recJSON the texts of the copy and download
// buttons.
func (r *roleView) showRemote(rec *engine.Recommendation, pick, seq int, cli, recJSON js.Value) {
	r.present(rec, pick)
	r.rr, r.remoteSeq, r.cliText, r.recJSON = nil, seq, cli, recJSON
}

// present shows the role view of rec, policy pick pressed.
func (r *roleView) present(rec *engine.Recommendation, pick int) {
	r.rec = rec
	r.box.Call("removeAttribute", "hidden")
	w := &rec.Whittle
	// The picker, when a dump holds more than one principal.
	key := ""
	for _, p := range w.Principals {
		key += p.Kind + " " + p.Name + "\x00"
	}
	if key != r.pickerKey {
		r.pickerKey = key
		empty(r.picker)
		for _, p := range w.Principals {
			value := p.Arn
			if value == "" {
				value = p.Name
			}
			r.picker.Call("appendChild", textEl("option", p.Kind+" "+p.Name, "value", value))
		}
	}
	r.a.byID("principal-label").Underlying().Set("hidden", len(w.Principals) < 2)
	if p := w.Principal; p != nil {
		value := p.Arn
		if value == "" {
			value = p.Name
		}
		r.picker.Set("value", value)
	}
	r.selected = pick
	r.draw()
	empty(r.notes)
	if r.note != "" {
		r.notes.Call("appendChild", textEl("li", r.note))
	}
	for _, wn := range w.Warnings {
		r.notes.Call("appendChild", textEl("li", wn.Code+": "+wn.Message))
	}
}

// draw writes the list of policies, the shown one pressed.
func (r *roleView) draw() {
	w := &r.rec.Whittle
	head := "Policies of "
	if p := w.Principal; p != nil {
		head += p.Kind + " " + p.Name
	} else {
		head += "the list"
	}
	r.a.byID("role-title").SetTextContent(head + " (" + describe.Count(len(w.Policies), "policy", "policies") + ", " +
		describe.Count(len(r.rec.RecommendedSteps), "step", "steps") + " in AWS's recommendation)")
	vs := make([]*vnode, 0, len(w.Policies))
	for i := range w.Policies {
		d := &w.Policies[i]
		b := newV("button", "type", "button", "class", "policy-item", "data-testid", "policy-item", "data-index", itoa(i),
			"aria-pressed", strconv.FormatBool(i == r.selected))
		if d.Answer == nil {
			b.attr("disabled", "")
		}
		for _, part := range []struct{ class, text string }{
			{"name", describe.PolicyName(d)}, {"kind", d.Kind}, {"verdict", describe.Verdict(d)}, {"sizes", describe.Size(d)},
		} {
			s := newV("span", "class", part.class)
			s.text = part.text
			b.add(s)
		}
		li := newV("li")
		li.add(b)
		vs = append(vs, li)
	}
	empty(r.list)
	build(r.list, "", vs...)
}

// pick shows policy i of the principal, without refining again.
func (r *roleView) pick(i int) {
	if r.rec == nil || i < 0 || i >= len(r.rec.Whittle.Policies) || r.rec.Whittle.Policies[i].Answer == nil {
		return
	}
	r.selected = i
	r.draw()
	if r.rr == nil {
		go r.a.pickRemote(i) // the engine's worker holds the policies
		return
	}
	r.a.showPolicy(i)
}

// document is the text of policy i as the diff and the editor see it, and
// its offset in the policy editor's text (-1 when the input gave it as a
// string, URL-encoded or not: then it is written out).
func (r *roleView) document(text string, i int) (string, int) {
	in := &r.rr.Set.Policies[i]
	if in.Offset >= 0 && in.Policy.Doc.End <= len(text) {
		return text[in.Offset:in.Policy.Doc.End], in.Offset
	}
	return string(engine.AppendJSON(nil, in.Policy.Doc, "")), -1
}

// cli is the whole recommendation as AWS CLI commands.
func (r *roleView) cli() string {
	if r.rr == nil {
		return r.cliText.String()
	}
	return awscli.Recommendation(r.rec)
}

// recommendationJSON is the answer as POST /api/v1/recommendation gives it.
func (r *roleView) recommendationJSON() []byte {
	if r.rr == nil {
		return []byte(r.recJSON.String())
	}
	return r.rec.JSON()
}

// clock gives the recommendation's times.
func clock() time.Time { return time.Now() }

// showPolicy shows policy i of the principal of the last refinement.
func (a *app) showPolicy(i int) {
	a.req = a.role.rr.Request(i)
	a.docText, a.docBase = a.role.document(a.policyText, i)
	a.render(a.docText, a.role.rec.Whittle.Policies[i].Answer)
}

// showFindings says under the findings editor how they were read: fi, for
// findings f.
func (a *app) showFindings(fi engine.FindingsInfo, f *engine.Findings) {
	a.byID("findings-info").SetTextContent(describe.Findings(fi, len(f.Actions), len(f.Services)))
}

// renderNothing clears the result, saying why there is none.
func (a *app) renderNothing(why string) {
	a.last = nil
	a.byID("action").SetTextContent(why)
	a.verdictLine(why)
	for _, id := range []string{"verification", "size", "warnings", "refined-output", "explanations", "diff-view"} {
		clear(a.byID(id))
	}
	a.byID("size-compare").SetAttribute("hidden", "") // the sizes were the last result's (render hides them too)
	a.diffKey = ""
	a.trie.render(nil)
	if box := a.byID("cli-command"); !box.HasAttribute("hidden") {
		a.showCLI() // the commands shown are this input's, as after a result (drawSummary)
	}
}

// introKey is the localStorage key that says the first-visit note was dismissed.
const introKey = "whittle.intro.dismissed"

// intro shows the first-visit note unless it was dismissed before (storage
// may be refused: then it shows, and dismissing it hides it for the page).
func (a *app) intro() {
	box := a.byID("intro")
	store := js.Global().Get("localStorage")
	seen := false
	func() {
		defer func() { _ = recover() }() // storage refused (a sandboxed page)
		seen = store.Truthy() && store.Call("getItem", introKey).Truthy()
	}()
	if !seen {
		box.RemoveAttribute("hidden")
	}
	a.byID("intro-close").AddEventListener("click", false, func(dom.Event) {
		box.SetAttribute("hidden", "")
		func() {
			defer func() { _ = recover() }()
			store.Call("setItem", introKey, "1")
		}()
	})
}
