//go:build js && wasm

package main

import (
	"syscall/js"

	"whittle/wasm/playground/wire"
)

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

// vnode is an element to be made by web/app.js's whittleBuild: a drawing of
// hundreds of elements (a trie, a long diff) is described in Go and crosses
// into JavaScript as one JSON text, instead of several calls per element.
type vnode struct {
	tag   string
	attrs []string // name, value pairs; names are this package's constants
	text  string   // set as textContent
	kids  []*vnode
}

func newV(tag string, attrs ...string) *vnode { return &vnode{tag: tag, attrs: attrs} }

func (v *vnode) attr(kv ...string) { v.attrs = append(v.attrs, kv...) }

func (v *vnode) add(k *vnode) { v.kids = append(v.kids, k) }

// appendJSON writes v as [tag, [name, value, ...], text, [kids...]].
func (v *vnode) appendJSON(b []byte) []byte {
	b = append(b, '[')
	b = wire.AppendString(b, v.tag)
	b = append(b, ",["...)
	for i, s := range v.attrs {
		if i > 0 {
			b = append(b, ',')
		}
		b = wire.AppendString(b, s)
	}
	b = append(b, "],"...)
	b = wire.AppendString(b, v.text)
	b = append(b, ",["...)
	for i, k := range v.kids {
		if i > 0 {
			b = append(b, ',')
		}
		b = k.appendJSON(b)
	}
	return append(b, "]]"...)
}

// build makes the elements vs (with their subtrees) at the end of parent with
// one call into JavaScript; ns is their namespace, "" for HTML.
func build(parent js.Value, ns string, vs ...*vnode) {
	js.Global().Call("whittleBuild", parent, string(vnodesJSON(vs...)), ns)
}

// vnodesJSON is the JSON list of vs that whittleBuild takes.
func vnodesJSON(vs ...*vnode) []byte {
	b := []byte{'['}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = v.appendJSON(b)
	}
	return append(b, ']')
}
