//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"

	"whittle/engine"
	"whittle/wasm/playground/awscli"
	"whittle/wasm/playground/describe"
	"whittle/wasm/playground/diff"
	"whittle/wasm/playground/locate"
	"whittle/wasm/playground/wire"
)

// The engine side of the playground, for large inputs. web/whittle.wasm runs
// in the page (main, with a document: it edits, draws, and refines small
// inputs in its own engine.Session) and, from the first result on, in a
// dedicated Web Worker (web/engine-worker.js, no document: serveEngine),
// which refines inputs over largeInput characters against an engine.Session
// of its own, so that the page's main thread never runs a long refinement.
// The page asks with web/app.js's whittleEngine(op, body): op names a request
// below, body holds the request's JSON (json) and the editors' texts as
// strings of their own; the answer is a list of texts (parts), or null when
// a newer refinement superseded the request before it ran.

// largeInput is the size (characters of the policy, findings and catalog
// together) past which the page refines in the worker. Below it the page's
// own session answers within a frame or two (the article: 8 ms of engine
// work, a role of three policies 9 ms) and a round trip to the worker would
// only add to that; above it a first refinement can take the engine hundreds
// of milliseconds (ReadOnlyAccess half unused, 265 K characters: 240–470 ms
// in wasm). It is also where the editors drop the JSON highlighting
// (web/editor/main.js), whose background parse of a long document would
// occupy the main thread as long.
const largeInput = 32768

// changesPart is how many changes one part of a refinement's answer holds:
// ReadOnlyAccess half unused has 1,608 changes, and the page decodes a part
// only when it shows one of its changes.
const changesPart = 50

// diffPart is how many chunks of the diff (chunkLines lines each) one part of
// the answer describes: the page makes one part's elements per task.
const diffPart = 8

// engineSide is the state of the worker: its session and the last
// refinement, which the requests about a result (trie, inspect, sizes) name
// by its sequence number.
type engineSide struct {
	sess     engine.Session
	seq      int
	req      *engine.Request
	reqText  string                        // the policy editor's text req was read from (its places are there)
	original struct{ text, pretty string } // the last pretty-printed original
	// The last principal's policies refined (see refineRole): a pick of
	// another of its policies (op "pick") names it by roleSeq.
	roleSeq int
	rr      *engine.RecommendationRequest
	rec     *engine.Recommendation
	text    string // the policy editor's text of rr
}

// remoteIn is a request from the page: the editors' texts come beside its
// JSON (json:"-").
type remoteIn struct {
	Seq     int            `json:"seq"`
	Options engine.Options `json:"options"`
	Path    string         `json:"path,omitempty"`
	Prefix  string         `json:"prefix,omitempty"`
	// Statement is, with Path, the change a locate request names.
	Statement int `json:"statement,omitempty"`
	// Before is the id of the principal's policy shown before (a new
	// refinement shows it again if it is still there); Index the policy a
	// pick shows, of the principal's policies refined at Of.
	Before    string `json:"before,omitempty"`
	Index     int    `json:"index,omitempty"`
	Of        int    `json:"of,omitempty"`
	Policy    string `json:"-"`
	Findings  string `json:"-"`
	Catalog   string `json:"-"`
	Candidate string `json:"-"`
}

// refineOut is the first part of a refinement's answer. Response comes
// without its changes and its recommended policy: the changes follow in
// parts of changesPart (as []wire.Change), then the recommended policy as the
// engine wrote it, the refined policy pretty-printed, its drawing in chunks
// (vnodes for whittleBuild; empty when it is one chunk), the trie menu
// ([]engine.Trie: the replaced patterns), and the diff's drawing in
// DiffParts parts. The page decodes no long text: JSON in wasm
// costs tens of milliseconds per 100 K.
type refineOut struct {
	Error *engine.Error `json:"error,omitempty"`
	// Role says the input is a principal's policies (see refineRole). Rec is
	// the recommendation as the role view draws its list, each policy's
	// answer only its action and sizes, the steps without their policies
	// (a refinement's answer only; a pick keeps the one it has); Index the
	// policy whose parts follow (-1: none has a document, no parts follow),
	// DocOffset where its document stands in the policy editor's text (-1:
	// written out). After the diff's parts come the document's text, then,
	// in a refinement's answer, the AWS CLI commands and the recommendation's
	// JSON (for the copy and download buttons: the page does not decode them).
	Role      bool                   `json:"role,omitempty"`
	Rec       *engine.Recommendation `json:"rec,omitempty"`
	Index     int                    `json:"index"`
	DocOffset int                    `json:"docOffset"`
	// Unpicked says the principal picked before is not in this input: the
	// first one (or the lone policy) is refined instead.
	Unpicked  bool             `json:"unpicked,omitempty"`
	Stale     bool             `json:"stale,omitempty"`
	Response  *engine.Response `json:"response,omitempty"`
	Changes   int              `json:"changes"`
	DiffParts int              `json:"diffParts"`
	// FindingsActions and FindingsServices count what the findings name.
	FindingsActions  int `json:"findingsActions"`
	FindingsServices int `json:"findingsServices"`
	// Known tells, for each service the warnings name, whether the catalog
	// knows it (describe.Warnings asks).
	Known map[string]bool `json:"known,omitempty"`
	// Times is where the worker spent its time, for whittleStats.breakdown.
	Times string `json:"times,omitempty"`
}

// trieOut is a trie and, for its chosen nodes that stand for one action
// below them, that action's name (the inspector's verdict names it).
type trieOut struct {
	Trie  *engine.Trie      `json:"trie,omitempty"`
	Only  map[string]string `json:"only,omitempty"`
	Error *engine.Error     `json:"error,omitempty"`
	Stale bool              `json:"stale,omitempty"`
}

type inspectOut struct {
	Actions []engine.NodeAction `json:"actions"`
	Error   *engine.Error       `json:"error,omitempty"`
	Stale   bool                `json:"stale,omitempty"`
}

type checkOut struct {
	Response *engine.CheckResponse `json:"response,omitempty"`
	Error    *engine.Error         `json:"error,omitempty"`
}

// locateOut is where a change stands in the policy editor's text (Found
// false: nowhere there, as for a document given as a string).
type locateOut struct {
	Span  locate.Span `json:"span"`
	Found bool        `json:"found,omitempty"`
	Stale bool        `json:"stale,omitempty"`
}

type sizesOut struct {
	Sizes []int `json:"sizes"`
	Stale bool  `json:"stale,omitempty"`
}

// serveEngine makes the worker's whittleServe(op, body), which
// web/engine-worker.js calls for each request, one at a time, and waits.
func serveEngine() {
	e := &engineSide{seq: -1}
	js.Global().Set("whittleServe", js.FuncOf(func(_ js.Value, args []js.Value) (out any) {
		defer func() {
			if r := recover(); r != nil {
				b, _ := json.Marshal(map[string]any{"error": &engine.Error{Code: "internal", Message: fmt.Sprint(r)}})
				out = js.ValueOf([]any{string(b)})
			}
		}()
		body := args[1]
		text := func(name string) string {
			if v := body.Get(name); v.Type() == js.TypeString {
				return v.String()
			}
			return ""
		}
		var in remoteIn
		if err := json.Unmarshal([]byte(text("json")), &in); err != nil {
			panic(err)
		}
		in.Policy, in.Findings, in.Catalog, in.Candidate = text("policy"), text("findings"), text("catalog"), text("candidate")
		parts := e.serve(args[0].String(), &in)
		list := make([]any, len(parts))
		for i, p := range parts {
			list[i] = string(p)
		}
		return js.ValueOf(list)
	}))
	select {}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (e *engineSide) serve(op string, in *remoteIn) [][]byte {
	switch op {
	case "refine", "warm": // warm: a refinement whose answer is dropped (see app.warmWorker)
		return e.refine(in)
	case "pick":
		return e.pick(in)
	case "check":
		req, err := engine.CheckFromTexts(in.Policy, in.Findings, in.Catalog, in.Candidate, in.Options)
		if err != nil {
			return [][]byte{mustJSON(checkOut{Error: err})}
		}
		return [][]byte{mustJSON(checkOut{Response: e.sess.Check(req)})}
	}
	if in.Seq != e.seq || e.req == nil {
		return [][]byte{[]byte(`{"stale":true}`)}
	}
	switch op {
	case "trie":
		return [][]byte{mustJSON(e.trie(in.Path))}
	case "inspect":
		acts, err := e.sess.InspectTrie(e.req, in.Path, in.Prefix)
		return [][]byte{mustJSON(inspectOut{Actions: acts, Error: err})}
	case "locate":
		// What the page's selectChange does with a result of its own, on
		// the text the worker read.
		var out locateOut
		out.Span, out.Found = locate.Change(e.reqText, e.req.Policy, &engine.Change{Statement: in.Statement, Path: in.Path})
		return [][]byte{mustJSON(out)}
	case "sizes":
		var out sizesOut
		for _, g := range []string{engine.GranularityWord, engine.GranularityChar, engine.GranularityAction} {
			r := *e.req
			r.Options.Granularity = g
			out.Sizes = append(out.Sizes, e.sess.Respond(&r).Size.After)
		}
		return [][]byte{mustJSON(out)}
	}
	panic("unknown request " + op)
}

// trie is the trie of the pattern at path, for trieOut.
func (e *engineSide) trie(path string) *trieOut {
	tr, err := e.sess.Trie(e.req, path)
	out := &trieOut{Trie: tr, Error: err}
	if tr != nil {
		out.Only = map[string]string{}
		var walk func(n *engine.TrieNode)
		walk = func(n *engine.TrieNode) {
			if n.Safe && n.Chosen && n.Action == "" && n.Wanted+n.Unused+n.Other == 1 {
				if acts, err := e.sess.InspectTrie(e.req, path, n.Prefix); err == nil && len(acts) == 1 {
					out.Only[n.Prefix] = acts[0].Action
				}
			}
			for _, c := range n.Children {
				walk(c)
			}
		}
		walk(tr.Root)
	}
	return out
}

// refine is the page's refinement of one policy, or of a principal's
// policies (refineRole): what engine.HandleRefine does with the texts, minus
// the JSON of the request, plus what the page draws of the answer (the
// refined policy pretty-printed, the diff).
func (e *engineSide) refine(in *remoteIn) [][]byte {
	var out refineOut
	rr, eerr := engine.RecommendationFromTexts(in.Policy, in.Findings, in.Catalog, in.Options)
	if eerr != nil && eerr.Field == "options" && eerr.Path == "principal" && in.Options.Principal != "" {
		// The principal picked is not in the new input (or the input is one
		// policy): its first principal, as the page's refineLocal does.
		out.Unpicked = true
		opt := in.Options
		opt.Principal = ""
		rr, eerr = engine.RecommendationFromTexts(in.Policy, in.Findings, in.Catalog, opt)
	}
	if eerr != nil {
		out.Error = eerr
		return [][]byte{mustJSON(out)}
	}
	if rr.Set.Form != engine.InputPolicy {
		return e.refineRole(in, rr, &out)
	}
	t0 := now()
	e.seq, e.req, e.reqText = in.Seq, rr.Request(0), in.Policy
	resp := e.sess.Respond(e.req)
	out.Times += "engine=" + formatMS(now()-t0) + " "
	return e.policyParts(&out, rr, resp, in.Policy)
}

// refineRole refines a principal's policies (engine.Session.Recommend, as
// the page's refineLocal does) and answers the role view's summary, the
// parts of the policy shown (the one shown before, by in.Before, if it is
// still there, else the first with a document), and the texts of the copy
// and download buttons.
func (e *engineSide) refineRole(in *remoteIn, rr *engine.RecommendationRequest, out *refineOut) [][]byte {
	t0 := now()
	rec := e.sess.Recommend(rr, clock)
	out.Times += "engine=" + formatMS(now()-t0) + " "
	e.roleSeq, e.rr, e.rec, e.text = in.Seq, rr, rec, in.Policy
	out.Role, out.Index, out.DocOffset = true, -1, -1
	// The summary: each answer only what the list says of it.
	sum := *rec
	sum.Whittle.Policies = append([]engine.PolicyDetail(nil), rec.Whittle.Policies...)
	for i := range sum.Whittle.Policies {
		d := &sum.Whittle.Policies[i]
		if d.Answer == nil {
			continue
		}
		if out.Index < 0 || (in.Before != "" && d.ExistingPolicyID == in.Before && rec.Whittle.Policies[out.Index].ExistingPolicyID != in.Before) {
			out.Index = i
		}
		d.Answer = &engine.Response{RecommendedAction: d.Answer.RecommendedAction, Size: d.Answer.Size}
	}
	sum.RecommendedSteps = make([]engine.RecommendedStep, len(rec.RecommendedSteps))
	out.Rec = &sum
	out.FindingsActions, out.FindingsServices = len(rr.Findings.Actions), len(rr.Findings.Services)
	var parts [][]byte
	if out.Index < 0 {
		e.seq, e.req, e.reqText = in.Seq, nil, ""
		parts = [][]byte{nil}
	} else {
		e.seq, e.req, e.reqText = in.Seq, rr.Request(out.Index), in.Policy
		parts = e.policyParts(out, rr, rec.Whittle.Policies[out.Index].Answer, in.Policy)
	}
	t1 := now()
	parts = append(parts, []byte(awscli.Recommendation(rec)), rec.JSON())
	out.Times += "role=" + formatMS(now()-t1) + " "
	parts[0] = mustJSON(out)
	return parts
}

// pick answers the parts of policy in.Index of the principal's policies
// refined at in.Of, without refining again.
func (e *engineSide) pick(in *remoteIn) [][]byte {
	if e.rec == nil || in.Of != e.roleSeq || in.Index < 0 || in.Index >= len(e.rec.Whittle.Policies) || e.rec.Whittle.Policies[in.Index].Answer == nil {
		return [][]byte{[]byte(`{"stale":true}`)}
	}
	out := refineOut{Role: true, Index: in.Index}
	e.seq, e.req, e.reqText = in.Seq, e.rr.Request(in.Index), e.text
	return e.policyParts(&out, e.rr, e.rec.Whittle.Policies[in.Index].Answer, e.text)
}

// document is the text of policy i of rr, whose policies are in text, and
// its offset there (-1 when written out), as roleView.document says.
func document(rr *engine.RecommendationRequest, text string, i int) (string, int) {
	in := &rr.Set.Policies[i]
	if in.Offset >= 0 && in.Policy.Doc.End <= len(text) {
		return text[in.Offset:in.Policy.Doc.End], in.Offset
	}
	return string(engine.AppendJSON(nil, in.Policy.Doc, "")), -1
}

// policyParts is the answer's parts for resp, the answer to e.req, of the
// policies of rr given in text: out's head, the changes, the recommended
// policy, the refined policy and its drawing, the trie menu, the diff's
// drawing; for a principal's policy (out.Role), its document's text after
// them.
func (e *engineSide) policyParts(out *refineOut, rr *engine.RecommendationRequest, resp *engine.Response, text string) [][]byte {
	t0 := now()
	times := func(what string) {
		t := now()
		out.Times += what + "=" + formatMS(t-t0) + " "
		t0 = t
	}
	doc := text
	if out.Role {
		doc, out.DocOffset = document(rr, text, out.Index)
	}
	out.FindingsActions, out.FindingsServices = len(rr.Findings.Actions), len(rr.Findings.Services)
	out.Known = map[string]bool{}
	describe.Warnings(resp.Warnings, "", func(svc string) bool {
		k := rr.Catalog.Actions(svc) != nil
		out.Known[svc] = k
		return k
	})
	head := *resp
	head.Changes, head.RecommendedPolicy = nil, nil
	out.Response, out.Changes = &head, len(resp.Changes)
	parts := [][]byte{nil}
	for i := 0; i < len(resp.Changes); i += changesPart {
		parts = append(parts, wire.AppendChanges(nil, resp.Changes[i:min(i+changesPart, len(resp.Changes))]))
	}
	times("json")
	// The refined policy as the page shows it, and the diff's drawing.
	detach := resp.RecommendedAction == engine.ActionDetach || len(resp.RecommendedPolicy) == 0 || string(resp.RecommendedPolicy) == "null"
	refined := ""
	if !detach {
		refined = string(resp.PrettyPolicy())
	}
	times("pretty")
	parts = append(parts, resp.RecommendedPolicy, []byte(refined), nil, nil)
	if chunks := textChunks(refined); len(chunks) > 1 {
		parts[len(parts)-2] = vnodesJSON(chunks...)
	}
	// The trie menu: the replaced patterns (decoded in a task of its own).
	tries := []engine.Trie{}
	for _, c := range resp.Changes {
		if c.Kind == engine.ChangeReplaced {
			tries = append(tries, engine.Trie{Statement: c.Statement, Path: c.Path, Pattern: c.Pattern})
		}
	}
	parts[len(parts)-1] = mustJSON(tries)
	if doc != e.original.text || e.original.pretty == "" {
		// The policy as the engine read it (the request's, not parsed again).
		e.original.text, e.original.pretty = doc, string(e.req.Policy.Doc.Pretty())
	}
	times("chunks")
	lines := diff.Lines(e.original.pretty, refined)
	times("compare")
	chunks := diffChunks(lines, resp.Changes)
	out.DiffParts = 0
	for i := 0; i < len(chunks); i += diffPart {
		parts = append(parts, vnodesJSON(chunks[i:min(i+diffPart, len(chunks))]...))
		out.DiffParts++
	}
	times("diff")
	if out.Role {
		parts = append(parts, []byte(doc))
	}
	parts[0] = mustJSON(out)
	return parts
}
