//go:build js && wasm

package main

import (
	"reflect"
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"whittle/engine"
)

const svgNS = "http://www.w3.org/2000/svg"

// Trie drawing metrics, in CSS pixels. Nodes are laid out as an outline: a
// node's leaf children sit as chips in wrapped rows to its right, its inner
// children below it, indented. This keeps the article's trie on one screen and
// a large trie scrollable.
const (
	rowH     = 24.0 // vertical distance between rows
	boxH     = 18.0 // node box height
	charW    = 7.3  // width of a character of the 12px monospace font
	padX     = 6.0  // text padding inside a box
	gapX     = 6.0  // between chips
	indentX  = 26.0 // inner children's indentation
	chipGap  = 18.0 // between a node and its first chip
	rowWidth = 720.0
	margin   = 8.0
)

// trieView draws the tries of the last result, one at a time, with a selector
// when there are several. A large policy has a trie per replaced pattern,
// megabytes in all, so each is asked of the engine's session when it is first
// drawn (engine.Session.Trie), not with every refinement.
type trieView struct {
	a       *app
	sel     *dom.HTMLSelectElement
	view    dom.Element
	tries   []engine.Trie // one per replaced pattern; Root nil until loaded
	current int
	in      inspector
}

// load fills in the Root of trie i if it is not there yet. For a result of
// the engine's worker it asks the worker: call it from a goroutine.
func (t *trieView) load(i int) {
	tr := &t.tries[i]
	if tr.Root != nil {
		return
	}
	path := tr.Path
	root := t.a.trieRoot(path)
	if i < len(t.tries) && t.tries[i].Path == path {
		t.tries[i].Root = root
	}
}

func (t *trieView) init(a *app) {
	t.a = a
	t.sel = a.byID("trie-select").(*dom.HTMLSelectElement)
	t.view = a.byID("trie-view")
	t.initInspector()
	t.sel.AddEventListener("change", false, func(dom.Event) {
		if i, err := strconv.Atoi(t.sel.Value()); err == nil {
			t.current = i
			go t.draw() // may wait for the engine's worker
		}
	})
}

// sameMenu reports whether tries lists the same patterns as the tries drawn
// and the current one exists in both.
func (t *trieView) sameMenu(tries []engine.Trie) bool {
	if len(tries) != len(t.tries) || t.current >= len(tries) {
		return false
	}
	for i := range tries {
		if tries[i].Path != t.tries[i].Path || tries[i].Pattern != t.tries[i].Pattern {
			return false
		}
	}
	return true
}

// show draws the trie i and selects it in the menu.
func (t *trieView) show(i int) {
	if i < 0 || i >= len(t.tries) {
		return
	}
	t.current = i
	t.sel.SetValue(strconv.Itoa(i))
	t.draw()
	t.view.Underlying().Get("classList").Call("add", "picked")
}

func (t *trieView) render(changes []engine.Change) {
	tries := []engine.Trie{}
	for _, c := range changes {
		if c.Kind == engine.ChangeReplaced {
			tries = append(tries, engine.Trie{Statement: c.Statement, Path: c.Path, Pattern: c.Pattern})
		}
	}
	t.renderTries(tries)
}

// renderTries shows the menu of tries (the replaced patterns of the last
// result) and draws the current one.
func (t *trieView) renderTries(tries []engine.Trie) {
	if tries == nil {
		tries = []engine.Trie{}
	}
	same := t.sameMenu(tries)
	if same {
		old := t.tries[t.current]
		t.tries = tries
		t.load(t.current)
		same = reflect.DeepEqual(tries[t.current], old)
	}
	if same {
		// Most edits (a Resource, a Condition) leave the tries as they were:
		// keep the menu and the drawing, drop only the highlight of a picked change.
		t.tries = tries
		t.view.Underlying().Get("classList").Call("remove", "picked")
		return
	}
	t.tries = tries
	if t.current >= len(tries) {
		t.current = 0
	}
	clear(t.sel)
	sel := t.sel.Underlying()
	frag := jsDocument.Call("createDocumentFragment")
	for i, tr := range tries {
		frag.Call("appendChild", textEl("option", tr.Path+"  "+tr.Pattern, "value", strconv.Itoa(i)))
	}
	sel.Call("appendChild", frag)
	if len(tries) > 1 {
		t.sel.RemoveAttribute("hidden")
		t.sel.SetValue(strconv.Itoa(t.current))
	} else {
		t.sel.SetAttribute("hidden", "")
	}
	t.draw()
}

func (t *trieView) draw() {
	if t.current < len(t.tries) {
		t.load(t.current)
	}
	clear(t.view)
	t.view.Underlying().Get("classList").Call("remove", "picked")
	if len(t.tries) == 0 || t.tries[t.current].Root == nil {
		t.view.Underlying().Call("appendChild", textEl("p", "No wildcard was partly unused, so there is no trie to show.", "class", "empty"))
		t.resetInspector()
		return
	}
	// The drawing is described in Go and made in one call (see vnode).
	d := &drawing{}
	d.svg = newV("svg")
	d.edges = newV("g")
	d.nodes = newV("g")
	d.svg.add(d.edges)
	d.svg.add(d.nodes)
	root := t.tries[t.current].Root
	bottom := d.layout(root, root.Prefix, margin, margin)
	w, h := d.right+margin, bottom+margin-(rowH-boxH)
	d.svg.attr("width", ftoa(w), "height", ftoa(h), "viewBox", "0 0 "+ftoa(w)+" "+ftoa(h),
		"role", "img", "aria-label", "Trie of "+t.tries[t.current].Pattern)
	build(t.view.Underlying(), svgNS, d.svg)
	t.resetInspector()
}

type drawing struct {
	svg, edges, nodes *vnode
	right             float64
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func boxWidth(label string) float64 { return float64(len([]rune(label)))*charW + 2*padX }

// node draws one node box at (x, y) and returns its width.
func (d *drawing) node(n *engine.TrieNode, label string, x, y float64) float64 {
	w := boxWidth(label)
	class := "node unsafe"
	if n.Safe {
		class = "node safe"
	}
	if n.Chosen {
		class += " chosen"
	}
	if len(n.Children) == 0 && n.Unused > 0 && n.Wanted == 0 {
		class += " unused"
	}
	g := newV("g", "class", class, "data-prefix", n.Prefix, "data-safe", strconv.FormatBool(n.Safe), "tabindex", "0")
	if n.Chosen {
		g.attr("data-chosen", "true")
	}
	title := newV("title")
	tip := n.Prefix + ": "
	if n.Safe {
		tip += "safe"
	} else {
		tip += "unsafe"
	}
	if n.Chosen {
		tip += ", chosen"
	}
	tip += "; " + strconv.Itoa(n.Wanted) + " wanted, " + strconv.Itoa(n.Unused) + " unused"
	if n.Other > 0 {
		tip += ", " + strconv.Itoa(n.Other) + " not matched by the pattern"
	}
	if n.Action != "" {
		tip += "; the action " + n.Action + " ends here"
	}
	title.text = tip
	g.attr("role", "img", "aria-label", tip)
	g.add(title)
	g.add(newV("rect", "x", ftoa(x), "y", ftoa(y), "width", ftoa(w), "height", ftoa(boxH), "rx", "3"))
	text := newV("text", "x", ftoa(x+padX), "y", ftoa(y+boxH/2))
	text.text = label
	g.add(text)
	d.nodes.add(g)
	if x+w > d.right {
		d.right = x + w
	}
	return w
}

func (d *drawing) edge(path string) {
	d.edges.add(newV("path", "class", "edge", "d", path))
}

// layout draws n and its subtree with n's box at (x, y) and returns the y of
// the next free row below the subtree.
func (d *drawing) layout(n *engine.TrieNode, label string, x, y float64) float64 {
	w := d.node(n, label, x, y)
	mid := boxH / 2
	var inner []*engine.TrieNode
	start := x + w + chipGap
	limit := max(x+rowWidth, start+boxWidth("MMMMMMMMMMMMMMMMMMMM"))
	cx, cy := start, y
	chips := 0
	for _, c := range n.Children {
		if len(c.Children) > 0 {
			inner = append(inner, c)
			continue
		}
		lbl := c.Token
		if lbl == "" {
			lbl = c.Prefix
		}
		cw := boxWidth(lbl)
		if chips > 0 && cx+cw > limit {
			cx, cy = start, cy+rowH
		}
		if chips == 0 {
			d.edge("M" + ftoa(x+w) + " " + ftoa(y+mid) + "H" + ftoa(cx))
		}
		d.node(c, lbl, cx, cy)
		cx += cw + gapX
		chips++
	}
	next := cy + rowH
	for _, c := range inner {
		lbl := c.Token
		if lbl == "" {
			lbl = c.Prefix
		}
		ex := x + indentX/2
		d.edge("M" + ftoa(ex) + " " + ftoa(y+boxH) + "V" + ftoa(next+mid) + "H" + ftoa(x+indentX))
		next = d.layout(c, lbl, x+indentX, next)
	}
	return next
}

// trieOf is the index of the replaced pattern whose trie holds action, or -1.
func (t *trieView) trieOf(action string) int {
	for i, tr := range t.tries {
		if engine.Match(tr.Pattern, action) {
			return i
		}
	}
	return -1
}

// holds reports whether a trie of the result holds action.
func (t *trieView) holds(action string) bool { return t.trieOf(action) >= 0 }

// showAction draws the trie that holds action and inspects the deepest node
// on its way.
func (t *trieView) showAction(action string) {
	i := t.trieOf(action)
	if i < 0 {
		return
	}
	t.show(i)
	best := ""
	low := strings.ToLower(action)
	for _, n := range t.in.steps {
		if strings.HasPrefix(low, strings.ToLower(n.Prefix)) && len(n.Prefix) > len(best) {
			best = n.Prefix
		}
	}
	if best != "" {
		t.inspect(best, false)
		if el := t.view.Underlying().Call("querySelector", `[data-prefix="`+cssEscape(best)+`"]`); el.Truthy() {
			el.Call("scrollIntoView", js.ValueOf(map[string]any{"block": "nearest"}))
		}
	}
}
