//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"strings"
	"syscall/js"

	"whittle/engine"
	"whittle/wasm/playground/describe"
	"whittle/wasm/playground/locate"
	"whittle/wasm/playground/wire"
)

// The page's side of refinements done in the engine's Web Worker (see
// engineside.go): an input over largeInput characters is sent there, and its
// answer drawn in tasks short enough that the page keeps answering.

// remoteResult is what the page keeps of the last result when it came from
// the worker: the parts of its answer that it decodes on demand (the
// changes, 50 a part), and what the worker said of the catalog.
type remoteResult struct {
	seq     int
	changes []js.Value // JSON parts of []wire.Change, changesPart each
	decoded []bool
	known   map[string]bool
	only    map[string]map[string]string // a trie's one-action nodes, by the trie's path
}

// answer is the worker's answer to a request: a list of texts.
type answer struct{ v js.Value }

func (r answer) part(i int) js.Value { return r.v.Index(i) }
func (r answer) text(i int) string   { return r.v.Index(i).String() }

// errSuperseded is ask's answer to a request the worker skipped because a
// newer refinement was waiting.
var errSuperseded = errors.New("superseded")

// ask sends the worker a request (web/app.js's whittleEngine) and waits for
// its answer: call it from a goroutine, never from a callback directly.
func ask(op string, in *remoteIn) (answer, error) {
	body := js.Global().Get("Object").New()
	body.Set("json", string(mustJSON(in)))
	for _, t := range []struct{ name, text string }{
		{"policy", in.Policy}, {"findings", in.Findings}, {"catalog", in.Catalog}, {"candidate", in.Candidate},
	} {
		if t.text != "" {
			body.Set(t.name, t.text)
		}
	}
	v, err := await(js.Global().Call("whittleEngine", op, body))
	if err != nil {
		return answer{}, err
	}
	if v.IsNull() {
		return answer{}, errSuperseded
	}
	return answer{v}, nil
}

// mark sets a performance mark "whittle:name" (the browser tests list them
// beside the long tasks).
func mark(name string) { js.Global().Get("performance").Call("mark", "whittle:"+name) }

// yield lets the browser run other tasks (input, drawing) before going on:
// long work of the page is cut into tasks with it. Call it from a goroutine.
func yield() { _, _ = await(js.Global().Call("whittleYield")) }

// large reports whether texts are refined in the worker (see largeInput).
func large(texts ...string) bool {
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	return n > largeInput
}

// decodeChanges makes sure the changes from..to-1 of the last result are
// decoded (a remote result's are decoded a part at a time, when shown).
func (a *app) decodeChanges(from, to int) {
	r := a.remote
	if r == nil || a.last == nil {
		return
	}
	changes := a.last.resp.Changes
	to = min(to, len(changes))
	for p := from / changesPart; p*changesPart < to; p++ {
		if p >= len(r.changes) || r.decoded[p] {
			continue
		}
		var part []wire.Change
		if err := json.Unmarshal([]byte(r.changes[p].String()), &part); err != nil {
			panic(err) // the worker wrote it: a bug, not an input's fault
		}
		for k := range part {
			c := part[k].Change
			c.Removed = make([]string, part[k].Removed) // counted, not listed
			changes[p*changesPart+k] = c
		}
		r.decoded[p] = true
	}
}

// knownService reports whether the catalog of the last result knows svc.
func (a *app) knownService(svc string) bool {
	if a.remote != nil {
		return a.remote.known[svc]
	}
	return a.req != nil && a.req.Catalog.Actions(svc) != nil
}

// trieRoot is the trie of the replaced pattern at path in the last result.
// For a remote result it asks the worker: call it from a goroutine.
func (a *app) trieRoot(path string) *engine.TrieNode {
	if r := a.remote; r != nil {
		ans, err := ask("trie", &remoteIn{Seq: r.seq, Path: path})
		if err != nil || a.remote != r {
			return nil
		}
		var out trieOut
		if json.Unmarshal([]byte(ans.text(0)), &out) != nil || out.Trie == nil {
			return nil
		}
		r.only[path] = out.Only
		return out.Trie.Root
	}
	if a.req == nil {
		return nil
	}
	if got, err := a.sess.Trie(a.req, path); err == nil && got != nil {
		return got.Root
	}
	return nil
}

// inspectTrie lists the actions under prefix in the trie at path of the last
// result (engine.Session.InspectTrie). For a remote result it asks the
// worker: call it from a goroutine.
func (a *app) inspectTrie(path, prefix string) ([]engine.NodeAction, *engine.Error) {
	if r := a.remote; r != nil {
		ans, err := ask("inspect", &remoteIn{Seq: r.seq, Path: path, Prefix: prefix})
		if err != nil {
			return nil, &engine.Error{Code: "internal", Message: err.Error()}
		}
		var out inspectOut
		if err := json.Unmarshal([]byte(ans.text(0)), &out); err != nil {
			return nil, &engine.Error{Code: "internal", Message: err.Error()}
		}
		if out.Stale {
			return nil, &engine.Error{Code: "stale", Message: "a newer refinement is on its way"}
		}
		return out.Actions, out.Error
	}
	return a.sess.InspectTrie(a.req, path, prefix)
}

// locateChange is where change c of the last result stands in text, the
// policy editor's text of that result (locate.Change). For a remote result
// it asks the worker, which holds the policy as the engine read it: call it
// from a goroutine.
func (a *app) locateChange(text string, c *engine.Change) (locate.Span, bool) {
	if r := a.remote; r != nil {
		ans, err := ask("locate", &remoteIn{Seq: r.seq, Path: c.Path, Statement: c.Statement})
		if err != nil || a.remote != r {
			return locate.Span{}, false
		}
		var out locateOut
		if json.Unmarshal([]byte(ans.text(0)), &out) != nil || out.Stale {
			return locate.Span{}, false
		}
		return out.Span, out.Found
	}
	if a.req == nil {
		return locate.Span{}, false
	}
	return locate.Change(text, a.req.Policy, c)
}

// onlyAction names the one action under a chosen node of the trie at path,
// or "" (see trieView.verdict).
func (a *app) onlyAction(path, prefix string) string {
	if r := a.remote; r != nil {
		return r.only[path][prefix]
	}
	if a.req == nil {
		return ""
	}
	if acts, err := a.sess.InspectTrie(a.req, path, prefix); err == nil && len(acts) == 1 {
		return acts[0].Action
	}
	return ""
}

// refineRemote asks the worker to refine the texts and draws its answer,
// unless a newer refinement was asked for meanwhile: the page says
// "Refining…" and keeps the last result until then.
func (a *app) refineRemote(seq int, t0 float64, policy, findings, catalog string, opt engine.Options) {
	in := &remoteIn{Seq: seq, Options: opt, Policy: policy, Findings: findings, Catalog: catalog}
	if a.role.active() {
		in.Before = a.role.shownID()
	}
	a.askRemote(seq, t0, "refine", in, policy)
}

// pickRemote asks the worker for the parts of policy i of the principal's
// policies it refined last (no new refinement) and draws them.
func (a *app) pickRemote(i int) {
	a.seq++
	a.askRemote(a.seq, now(), "pick", &remoteIn{Seq: a.seq, Of: a.role.remoteSeq, Index: i}, a.policyText)
}

// askRemote sends the worker a refinement (op "refine") or a pick of a
// principal's policy ("pick") and draws its answer; policy is the policy
// editor's text the answer is of.
func (a *app) askRemote(seq int, t0 float64, op string, in *remoteIn, policy string) {
	mark("asked")
	a.status.SetTextContent("Refining…")
	a.outputs.Class().Add("refining")
	ta := now()
	ans, err := ask(op, in)
	tr := now()
	if seq != a.seq {
		return // superseded: the newer refinement draws its own answer
	}
	a.outputs.Class().Remove("refining")
	if errors.Is(err, errSuperseded) {
		return
	}
	if err != nil {
		a.showError(&engine.Error{Code: "internal", Message: err.Error()})
		return
	}
	var out refineOut
	if err := json.Unmarshal([]byte(ans.text(0)), &out); err != nil {
		a.showError(&engine.Error{Code: "internal", Message: err.Error()})
		return
	}
	if out.Stale {
		// A pick of a principal's policies the worker no longer holds (a
		// newer input came first): refine the editors' texts again, the
		// picked policy shown if it is still there.
		a.refine()
		return
	}
	if op == "refine" {
		a.role.note = ""
		if out.Unpicked {
			a.role.note = "The " + in.Options.Principal + " picked before is not in this input: showing its first principal."
			a.role.principal = ""
		}
	}
	if out.Error != nil {
		a.showError(out.Error)
		return
	}
	if out.Role && out.Rec != nil {
		rest := 1 // the parts after the policy's, when there is one
		if out.Index >= 0 {
			rest = 5 + (out.Changes+changesPart-1)/changesPart + out.DiffParts + 1
		}
		a.role.showRemote(out.Rec, out.Index, seq, ans.part(rest), ans.part(rest+1))
		a.byID("findings-info").SetTextContent(describe.Findings(out.Rec.Whittle.Findings, out.FindingsActions, out.FindingsServices))
		if out.Index < 0 {
			a.remote, a.req, a.policyText = nil, nil, policy
			a.clearError()
			a.renderNothing(describe.NothingToRefine(out.Rec))
			a.check.check()
			a.finish(t0, now(), "in a Web Worker")
			return
		}
	}
	mark("answer")
	t1 := now()
	a.mark("engine", t1-t0)
	a.breakdown += "(asked " + formatMS(ta-t0) + ", answered " + formatMS(js.Global().Get("whittleStats").Get("answerMs").Float()-ta) +
		", resumed " + formatMS(tr-js.Global().Get("whittleStats").Get("answerMs").Float()) + ", head " + formatMS(t1-tr) + "; worker: " + strings.TrimSpace(out.Times) + ") "
	a.drawRemote(seq, t0, t1, &out, ans, policy)
}

// drawRemote draws the worker's answer for one policy (out and its parts in
// ans), one part a task, stopping when a newer refinement is asked for.
func (a *app) drawRemote(seq int, t0, t1 float64, out *refineOut, ans answer, policy string) {
	np := (out.Changes + changesPart - 1) / changesPart
	r := &remoteResult{seq: seq, known: out.Known, only: map[string]map[string]string{}, decoded: make([]bool, np)}
	for i := 0; i < np; i++ {
		r.changes = append(r.changes, ans.part(1+i))
	}
	resp := out.Response
	resp.Changes = make([]engine.Change, out.Changes)
	resp.RecommendedPolicy = json.RawMessage(ans.text(1 + np))
	a.remote, a.req = r, nil
	a.policyText, a.docText, a.docBase = policy, policy, 0
	if out.Role {
		a.docText, a.docBase = ans.text(5+np+out.DiffParts), out.DocOffset
	} else {
		a.role.hide()
		a.byID("findings-info").SetTextContent(describe.Findings(resp.Findings, out.FindingsActions, out.FindingsServices))
	}
	a.clearError()
	res := &result{resp: *resp, refined: ans.text(2 + np), drawn: ans.part(3 + np)}
	a.drawSummary(res)
	mark("summary")
	tc := now()
	yield()
	if seq != a.seq {
		return
	}
	a.renderExplanations()
	mark("explanations")
	a.mark("changes", now()-tc)
	yield()
	if seq != a.seq {
		return
	}
	td := now()
	if !a.drawRemoteDiff(seq, resp, out.DiffParts, func(i int) js.Value { return ans.part(5 + np + i) }) {
		return
	}
	a.mark("diff", now()-td)
	yield()
	if seq != a.seq {
		return
	}
	tt := now()
	var tries []engine.Trie
	if err := json.Unmarshal([]byte(ans.text(4+np)), &tries); err != nil {
		panic(err) // the worker wrote it: a bug, not an input's fault
	}
	yield()
	if seq != a.seq {
		return
	}
	a.trie.renderTries(tries) // asks the worker for the trie it draws
	if seq != a.seq {
		return
	}
	mark("trie")
	a.mark("trie", now()-tt)
	a.check.check()
	a.finish(t0, t1, "in a Web Worker")
}

// drawRemoteDiff draws the diff of resp from its n parts, one a task, unless
// it is the one drawn already; it reports false when a newer refinement was
// asked for meanwhile.
func (a *app) drawRemoteDiff(seq int, resp *engine.Response, n int, part func(int) js.Value) bool {
	el := a.byID("diff-view")
	key := a.docText + "\x00" + string(resp.RecommendedPolicy)
	if key == a.diffKey {
		a.dropHighlight(el)
		return true
	}
	a.diffKey = ""
	clear(el)
	for i := 0; i < n; i++ {
		if i > 0 {
			yield()
			if seq != a.seq {
				return false
			}
		}
		js.Global().Call("whittleBuild", el.Underlying(), part(i), "")
		mark("diff-part")
	}
	a.diffKey = key
	return true
}

// finish records a refinement's figures (whittleStats), says them in the
// status line, and tells whoever waits (the whittle-refined event, the
// service worker's and the engine worker's start after the first result).
func (a *app) finish(t0, t1 float64, where string) {
	t2 := now()
	ms := t2 - t0
	a.refines++
	g := js.Global()
	stats := g.Get("whittleStats")
	if stats.IsUndefined() {
		stats = g.Get("Object").New()
		g.Set("whittleStats", stats)
	}
	if a.refines == 1 {
		stats.Set("firstResultMs", now())
		if fn := g.Get("whittleOffline"); fn.Type() == js.TypeFunction {
			fn.Invoke()
		}
		go a.warmWorker()
	}
	stats.Set("lastRefineMs", ms)
	stats.Set("lastEngineMs", t1-t0)
	stats.Set("lastRenderMs", t2-t1)
	stats.Set("refines", a.refines)
	stats.Set("breakdown", strings.TrimSpace(a.breakdown))
	a.breakdown = ""
	a.status.SetTextContent("Refined in " + formatMS(ms) + " (engine " + formatMS(t1-t0) + ", drawing " + formatMS(t2-t1) + "), " + where)
	mark("refined")
	g.Get("document").Call("dispatchEvent", g.Get("Event").New("whittle-refined"))
}

// warmWorker starts the engine's worker after the first result and has it
// refine a policy of broad read-only patterns against the built-in catalog, so
// that its session holds the catalog's universe (see engine.Session), its Go
// heap is grown, and V8 has run (and begun to optimize) the engine's hot code
// before the first large input comes. The answer is dropped
// (its sequence number, 0, is never the page's); a warm-up never makes the
// worker skip a refinement the page waits for (web/engine-worker.js).
func (a *app) warmWorker() {
	_, err := ask("warm", &remoteIn{
		Options:  engine.Options{Granularity: a.granularitySel.Value()},
		Policy:   warmPolicy,
		Findings: warmFindings,
	})
	if st := js.Global().Get("whittleStats"); err == nil && st.Truthy() {
		st.Set("workerWarmMs", now())
	}
}

// warmPolicy and warmFindings are warmWorker's refinement: wildcards over
// large services, some partly unused, so that the trie, the generalization
// and the verification all run.
const (
	warmPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
		"ec2:Describe*", "ec2:Get*", "iam:Get*", "iam:List*", "s3:Get*", "s3:List*", "lambda:Get*", "lambda:List*",
		"rds:Describe*", "dynamodb:Describe*", "dynamodb:List*", "cloudwatch:Describe*", "logs:Describe*", "sqs:Get*", "sqs:List*"]}]}`
	warmFindings = `["ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:GetConsoleOutput", "iam:GetUser", "iam:ListRoles",
		"s3:GetObject", "s3:GetBucketPolicy", "s3:ListBucket", "lambda:GetFunction", "lambda:ListFunctions",
		"rds:DescribeDBInstances", "dynamodb:DescribeTable", "cloudwatch:DescribeAlarms", "logs:DescribeLogGroups", "sqs:GetQueueUrl"]`
)
