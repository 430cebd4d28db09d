//go:build js && wasm

package main

import (
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// editor is one CodeMirror editor made by web/editor.bundle.js
// (window.WhittleEditor.create); its editable area carries the data-testid.
type editor struct {
	v js.Value
}

func newEditor(parent dom.Element, testid, label, hint string, onChange, onSubmit func()) *editor {
	opts := js.Global().Get("Object").New()
	opts.Set("testid", testid)
	opts.Set("label", label)
	opts.Set("hint", hint)
	opts.Set("onChange", js.FuncOf(func(js.Value, []js.Value) any { onChange(); return nil }))
	opts.Set("onSubmit", js.FuncOf(func(js.Value, []js.Value) any { onSubmit(); return nil }))
	return &editor{js.Global().Get("WhittleEditor").Call("create", parent.Underlying(), opts)}
}

func (e *editor) Text() string                          { return e.v.Call("getText").String() }
func (e *editor) SetText(s string)                      { e.v.Call("setText", s) }
func (e *editor) SetError(line, column int, msg string) { e.v.Call("setError", line, column, msg) }
func (e *editor) ClearError()                           { e.v.Call("clearError") }

// Select selects line1:column1 to line2:column2 (1-based, columns in
// characters, end exclusive) and scrolls it into view.
func (e *editor) Select(line1, column1, line2, column2 int) {
	e.v.Call("select", line1, column1, line2, column2)
}

// Focus gives the editor the keyboard focus.
func (e *editor) Focus() { e.v.Call("focus") }
