// The playground's editors: CodeMirror 6 set up for JSON. scripts/build-editor
// bundles this file into web/editor.bundle.js, the one script the page loads for
// editing; the Go side (wasm/playground) drives the editors through
// window.WhittleEditor.create.
import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput, foldGutter,
} from "@codemirror/language";
import { json } from "@codemirror/lang-json";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { StyleModule } from "style-mod";

// The page's Content-Security-Policy allows no inline <style> elements, which
// is how style-mod mounts CodeMirror's styles into a document. This replaces its
// mount with one constructed style sheet adopted by the document, keeping the
// modules in the order style-mod would (later modules take precedence).
const sheet = new CSSStyleSheet();
const modules = [];
StyleModule.mount = (root, mods) => {
  const list = (Array.isArray(mods) ? mods : [mods]).flat(Infinity).filter(Boolean);
  let changed = false;
  let j = 0;
  for (const mod of list) {
    let index = modules.indexOf(mod);
    if (index > -1 && index < j) { // ordering conflict: move it here
      modules.splice(index, 1);
      j--;
      index = -1;
    }
    if (index == -1) {
      modules.splice(j++, 0, mod);
      changed = true;
    } else {
      j = index + 1;
    }
  }
  if (changed) sheet.replaceSync(modules.map((m) => m.getRules()).join("\n"));
  if (!document.adoptedStyleSheets.includes(sheet)) {
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }
};

// offsetOf turns a 1-based line and column (in characters) into a document offset.
function offsetOf(doc, line, column) {
  if (line < 1) return 0;
  if (line > doc.lines) return doc.length;
  const l = doc.line(line);
  let off = l.from;
  let chars = 1;
  // Columns count characters (code points); CodeMirror counts UTF-16 units.
  for (const ch of l.text) {
    if (chars >= column) break;
    off += ch.length;
    chars++;
  }
  return Math.min(off, l.to);
}

// create makes an editor inside parent. opts: testid and label (attributes of the
// editable area), doc, hint (placeholder), onChange(), onSubmit() (Ctrl/Cmd+Enter).
function create(parent, opts) {
  const attrs = { "aria-label": opts.label || "" };
  if (opts.testid) attrs["data-testid"] = opts.testid;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.doc || "",
      extensions: [
        Prec.highest(keymap.of([{
          key: "Mod-Enter",
          run: () => { if (opts.onSubmit) opts.onSubmit(); return true; },
        }])),
        lineNumbers(), foldGutter(), lintGutter(), highlightActiveLineGutter(),
        history(), drawSelection(), indentOnInput(), bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        json(),
        placeholder(opts.hint || ""),
        EditorState.tabSize.of(2),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of(attrs),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && opts.onChange) opts.onChange();
        }),
      ],
    }),
  });
  const api = {
    getText: () => view.state.doc.toString(),
    // setText replaces the whole text as one undoable change.
    setText: (text) => {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    // setError marks line:column (1-based) with message; line 0 marks the start.
    setError: (line, column, message) => {
      const doc = view.state.doc;
      const from = offsetOf(doc, line, column);
      const to = Math.min(doc.length, from + 1);
      view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message }]));
    },
    clearError: () => view.dispatch(setDiagnostics(view.state, [])),
    focus: () => view.focus(),
    // select selects from line:column to line:column (1-based, end exclusive)
    // and scrolls it into view, without taking the focus.
    select: (line1, column1, line2, column2) => {
      const doc = view.state.doc;
      const anchor = offsetOf(doc, line1, column1);
      const head = offsetOf(doc, line2, column2);
      view.dispatch({ selection: { anchor, head }, scrollIntoView: true });
    },
    // selectedText is the text of the main selection.
    selectedText: () => {
      const { from, to } = view.state.selection.main;
      return view.state.sliceDoc(from, to);
    },
  };
  if (opts.testid) editors[opts.testid] = api;
  return api;
}

// editors holds each editor by its testid, for tests and tools driving the page.
const editors = {};

window.WhittleEditor = { create, editors };
