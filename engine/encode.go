package engine

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
)

// This file writes the answers' JSON without reflection. encoding/json walks
// each value through reflect and interfaces, and re-reads every RawMessage to
// compact it: in the Worker's WebAssembly that was a fifth of a role's
// recommendation. Each answer type writes itself (writeJSON) in the layout of
// json.MarshalIndent(v, "", "  ") and with its rules: fields in declaration
// order, omitempty, a nil slice as null, map keys sorted, strings escaped as
// json.Encoder with SetEscapeHTML(false) escapes them. TestWriteJSONAsEncodingJSON
// holds every type to encoding/json's bytes on random values.

// jsonWriter appends indented JSON to b.
type jsonWriter struct {
	b     []byte
	depth int
	empty bool // the object or array just opened has no member yet
}

// writable is an answer type that writes its own JSON.
type writable interface{ writeJSON(w *jsonWriter) }

func (w *jsonWriter) newLine() { w.b = newLine(w.b, w.depth) }

// open starts an object ('{') or an array ('[').
func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.empty = true
}

// close ends the object ('}') or array (']') last opened; an empty one stays
// on its line ("{}", "[]").
func (w *jsonWriter) close(c byte) {
	w.depth--
	if !w.empty {
		w.newLine()
	}
	w.b = append(w.b, c)
	w.empty = false
}

// next starts a member or an element.
func (w *jsonWriter) next() {
	if !w.empty {
		w.b = append(w.b, ',')
	}
	w.newLine()
	w.empty = false
}

// key starts the member k (one of the answers' own names: nothing to escape).
func (w *jsonWriter) key(k string) {
	w.next()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':', ' ')
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

// strOmit is str for a field tagged omitempty.
func (w *jsonWriter) strOmit(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jsonWriter) int(k string, v int) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

func (w *jsonWriter) bool(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

// boolOmit is bool for a field tagged omitempty.
func (w *jsonWriter) boolOmit(k string, v bool) {
	if v {
		w.bool(k, v)
	}
}

func (w *jsonWriter) null() { w.b = append(w.b, "null"...) }

// strings writes a list of strings, null when nil.
func (w *jsonWriter) strings(k string, v []string) { list(w, k, v, (*jsonWriter).element) }

// stringsOmit is strings for a field tagged omitempty.
func (w *jsonWriter) stringsOmit(k string, v []string) { listOmit(w, k, v, (*jsonWriter).element) }

// element writes a string of a list.
func (w *jsonWriter) element(s *string) { w.b = appendString(w.b, *s) }

// raw writes a JSON text as it stands, indented where it stands; null when
// nil (a json.RawMessage).
func (w *jsonWriter) raw(k string, v json.RawMessage) {
	w.key(k)
	if v == nil {
		w.null()
		return
	}
	if !compact(v) { // the engine's are; an answer decoded from indented JSON is not
		var b bytes.Buffer
		if err := json.Compact(&b, v); err != nil {
			panic(err) // as encoding/json fails on it; only our own values reach here
		}
		v = b.Bytes()
	}
	w.b = indentCompactAt(w.b, v, w.depth)
}

// compact reports whether the JSON text v has no white space outside strings.
func compact(v []byte) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			for i++; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' {
					i++
				}
			}
		case ' ', '\t', '\n', '\r':
			return false
		}
	}
	return true
}

// list writes the elements of v with each, null when v is nil.
func list[T any](w *jsonWriter, k string, v []T, each func(w *jsonWriter, x *T)) {
	w.key(k)
	if v == nil {
		w.null()
		return
	}
	w.open('[')
	for i := range v {
		w.next()
		each(w, &v[i])
	}
	w.close(']')
}

// listOmit is list for a field tagged omitempty.
func listOmit[T any](w *jsonWriter, k string, v []T, each func(w *jsonWriter, x *T)) {
	if len(v) > 0 {
		list(w, k, v, each)
	}
}

func (r *Response) writeJSON(w *jsonWriter) {
	w.open('{')
	w.str("recommendedAction", r.RecommendedAction)
	w.raw("recommendedPolicy", r.RecommendedPolicy)
	list(w, "changes", r.Changes, (*jsonWriter).change)
	w.key("verification")
	w.verification(&r.Verification)
	w.key("size")
	w.size(&r.Size)
	list(w, "warnings", r.Warnings, (*jsonWriter).warning)
	w.key("findings")
	w.findings(&r.Findings)
	w.key("catalog")
	w.catalog(&r.Catalog)
	listOmit(w, "tries", r.Tries, (*jsonWriter).trie)
	w.close('}')
}

func (w *jsonWriter) change(c *Change) {
	w.open('{')
	w.int("statement", c.Statement)
	w.str("path", c.Path)
	w.str("kind", c.Kind)
	w.strOmit("pattern", c.Pattern)
	w.strings("replacement", c.Replacement)
	w.strings("removed", c.Removed)
	w.int("allowed", c.Allowed)
	w.int("kept", c.Kept)
	if len(c.AccessLevels) > 0 {
		w.key("accessLevels")
		w.open('{')
		for _, l := range slices.Sorted(maps.Keys(c.AccessLevels)) {
			w.next()
			w.b = append(appendString(w.b, l), ':', ' ')
			w.b = strconv.AppendInt(w.b, int64(c.AccessLevels[l]), 10)
		}
		w.close('}')
	}
	w.close('}')
}

func (w *jsonWriter) verification(v *Verification) {
	w.open('{')
	w.bool("exact", v.Exact)
	w.strings("overPermissive", v.OverPermissive)
	w.strings("underPermissive", v.UnderPermissive)
	w.strings("broader", v.Broader)
	w.strings("redundant", v.Redundant)
	w.strings("structure", v.Structure)
	w.close('}')
}

func (w *jsonWriter) size(s *Size) {
	w.open('{')
	w.int("before", s.Before)
	w.int("after", s.After)
	w.int("managedPolicyQuota", s.ManagedPolicyQuota)
	w.int("roleInlineQuota", s.RoleInlineQuota)
	w.int("userInlineQuota", s.UserInlineQuota)
	w.int("groupInlineQuota", s.GroupInlineQuota)
	w.close('}')
}

func (w *jsonWriter) warning(x *Warning) {
	w.open('{')
	w.str("code", x.Code)
	w.str("message", x.Message)
	w.strOmit("path", x.Path)
	w.close('}')
}

func (w *jsonWriter) findings(f *FindingsInfo) {
	w.open('{')
	w.str("form", f.Form)
	if r := f.Report; r != nil {
		w.key("report")
		w.open('{')
		w.str("jobType", r.JobType)
		w.str("windowStart", r.WindowStart)
		w.str("windowEnd", r.WindowEnd)
		w.int("unusedAccessAge", r.UnusedAccessAge)
		w.int("services", r.Services)
		w.strings("unusedServices", r.UnusedServices)
		w.strings("unusedActions", r.UnusedActions)
		w.int("untrackedKept", r.UntrackedKept)
		w.close('}')
	}
	w.close('}')
}

func (w *jsonWriter) catalog(c *CatalogInfo) {
	w.open('{')
	w.str("source", c.Source)
	w.strOmit("version", c.Version)
	w.str("date", c.Date)
	w.int("services", c.Services)
	w.int("actions", c.Actions)
	w.stringsOmit("overlay", c.Overlay)
	w.close('}')
}

func (c CatalogInfo) writeJSON(w *jsonWriter) { w.catalog(&c) }

func (w *jsonWriter) trie(t *Trie) {
	w.open('{')
	w.int("statement", t.Statement)
	w.str("path", t.Path)
	w.str("pattern", t.Pattern)
	w.key("root")
	w.trieNode(t.Root)
	w.close('}')
}

func (w *jsonWriter) trieNode(n *TrieNode) {
	if n == nil {
		w.null()
		return
	}
	w.open('{')
	w.str("prefix", n.Prefix)
	w.str("token", n.Token)
	w.bool("safe", n.Safe)
	w.bool("chosen", n.Chosen)
	w.strOmit("action", n.Action)
	w.int("wanted", n.Wanted)
	w.int("unused", n.Unused)
	w.int("other", n.Other)
	w.strOmit("blocker", n.Blocker)
	w.boolOmit("blockerUnused", n.BlockerUnused)
	listOmit(w, "children", n.Children, func(w *jsonWriter, c **TrieNode) { w.trieNode(*c) })
	w.close('}')
}

func (r *Recommendation) writeJSON(w *jsonWriter) {
	w.open('{')
	w.str("startedAt", r.StartedAt)
	w.str("completedAt", r.CompletedAt)
	w.key("error")
	if r.Error == nil {
		w.null()
	} else {
		w.b = append(w.b, "{}"...)
	}
	w.strOmit("resourceArn", r.ResourceArn)
	w.str("recommendationType", r.RecommendationType)
	w.str("status", r.Status)
	list(w, "recommendedSteps", r.RecommendedSteps, func(w *jsonWriter, s *RecommendedStep) {
		w.open('{')
		w.key("unusedPermissionsRecommendedStep")
		w.open('{')
		w.strOmit("policyUpdatedAt", s.Step.PolicyUpdatedAt)
		w.str("recommendedAction", s.Step.RecommendedAction)
		w.strOmit("recommendedPolicy", s.Step.RecommendedPolicy)
		w.strOmit("existingPolicyId", s.Step.ExistingPolicyID)
		w.close('}')
		w.close('}')
	})
	d := &r.Whittle
	w.key("whittle")
	w.open('{')
	w.str("input", d.Input)
	if d.Principal != nil {
		w.key("principal")
		w.principal(d.Principal)
	}
	listOmit(w, "principals", d.Principals, (*jsonWriter).principal)
	w.key("findings")
	w.findings(&d.Findings)
	w.key("catalog")
	w.catalog(&d.Catalog)
	list(w, "policies", d.Policies, func(w *jsonWriter, p *PolicyDetail) {
		w.open('{')
		w.str("existingPolicyId", p.ExistingPolicyID)
		w.str("kind", p.Kind)
		w.strOmit("policyUpdatedAt", p.PolicyUpdatedAt)
		w.strOmit("path", p.Path)
		w.strOmit("missing", p.Missing)
		if p.Answer != nil {
			w.key("answer")
			p.Answer.writeJSON(w)
		}
		w.close('}')
	})
	list(w, "warnings", d.Warnings, (*jsonWriter).warning)
	w.close('}')
	w.close('}')
}

func (w *jsonWriter) principal(p *PrincipalInfo) {
	w.open('{')
	w.str("name", p.Name)
	w.str("kind", p.Kind)
	w.strOmit("arn", p.Arn)
	w.close('}')
}

func (r *CheckResponse) writeJSON(w *jsonWriter) {
	w.open('{')
	list(w, "checks", r.Checks, (*jsonWriter).policyCheck)
	w.key("findings")
	w.findings(&r.Findings)
	w.key("catalog")
	w.catalog(&r.Catalog)
	w.close('}')
}

func (w *jsonWriter) policyCheck(c *PolicyCheck) {
	w.open('{')
	w.strOmit("existingPolicyId", c.ExistingPolicyID)
	w.str("verdict", c.Verdict)
	w.str("candidateAction", c.CandidateAction)
	list(w, "overPermissive", c.OverPermissive, (*jsonWriter).actionIssue)
	list(w, "underPermissive", c.UnderPermissive, (*jsonWriter).actionIssue)
	list(w, "broader", c.Broader, func(w *jsonWriter, b *BroaderPattern) {
		w.open('{')
		w.str("path", b.Path)
		w.str("pattern", b.Pattern)
		w.strings("original", b.Original)
		w.str("witness", b.Witness)
		w.close('}')
	})
	w.strings("structure", c.Structure)
	w.strings("redundant", c.Redundant)
	w.key("whittle")
	w.open('{')
	w.str("recommendedAction", c.Whittle.RecommendedAction)
	w.strings("onlyInCandidate", c.Whittle.OnlyInCandidate)
	w.strings("onlyInWhittle", c.Whittle.OnlyInWhittle)
	w.bool("sameActions", c.Whittle.SameActions)
	w.close('}')
	w.key("size")
	w.open('{')
	w.int("original", c.Size.Original)
	w.int("candidate", c.Size.Candidate)
	w.int("whittle", c.Size.Whittle)
	w.int("managedPolicyQuota", c.Size.ManagedPolicyQuota)
	w.int("roleInlineQuota", c.Size.RoleInlineQuota)
	w.close('}')
	w.close('}')
}

func (w *jsonWriter) actionIssue(a *ActionIssue) {
	w.open('{')
	w.str("statement", a.Statement)
	w.str("action", a.Action)
	w.strOmit("accessLevel", a.AccessLevel)
	w.strOmit("why", a.Why)
	w.close('}')
}
