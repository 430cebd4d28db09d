//go:build js && wasm

package main

import (
	"strconv"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"whittle/engine"
	"whittle/wasm/playground/describe"
)

// The trie inspector and the step-through. Both are DOM glue over engine
// fields: the inspector lists engine.Session.InspectTrie's answer for a node of the
// trie on screen, with a verdict built from the node's Safe, Blocker and
// BlockerUnused; the step-through walks the drawn trie depth first and says,
// for each node, what the engine decided and why.

// maxListed caps the actions listed by the inspector (a node of a large
// managed policy can hold thousands).
const maxListed = 300

// inspector holds the state of the inspector and of the step-through.
type inspector struct {
	box, stepText dom.Element
	prev, next    dom.Element
	steps         []*engine.TrieNode // the drawn trie, depth first
	step          int                // the current step, -1 before the first
	shown         string             // the prefix in the inspector
}

func (t *trieView) initInspector() {
	in := &t.in
	in.box = t.a.byID("trie-inspector")
	in.stepText = t.a.byID("step-text")
	in.prev = t.a.byID("step-prev")
	in.next = t.a.byID("step-next")
	in.step = -1
	pick := func(ev dom.Event) {
		g := ev.Target().Underlying().Call("closest", "[data-prefix]")
		if g.Truthy() {
			go t.inspect(g.Call("getAttribute", "data-prefix").String(), false) // may wait for the engine's worker
		}
	}
	t.view.AddEventListener("click", false, pick)
	t.view.AddEventListener("focusin", false, pick)
	in.next.AddEventListener("click", false, func(dom.Event) { go t.goStep(in.step + 1) })
	in.prev.AddEventListener("click", false, func(dom.Event) { go t.goStep(in.step - 1) })
}

// resetInspector is called when a trie is (re)drawn: the walk restarts and the
// inspector empties.
func (t *trieView) resetInspector() {
	in := &t.in
	in.steps = in.steps[:0]
	in.step = -1
	in.shown = ""
	if len(t.tries) > 0 && t.tries[t.current].Root != nil {
		var walk func(n *engine.TrieNode)
		walk = func(n *engine.TrieNode) {
			in.steps = append(in.steps, n)
			for _, c := range n.Children {
				walk(c)
			}
		}
		walk(t.tries[t.current].Root)
	}
	clear(in.box)
	in.box.SetAttribute("hidden", "")
	t.showStep()
}

// find returns the drawn node with this prefix, or nil.
func (t *trieView) find(prefix string) *engine.TrieNode {
	for _, n := range t.in.steps {
		if n.Prefix == prefix {
			return n
		}
	}
	return nil
}

// inspect fills the inspector for the node with this prefix.
func (t *trieView) inspect(prefix string, fromStep bool) {
	in := &t.in
	n := t.find(prefix)
	if n == nil || (t.a.req == nil && t.a.remote == nil) || (prefix == in.shown && !fromStep) {
		return
	}
	in.shown = prefix
	path := t.tries[t.current].Path
	actions, err := t.a.inspectTrie(path, prefix)
	if in.shown != prefix || t.current >= len(t.tries) || t.tries[t.current].Path != path {
		return // another node was picked while the worker answered
	}
	box := in.box.Underlying()
	empty(box)
	in.box.RemoveAttribute("hidden")
	if err != nil {
		box.Call("appendChild", textEl("p", "Cannot inspect "+prefix+": "+err.Error(), "class", "verdict"))
		return
	}
	counts := map[string]int{}
	for _, a := range actions {
		counts[a.State]++
	}
	head := newV("p", "class", "verdict", "data-safe", strconv.FormatBool(n.Safe))
	head.text = t.verdict(n)
	sum := newV("p", "class", "counts")
	sum.text = plural(len(actions), "action") + " under " + prefix + ": " + itoa(counts[engine.StateWanted]) + " used, " +
		itoa(counts[engine.StateUnused]) + " unused"
	if counts[engine.StateUnmatched] > 0 {
		sum.text += ", " + itoa(counts[engine.StateUnmatched]) + " not matched by " + t.tries[t.current].Pattern
	}
	list := newV("ul", "class", "actions", "aria-label", "Actions under "+prefix)
	for i, a := range actions {
		if i == maxListed {
			more := newV("li", "class", "more")
			more.text = "… and " + itoa(len(actions)-maxListed) + " more"
			list.add(more)
			break
		}
		label := map[string]string{engine.StateWanted: "used", engine.StateUnused: "unused", engine.StateUnmatched: "not matched"}[a.State]
		li := newV("li", "class", "state-"+a.State, "data-action", a.Action, "data-state", label)
		name := newV("code")
		name.text = a.Action
		st := newV("span", "class", "state")
		st.text = label
		li.add(name)
		li.add(st)
		list.add(li)
	}
	build(box, "", head, sum, list)
}

// verdict says why a node is safe or unsafe, and what the engine wrote for it
// (describe.Node); the one action under a node is asked of the engine.
func (t *trieView) verdict(n *engine.TrieNode) string {
	return describe.Node(n, func() string { return t.a.onlyAction(t.tries[t.current].Path, n.Prefix) })
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

// goStep moves the walk to step i (clamped) and shows it.
func (t *trieView) goStep(i int) {
	in := &t.in
	if len(in.steps) == 0 {
		return
	}
	in.step = max(0, min(i, len(in.steps)-1))
	t.showStep()
	t.inspect(in.steps[in.step].Prefix, true)
}

// showStep shows the current step's sentence, highlights its node and sets
// the buttons.
func (t *trieView) showStep() {
	in := &t.in
	for _, el := range t.view.QuerySelectorAll(".node.current") {
		el.Class().Remove("current")
	}
	if in.step < 0 || in.step >= len(in.steps) {
		in.stepText.SetTextContent("")
		in.prev.SetAttribute("disabled", "")
		if len(in.steps) == 0 {
			in.next.SetAttribute("disabled", "")
		} else {
			in.next.RemoveAttribute("disabled")
		}
		in.next.SetTextContent("Step through")
		return
	}
	n := in.steps[in.step]
	in.stepText.SetTextContent("Step " + itoa(in.step+1) + " of " + itoa(len(in.steps)) + ": " + t.verdict(n))
	sel := `[data-prefix="` + cssEscape(n.Prefix) + `"]`
	if g := t.view.QuerySelector(sel); g != nil {
		g.Class().Add("current")
		g.Underlying().Call("scrollIntoView", map[string]any{"block": "nearest", "inline": "nearest"})
	}
	if in.step == 0 {
		in.prev.SetAttribute("disabled", "")
	} else {
		in.prev.RemoveAttribute("disabled")
	}
	if in.step == len(in.steps)-1 {
		in.next.SetAttribute("disabled", "")
	} else {
		in.next.RemoveAttribute("disabled")
	}
	in.next.SetTextContent("Next step")
}

// cssEscape escapes s for a quoted CSS attribute selector.
func cssEscape(s string) string {
	return js.Global().Get("CSS").Call("escape", s).String()
}
