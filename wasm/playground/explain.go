//go:build js && wasm

package main

import (
	"strconv"
	"syscall/js"

	"whittle/engine"
	"whittle/wasm/playground/awscli"
	"whittle/wasm/playground/describe"
)

// firstExplained is how many changes are explained at first; a button then
// explains moreExplained more at a time. Every change can be picked out in the
// diff, which shows them all; picking one not explained yet explains it.
const (
	firstExplained = 40
	moreExplained  = 200
)

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
		if c.Kind != engine.ChangeExcluded {
			btn.Call("appendChild", textEl("code", c.Pattern))
		}
		btn.Call("appendChild", jsDocument.Call("createTextNode", describe.Change(c)))
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
	// The pattern's place in the editor, which may hold a principal's
	// policies around it, as the engine read it (not when the document was
	// given as a string: its places are the string's).
	if text := a.policy.Text(); a.docBase >= 0 && text == a.policyText {
		last := a.last
		if sp, ok := a.locateChange(text, c); ok && a.last == last && a.selected == i && a.policy.Text() == text {
			a.policy.Select(sp.FromLine, sp.FromColumn, sp.ToLine, sp.ToColumn)
		}
	}
	for k, tr := range a.trie.tries {
		if tr.Path == c.Path {
			a.trie.show(k)
			break
		}
	}
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
	if cmd, done := a.showCLI(); cmd != "" {
		a.copyText(cmd, done)
	}
}

// showCLI writes the commands copyCLI copies into their box and shows it, and
// returns them ("" when there are none) with what copying them says. A new
// result calls it while the box is open: the commands shown follow the result,
// but only a click copies them (the clipboard is the user's, and the status
// line keeps saying where the result was made).
func (a *app) showCLI() (cmd, done string) {
	box := a.byID("cli-command")
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
	return cmd, done
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
