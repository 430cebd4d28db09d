// The playground's editors: CodeMirror 6 set up for JSON. scripts/build-editor
// bundles this file into web/editor.bundle.js, the one script the page loads for
// editing; the Go side (wasm/playground) drives the editors through
// window.WhittleEditor.create.
import { EditorState, Prec, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput, foldGutter, HighlightStyle,
} from "@codemirror/language";
import { tags } from "@lezer/highlight";
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

// The editors follow the system's colour scheme, as the rest of the page
// does (style.css, prefers-color-scheme). The dark colours keep WCAG AA
// contrast (4.5:1 or more) on the dark background #171b21.
const darkTheme = EditorView.theme({
  "&": { color: "#dde3ea", backgroundColor: "#171b21" },
  ".cm-content": { caretColor: "#dde3ea" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "#dde3ea" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection": { backgroundColor: "#2f4a73" },
  ".cm-activeLine": { backgroundColor: "#1f252d" },
  ".cm-gutters": { backgroundColor: "#1c2128", color: "#9aa5b1", borderRight: "1px solid #38414c" },
  ".cm-activeLineGutter": { backgroundColor: "#262d36", color: "#dde3ea" },
  ".cm-placeholder": { color: "#9aa5b1" },
  ".cm-tooltip": { backgroundColor: "#1c2128", color: "#dde3ea", border: "1px solid #38414c" },
  ".cm-matchingBracket": { backgroundColor: "#2d4a36", outline: "1px solid #4cc27f" },
}, { dark: true });
const darkHighlight = HighlightStyle.define([
  { tag: tags.propertyName, color: "#8cc4ff" },
  { tag: tags.string, color: "#a6e3a1" },
  { tag: tags.number, color: "#f5b97a" },
  { tag: [tags.bool, tags.null, tags.keyword], color: "#d7a8ff" },
  { tag: tags.invalid, color: "#ff9c91" },
], { themeType: "dark" });
// The light colours: CodeMirror's, but for a placeholder dark enough to read
// (4.5:1 on white) and an explicit white background.
const lightTheme = EditorView.theme({
  "&": { color: "#1d232a", backgroundColor: "#fff" },
  ".cm-placeholder": { color: "#5b6570" },
}, { dark: false });
const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
const scheme = () => darkQuery.matches ? [darkTheme, syntaxHighlighting(darkHighlight)] : [lightTheme];
const views = [];
darkQuery.addEventListener("change", () => {
  for (const { view, compartment } of views) view.dispatch({ effects: compartment.reconfigure(scheme()) });
});

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

// largeDoc is the length (characters) over which a document is shown as plain
// text, without the JSON language: CodeMirror parses a document in the
// background in slices of up to 100 ms, and ReadOnlyAccess (141 K characters
// pretty-printed) would keep the page's main thread busy in tasks over 50 ms
// while the engine's worker refines it. Highlighting, folding and bracket
// matching need the parse. It is the page's largeInput too
// (wasm/playground/engineside.go).
const largeDoc = 32768;
const plain = [];

// language keeps the JSON language in compartment lang for documents up to
// largeDoc characters, and drops it for longer ones.
const language = (lang) => EditorState.transactionExtender.of((tr) => {
  if (!tr.docChanged) return null;
  const big = tr.newDoc.length > largeDoc;
  if (big === (lang.get(tr.startState) === plain)) return null;
  return { effects: lang.reconfigure(big ? plain : json()) };
});

// create makes an editor inside parent. opts: testid and label (attributes of the
// editable area), doc, hint (placeholder), onChange(), onSubmit() (Ctrl/Cmd+Enter).
function create(parent, opts) {
  // tabindex 0: the editable area is the one keyboard stop of the editor's
  // scrolling region (axe-core's scrollable-region-focusable).
  const attrs = { "aria-label": opts.label || "", tabindex: "0" };
  const colours = new Compartment();
  const lang = new Compartment();
  const doc = opts.doc || "";
  if (opts.testid) attrs["data-testid"] = opts.testid;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        Prec.highest(keymap.of([{
          key: "Mod-Enter",
          run: () => { if (opts.onSubmit) opts.onSubmit(); return true; },
        }])),
        lineNumbers(), foldGutter(), lintGutter(), highlightActiveLineGutter(),
        history(), drawSelection(), indentOnInput(), bracketMatching(),
        highlightActiveLine(),
        colours.of(scheme()),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        lang.of(doc.length > largeDoc ? plain : json()),
        language(lang),
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
  views.push({ view, compartment: colours });
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
    // cursor is the main selection's head as [line, column] (1-based, columns
    // in characters), and whether the editor has the focus.
    cursor: () => {
      const head = view.state.selection.main.head;
      const line = view.state.doc.lineAt(head);
      return [line.number, [...line.text.slice(0, head - line.from)].length + 1, view.hasFocus];
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
