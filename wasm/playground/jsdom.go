//go:build js && wasm

package main

import "syscall/js"

// This file is the fast path to the DOM for drawing many elements (the diff
// and the tries). honnef.co/go/js/dom/v2 wraps every element it creates by
// comparing its constructor with some seventy HTML element classes, about 140
// calls across the JS boundary per element; drawing a trie that way cost more
// than the refinement. These helpers make one call per DOM operation and set
// user text only through textContent.

var jsDocument = js.Global().Get("document")

// newEl creates an HTML element with the given attributes (name, value pairs).
func newEl(tag string, attrs ...string) js.Value {
	el := jsDocument.Call("createElement", tag)
	setAttrs(el, attrs...)
	return el
}

// newSVG creates an SVG element with the given attributes (name, value pairs).
func newSVG(tag string, attrs ...string) js.Value {
	el := jsDocument.Call("createElementNS", svgNS, tag)
	setAttrs(el, attrs...)
	return el
}

func setAttrs(el js.Value, attrs ...string) {
	for i := 0; i+1 < len(attrs); i += 2 {
		el.Call("setAttribute", attrs[i], attrs[i+1])
	}
}

// textEl creates an HTML element holding text (as text, never markup).
func textEl(tag, text string, attrs ...string) js.Value {
	el := newEl(tag, attrs...)
	el.Set("textContent", text)
	return el
}

// empty removes every child of el in one call.
func empty(el js.Value) { el.Set("textContent", "") }
