//go:build js && wasm

// Command playground is the browser side of the Whittle playground
// (index.html): it reads the editors, calls the engine in-process
// (engine.RecommendationFromTexts, then an engine.Session's Respond or
// Recommend, and Check for the check pane: what the API's routes answer) and
// renders the result, the diff and the tries. All refinement logic lives in package engine;
// this package only moves text between the engine and the DOM, always as text
// (textContent, text nodes), never as HTML.
package main

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"whittle/engine"
	"whittle/wasm/playground/describe"
	"whittle/wasm/playground/examples"
)

// debounceMS is how long typing must pause before a live refinement: long
// enough not to refine on every keystroke, short enough to feel immediate.
const debounceMS = 250

// example is one entry of web/examples/index.json (see package examples).
type example = examples.Example

type app struct {
	doc                        dom.Document
	policy, findings, catalog  *editor
	status, errBox, outputs    dom.Element
	errText, errGotoBtn        dom.Element
	errGoto                    func() // puts the cursor at the refused input's place
	exampleSel, granularitySel *dom.HTMLSelectElement
	timer                      js.Value // pending debounce timeout id
	debounced                  js.Func
	loading                    bool // editors being filled by an example: no live refine
	last                       *result
	req                        *engine.Request // the request of the last result, for the tries and the inspector
	sess                       engine.Session  // what refinements of this page share (see engine.Session)
	examples                   []example
	refines                    int
	trie                       trieView
	breakdown                  string
	selected                   int                           // the change picked in the explanations, or -1
	explained                  int                           // how many changes of the last result are explained
	diffKey                    string                        // the two documents of the diff on screen
	original                   struct{ text, pretty string } // see prettyOriginal
	role                       roleView
	check                      checkView
	ageInput                   js.Value      // days of a last-accessed report's window
	policyText                 string        // the policy editor's text of the last result
	docText                    string        // the text of the document shown (all of policyText for a lone policy)
	docBase                    int           // doc's offset in policyText; -1 when written out (a document given as a string)
	seq                        int           // the newest refinement asked for: older answers are not drawn
	remote                     *remoteResult // the last result, when the engine's worker made it (see remote.go)
}

func (a *app) mark(what string, ms float64) { a.breakdown += what + "=" + formatMS(ms) + " " }

func now() float64 { return js.Global().Get("performance").Call("now").Float() }

// result is the last good refinement, kept while the input is broken.
type result struct {
	resp    engine.Response
	refined string   // the refined policy laid out by the engine (PrettyPolicy), as shown and copied
	compact string   // the refined policy as the engine answers it, compact ("" when detached)
	drawn   js.Value // refined in chunks, as the engine's worker describes them (vnodes), or undefined
}

func main() {
	if !js.Global().Get("document").Truthy() {
		serveEngine() // in the engine's Web Worker (engineside.go)
		return
	}
	if st := js.Global().Get("whittleStats"); st.Truthy() {
		st.Set("mainMs", now())
	}
	a := &app{doc: dom.GetWindow().Document()}
	a.status = a.byID("status")
	a.errBox = a.byID("error-box")
	a.errText = a.byID("error")
	a.errGotoBtn = a.byID("error-goto")
	a.errGotoBtn.AddEventListener("click", false, func(dom.Event) {
		if a.errGoto != nil {
			a.errGoto()
		}
	})
	a.intro()
	a.byID("size").AddEventListener("click", false, func(ev dom.Event) {
		if ev.Target().Underlying().Call("closest", "[data-testid=compare-sizes]").Truthy() {
			go a.compareSizes()
		}
	})
	a.outputs = a.byID("outputs")
	a.exampleSel = a.byID("example-select").(*dom.HTMLSelectElement)
	a.granularitySel = a.byID("granularity-select").(*dom.HTMLSelectElement)
	a.trie.init(a)
	a.role.init(a)
	a.check.init(a)
	a.ageInput = a.byID("age-input").Underlying()
	a.ageInput.Call("addEventListener", "change", js.FuncOf(func(js.Value, []js.Value) any { a.refine(); return nil }))
	a.debounced = js.FuncOf(func(js.Value, []js.Value) any { a.refine(); return nil })

	a.policy = newEditor(a.byID("policy-editor"), "policy-input", "Policy JSON", "Paste an IAM policy document", a.changed, a.refine)
	a.findings = newEditor(a.byID("findings-editor"), "findings-input", "Unused permissions JSON",
		"Unused permissions: Access Analyzer findings, or [\"s3:GetObject\", ...]", a.changed, a.refine)
	a.catalog = newEditor(a.byID("catalog-editor"), "catalog-input", "Catalog overlay JSON",
		"Empty: the built-in catalog. Or {\"s3\": [\"GetObject\", ...]} to replace services", a.changed, a.refine)
	a.showCatalogInfo()

	a.byID("refine-button").AddEventListener("click", false, func(dom.Event) { a.refine() })
	a.granularitySel.AddEventListener("change", false, func(dom.Event) { a.refine() })
	a.exampleSel.AddEventListener("change", false, func(dom.Event) {
		go a.loadExample(a.exampleSel.Value())
	})
	for name, ed := range map[string]*editor{"policy": a.policy, "findings": a.findings, "catalog": a.catalog} {
		a.byID("format-"+name).AddEventListener("click", false, func(dom.Event) { a.format(ed) })
	}
	a.byID("copy-button").AddEventListener("click", false, func(dom.Event) { a.copy() })
	a.byID("copy-cli").AddEventListener("click", false, func(dom.Event) { a.copyCLI() })
	// A change is picked from its explanation, or from its lines in the diff.
	pick := func(ev dom.Event) {
		el := ev.Target().Underlying().Call("closest", "[data-change]")
		if el.Truthy() {
			if i, err := strconv.Atoi(el.Call("getAttribute", "data-change").String()); err == nil {
				go a.selectChange(i) // its trie may come from the engine's worker
			}
		}
	}
	a.byID("explanations").AddEventListener("click", false, func(ev dom.Event) {
		if ev.Target().Underlying().Call("closest", "[data-more]").Truthy() {
			a.explainUpTo(a.explained + moreExplained)
			return
		}
		pick(ev)
	})
	a.byID("diff-view").AddEventListener("click", false, pick)
	a.byID("download-button").AddEventListener("click", false, func(dom.Event) { a.download() })

	err := a.loadExamples()
	if st := js.Global().Get("whittleStats"); st.Truthy() {
		st.Set("examplesMs", now())
	}
	a.byID("share-button").AddEventListener("click", false, func(dom.Event) { go a.share() })
	js.Global().Call("addEventListener", "hashchange", js.FuncOf(func(js.Value, []js.Value) any {
		go a.restore(js.Global().Get("location").Get("hash").String())
		return nil
	}))
	if err != nil {
		a.status.SetTextContent("Could not load the examples: " + err.Error())
	}
	if !a.restore(js.Global().Get("location").Get("hash").String()) && len(a.examples) > 0 {
		a.loadExample(a.examples[0].ID)
	}
	select {} // keep the callbacks alive
}

func (a *app) byID(id string) dom.Element {
	el := a.doc.GetElementByID(id)
	if el == nil {
		panic("index.html has no element #" + id)
	}
	return el
}

// changed is called on every edit: it (re)starts the debounce timer.
func (a *app) changed() {
	if a.loading {
		return
	}
	g := js.Global()
	if !a.timer.IsUndefined() && !a.timer.IsNull() {
		g.Call("clearTimeout", a.timer)
	}
	a.timer = g.Call("setTimeout", a.debounced, debounceMS)
}

func (a *app) showCatalogInfo() {
	var info engine.CatalogInfo
	_ = json.Unmarshal(engine.HandleCatalog(), &info)
	text := "Leave empty to use the built-in catalog"
	if info.Source != "" {
		text += ": " + info.Source
		if info.Version != "" {
			text += " " + info.Version
		}
		text += ", actions as of " + info.Date + " (" + itoa(info.Services) + " services, " + itoa(info.Actions) + " actions)"
	}
	text += ". Services listed here replace the built-in ones."
	a.byID("catalog-info").SetTextContent(text)
}

// refine runs the engine on the editors' texts and renders the answer: a
// small input in the page's own session at once, a large one in the engine's
// Web Worker (see largeInput), drawn when its answer comes unless a newer
// refinement was asked for meanwhile.
func (a *app) refine() {
	t0 := now()
	a.refineTexts(t0, a.policy.Text(), a.findings.Text(), a.catalog.Text())
}

// refineTexts is refine of the texts given (the editors', or an example's
// being put into them), begun at t0.
func (a *app) refineTexts(t0 float64, policy, findings, catalog string) {
	if !a.timer.IsUndefined() && !a.timer.IsNull() {
		js.Global().Call("clearTimeout", a.timer) // this refinement makes a pending one moot
		a.timer = js.Null()
	}
	a.seq++
	a.outputs.Class().Remove("refining")
	if strings.TrimSpace(findings) == "" {
		findings = "[]"
	}
	if strings.TrimSpace(catalog) == "" {
		catalog = ""
	}
	if strings.TrimSpace(policy) == "" {
		a.showError(&engine.Error{Code: engine.CodeInvalidPolicy, Field: "policy", Message: "the policy is empty: paste an IAM policy document"})
		return
	}
	opt := engine.Options{Granularity: a.granularitySel.Value(), UnusedAccessAge: a.age(), Principal: a.role.principal} // tries: one at a time, see trieView
	if large(policy, findings, catalog) {
		go a.refineRemote(a.seq, t0, policy, findings, catalog, opt)
		return
	}
	a.refineLocal(t0, policy, findings, catalog, opt)
}

// refineLocal refines in the page's own session and draws the answer.
func (a *app) refineLocal(t0 float64, policy, findings, catalog string, opt engine.Options) {
	tm := now()
	// RecommendationFromTexts and Respond are what engine.HandleRefine (one
	// policy) or engine.HandleRecommendation (a principal's policies) do with
	// the texts as JSON strings, minus writing and reading that body and the
	// JSON answer, which the page would only decode again. The session reuses
	// what the last refinement computed (see engine.Session): an edit costs
	// what it changes.
	rr, eerr := engine.RecommendationFromTexts(policy, findings, catalog, opt)
	a.role.note = ""
	if eerr != nil && eerr.Field == "options" && eerr.Path == "principal" {
		// The principal picked is not in the new input: show its first one.
		a.role.note = "The " + opt.Principal + " picked before is not in this input: showing its first principal."
		a.role.principal, opt.Principal = "", ""
		rr, eerr = engine.RecommendationFromTexts(policy, findings, catalog, opt)
	}
	if eerr != nil {
		a.showError(eerr)
		return
	}
	a.remote = nil
	a.policyText = policy
	var resp *engine.Response
	if rr.Set.Form == engine.InputPolicy {
		a.role.hide()
		a.req = rr.Request(0)
		a.docText, a.docBase = policy, 0
		resp = a.sess.Respond(a.req)
	} else {
		rec := a.sess.Recommend(rr, clock)
		if i := a.role.show(rr, rec); i >= 0 {
			a.req = rr.Request(i)
			a.docText, a.docBase = a.role.document(policy, i)
			resp = rec.Whittle.Policies[i].Answer
		}
	}
	switch {
	case a.role.active():
		a.showFindings(a.role.rec.Whittle.Findings, rr.Findings)
	case resp != nil:
		a.showFindings(resp.Findings, rr.Findings)
	}
	t1 := now()
	a.mark("read", tm-t0)
	a.mark("engine", t1-tm)
	a.clearError()
	if resp != nil {
		a.render(a.docText, resp)
	} else {
		a.renderNothing(describe.NothingToRefine(a.role.rec))
	}
	a.check.check() // the candidate, against what was just refined
	a.finish(t0, t1, "in this page with WebAssembly")
}

// showError shows a refusal of the input above the last good result (kept,
// dimmed), with a button that puts the cursor at its place, and marks the
// place in the editor (its message as the mark's tooltip).
func (a *app) showError(e *engine.Error) {
	msg := e.Error()
	if e.Path != "" && !strings.Contains(msg, e.Path) {
		msg += " (at " + e.Path + ")"
	}
	if a.last != nil {
		msg += "\nThe result below is the last one that worked."
	}
	a.setError(msg)
	a.outputs.Class().Add("stale")
	for _, ed := range []*editor{a.policy, a.findings, a.catalog} {
		ed.ClearError()
	}
	var ed *editor
	name := e.Field
	switch e.Field {
	case "policy", "policies":
		ed, name = a.policy, "policy"
	case "findings":
		ed = a.findings
	case "catalog":
		ed = a.catalog
	}
	if ed != nil {
		line, col := e.Line, e.Column
		if line == 0 {
			line, col = 1, 1
		}
		ed.SetError(line, col, e.Message)
		a.errGoto = func() { ed.Select(line, col, line, col); ed.Focus() }
		a.errGotoBtn.SetTextContent("Go to line " + itoa(line) + ", column " + itoa(col) + " of the " + name)
		a.errGotoBtn.RemoveAttribute("hidden")
	}
	a.status.SetTextContent("Input refused: " + e.Code + " (the message is above the result)")
	a.verdictLine("Input refused: " + e.Error())
}

// setError shows msg in the error box; "" hides it.
func (a *app) setError(msg string) {
	a.errText.SetTextContent(msg)
	a.errGotoBtn.SetAttribute("hidden", "")
	a.errGoto = nil
	if msg == "" {
		a.errText.SetAttribute("hidden", "")
		a.errBox.SetAttribute("hidden", "")
		return
	}
	a.errText.RemoveAttribute("hidden")
	a.errBox.RemoveAttribute("hidden")
}

// age is the days of a last-accessed report's window, as the page says.
func (a *app) age() int {
	n, _ := strconv.Atoi(a.ageInput.Get("value").String())
	return n
}

// verdictLine sets the one-line verdict kept in view on narrow screens.
func (a *app) verdictLine(text string) { a.byID("verdict-line").SetTextContent(text) }

func (a *app) clearError() {
	a.setError("")
	a.outputs.Class().Remove("stale")
	for _, ed := range []*editor{a.policy, a.findings, a.catalog} {
		ed.ClearError()
	}
}

// format rewrites an editor's text pretty-printed, keeping key order; broken
// JSON is left as it is and its error shown.
func (a *app) format(ed *editor) {
	text := ed.Text()
	if strings.TrimSpace(text) == "" {
		return
	}
	pretty, err := engine.Pretty([]byte(text))
	if err != nil {
		a.setError("Format: the text is not valid JSON yet (" + err.Error() + ")")
		return
	}
	ed.SetText(string(pretty))
}

func (a *app) copy() {
	if a.last == nil {
		return
	}
	a.copyText(a.last.refined, "Refined policy copied")
}

func (a *app) download() {
	if a.role.active() {
		a.save(string(a.role.recommendationJSON()), "recommendation.json")
		return
	}
	if a.last == nil || a.last.resp.RecommendedAction == engine.ActionDetach {
		return
	}
	a.save(a.last.refined, "refined-policy.json")
}

// save offers text as a file download named name.
func (a *app) save(text, name string) {
	g := js.Global()
	parts := g.Get("Array").New(text)
	opts := g.Get("Object").New()
	opts.Set("type", "application/json")
	blob := g.Get("Blob").New(parts, opts)
	url := g.Get("URL").Call("createObjectURL", blob)
	link := a.doc.CreateElement("a")
	link.SetAttribute("href", url.String())
	link.SetAttribute("download", name)
	link.(dom.HTMLElement).Click()
	g.Get("URL").Call("revokeObjectURL", url)
}

// loadExamples reads web/examples/index.json and fills the examples menu.
func (a *app) loadExamples() error {
	text, err := fetchText("web/examples/index.json")
	if err != nil {
		return err
	}
	if a.examples, err = examples.Parse([]byte(text)); err != nil {
		return err
	}
	for _, ex := range a.examples {
		opt := a.doc.CreateElement("option")
		opt.SetAttribute("value", ex.ID)
		opt.SetTextContent(ex.Title)
		a.exampleSel.AppendChild(opt)
	}
	return nil
}

// loadExample fills the editors with an example and refines it. It blocks on
// fetches: call it from main or a new goroutine, never from a callback directly.
func (a *app) loadExample(id string) {
	var ex *example
	for i := range a.examples {
		if a.examples[i].ID == id {
			ex = &a.examples[i]
		}
	}
	if ex == nil {
		return
	}
	texts := make([]string, 4)
	for i, name := range []string{ex.Files.Policy, ex.Files.Findings, ex.Files.Catalog, ex.Files.Candidate} {
		if name == "" {
			continue
		}
		t, err := fetchText("web/examples/" + name)
		if err != nil {
			a.status.SetTextContent("Could not load example " + ex.ID + ": " + err.Error())
			return
		}
		texts[i] = t
	}
	a.exampleSel.SetValue(ex.ID)
	mark("fetched")
	if large(texts[0], texts[1], texts[2]) {
		// A large example is refined in the engine's worker while the page
		// fills the editors, a large text a task of its own (CodeMirror
		// takes tens of milliseconds for ReadOnlyAccess's). The small ones
		// come first, so that what the answer's drawing reads (the
		// candidate to check) is in place before the answer can come.
		a.loading = true
		a.catalog.SetText(texts[2])
		a.check.editor.SetText(texts[3])
		a.loading = false
		a.refineTexts(now(), texts[0], texts[1], texts[2])
		for i, ed := range []*editor{a.policy, a.findings} {
			yield()
			a.loading = true
			ed.SetText(texts[i])
			a.loading = false
		}
		mark("editors")
		return
	}
	a.loading = true
	a.policy.SetText(texts[0])
	a.findings.SetText(texts[1])
	a.catalog.SetText(texts[2])
	a.check.editor.SetText(texts[3])
	a.loading = false
	mark("editors")
	a.refine()
}

// fetchText GETs a file of the page's origin, or takes it from what web/app.js
// prefetched. It blocks until the answer.
func fetchText(url string) (string, error) {
	if pre := js.Global().Get("whittlePrefetch"); pre.Truthy() {
		if p := pre.Get(url); p.Truthy() {
			pre.Delete(url)
			text, err := await(p)
			if err != nil {
				return "", err
			}
			return text.String(), nil
		}
	}
	resp, err := await(js.Global().Call("fetch", url))
	if err != nil {
		return "", err
	}
	if !resp.Get("ok").Bool() {
		return "", errors.New(url + ": " + resp.Get("status").String())
	}
	text, err := await(resp.Call("text"))
	if err != nil {
		return "", err
	}
	return text.String(), nil
}

// await waits for a JS promise.
func await(p js.Value) (js.Value, error) {
	type outcome struct {
		v   js.Value
		err error
	}
	ch := make(chan outcome, 1)
	var ok, fail js.Func
	ok = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- outcome{v: args[0]}
		return nil
	})
	fail = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- outcome{err: errors.New(args[0].Call("toString").String())}
		return nil
	})
	p.Call("then", ok, fail)
	o := <-ch
	ok.Release()
	fail.Release()
	return o.v, o.err
}
