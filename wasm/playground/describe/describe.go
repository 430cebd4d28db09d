// Package describe writes the playground's sentences about the engine's
// answers: plain string work, tested natively (the page only shows the text).
package describe

import (
	"strconv"
	"strings"

	"whittle/engine"
)

// Count writes n and the noun, singular or plural: "1 action", "3 actions".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Group(n) + " " + many
}

// Group writes n with thousands separators: 6144 → 6,144.
func Group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// list writes up to max names, then how many more.
func list(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + " and " + strconv.Itoa(len(names)-max) + " more"
}

// formNames names the findings forms for people.
var formNames = map[string]string{
	engine.FormAnalyzer:     "Access Analyzer findings",
	engine.FormFindingV2:    "Access Analyzer finding (get-finding-v2 output)",
	engine.FormActionNames:  "a list of action names",
	engine.FormMixed:        "findings of several forms",
	engine.FormEmpty:        "nothing unused",
	engine.FormLastAccessed: "IAM last-accessed report",
}

// Findings says how the findings were read: their form, and for a report its
// window and what it found. actions and services count the unused actions and
// whole services of the other forms.
func Findings(fi engine.FindingsInfo, actions, services int) string {
	name := formNames[fi.Form]
	if name == "" {
		name = fi.Form
	}
	r := fi.Report
	if r == nil {
		if fi.Form == engine.FormEmpty {
			return "Read as " + name + "."
		}
		return "Read as " + name + ": " + Count(actions, "unused action", "unused actions") + ", " +
			Count(services, "whole service", "whole services") + " unused."
	}
	level := "service level"
	if r.JobType == engine.JobActionLevel {
		level = "action level"
	}
	s := "Read as an " + name + " (" + level + "), window " + day(r.WindowStart) + " → " + day(r.WindowEnd) +
		" (" + Count(r.UnusedAccessAge, "day", "days") + "): "
	if len(r.UnusedServices) == 0 {
		s += "no service unused"
	} else {
		s += Count(len(r.UnusedServices), "service", "services") + " unused (" + list(r.UnusedServices, 6) + ")"
	}
	if r.JobType == engine.JobActionLevel {
		s += ", " + Count(len(r.UnusedActions), "tracked action", "tracked actions") + " unused"
	}
	s += "; " + Count(r.UntrackedKept, "allowed action stays", "allowed actions stay") + " because the report does not track it"
	if r.UntrackedKept != 1 {
		s = strings.TrimSuffix(s, "it") + "them"
	}
	return s + "."
}

// day is the date part of a time the engine wrote.
func day(t string) string {
	d, _, _ := strings.Cut(t, "T")
	return d
}

// Verdict is the short verdict of one policy of a principal: what to do with it.
func Verdict(d *engine.PolicyDetail) string {
	if d.Answer == nil {
		return "not refined: no document"
	}
	switch d.Answer.RecommendedAction {
	case engine.ActionCreate:
		return "refine"
	case engine.ActionDetach:
		return "detach: wholly unused"
	case engine.ActionNone:
		return "keep: nothing unused"
	}
	return d.Answer.RecommendedAction
}

// NothingToRefine says why a principal's recommendation shows no refined
// policy, when none of its policies has an answer: the principal has no
// policy, or none of them has a document (its warnings say why).
func NothingToRefine(rec *engine.Recommendation) string {
	if p := rec.Whittle.Principal; p != nil && len(rec.Whittle.Policies) == 0 {
		return "The " + p.Kind + " " + p.Name + " has no policies: there is nothing to refine."
	}
	return "None of these policies has a document to refine: see the messages above."
}

// Size is a policy's size before and after, in characters without whitespace.
func Size(d *engine.PolicyDetail) string {
	if d.Answer == nil {
		return ""
	}
	s := d.Answer.Size
	if d.Answer.RecommendedAction == engine.ActionDetach {
		return Group(s.Before) + " → detached"
	}
	return Group(s.Before) + " → " + Group(s.After)
}

// PolicyName is how a policy of a principal is named in a list: an inline
// policy by its name, a managed one by the last part of its ARN.
func PolicyName(d *engine.PolicyDetail) string {
	if d.Kind == engine.PolicyManaged {
		return d.ExistingPolicyID[strings.LastIndexByte(d.ExistingPolicyID, '/')+1:]
	}
	if d.ExistingPolicyID == "" {
		return "(unnamed)"
	}
	return d.ExistingPolicyID
}

// WarningGroup is the warnings of one code, said in one line, with each
// warning's own text for whoever opens it.
type WarningGroup struct {
	Code    string
	Summary string
	Items   []string
}

// subject is what a warning is about: the first quoted name of its message
// (the engine quotes the pattern, action or service), "" if none.
func subject(msg string) string {
	i := strings.IndexByte(msg, '"')
	if i < 0 {
		return ""
	}
	q, err := strconv.QuotedPrefix(msg[i:])
	if err != nil {
		return ""
	}
	s, _ := strconv.Unquote(q)
	return s
}

// Warnings groups warnings by code, in the order codes first appear: one line
// a group, with the count, and for names the catalog does not know, their
// services and the question a person would ask (known tells whether the
// catalog of catalogDate has a service).
func Warnings(ws []engine.Warning, catalogDate string, known func(service string) bool) []WarningGroup {
	var groups []WarningGroup
	index := map[string]int{}
	for _, w := range ws {
		text := w.Code + ": " + w.Message
		if w.Path != "" && !strings.Contains(w.Message, w.Path) {
			text += " (" + w.Path + ")"
		}
		i, ok := index[w.Code]
		if !ok {
			i = len(groups)
			index[w.Code] = i
			groups = append(groups, WarningGroup{Code: w.Code})
		}
		groups[i].Items = append(groups[i].Items, text)
	}
	for gi := range groups {
		g := &groups[gi]
		var ws1 []engine.Warning
		for _, w := range ws {
			if w.Code == g.Code {
				ws1 = append(ws1, w)
			}
		}
		var unknown []string // services not in the catalog, each once
		seen := map[string]bool{}
		for _, w := range ws1 {
			svc, _, _ := strings.Cut(subject(w.Message), ":")
			svc = strings.ToLower(svc)
			if svc != "" && svc != "*" && !strings.ContainsAny(svc, "*?") && !known(svc) && !seen[svc] {
				seen[svc] = true
				unknown = append(unknown, svc)
			}
		}
		retired := ""
		if len(unknown) > 0 {
			retired = "; " + Count(len(unknown), "service is", "services are") + " not in the catalog of " + catalogDate +
				" (retired or renamed?): " + list(unknown, 8)
		}
		n := len(g.Items)
		switch g.Code {
		case engine.WarnUnknownPattern:
			g.Summary = Count(n, "pattern matches", "patterns match") + " no action in the catalog and " + map[bool]string{true: "is", false: "are"}[n == 1] + " kept as written" + retired
		case engine.WarnUnknownAction:
			g.Summary = Count(n, "unused action is", "unused actions are") + " not in the catalog; they count as unused all the same" + retired
		case engine.WarnUnknownService:
			g.Summary = Count(n, "service of the findings is", "services of the findings are") + " not in the catalog of " + catalogDate + " (retired or renamed?): " + list(unknown, 8)
		default:
			if n == 1 {
				g.Summary = strings.TrimPrefix(g.Items[0], g.Code+": ")
			} else {
				g.Summary = Count(n, "warning", "warnings")
			}
		}
		g.Summary = g.Code + " · " + g.Summary
	}
	return groups
}

// Part is a piece of a sentence; Action, when set, is the action the piece
// names (a page may link it to the trie that holds it).
type Part struct {
	Text   string
	Action string
}

// checkShown is how many issues of one kind a check names before "and N more".
const checkShown = 8

// Check says a check of a candidate: a verdict line, then one sentence an issue.
func Check(pc *engine.PolicyCheck) (verdict string, sentences [][]Part) {
	more := func(n int) {
		if n > checkShown {
			sentences = append(sentences, []Part{{Text: "… and " + strconv.Itoa(n-checkShown) + " more of these."}})
		}
	}
	for i, o := range pc.OverPermissive {
		if i == checkShown {
			more(len(pc.OverPermissive))
			break
		}
		why := ", which is unused"
		if o.Why != engine.WhyUnused {
			why = ", which the original did not allow"
		}
		if o.AccessLevel != "" {
			why += " (" + o.AccessLevel + ")"
		}
		sentences = append(sentences, []Part{{Text: "The candidate allows "}, {Text: o.Action, Action: o.Action}, {Text: why + "."}})
	}
	for i, u := range pc.UnderPermissive {
		if i == checkShown {
			more(len(pc.UnderPermissive))
			break
		}
		sentences = append(sentences, []Part{{Text: "It drops "}, {Text: u.Action, Action: u.Action}, {Text: ", which is still used."}})
	}
	for _, b := range pc.Broader {
		s := []Part{{Text: b.Pattern + " is broader than " + list(b.Original, 4)}}
		if b.Witness != "" {
			s = append(s, Part{Text: ": it also allows "}, Part{Text: b.Witness, Action: b.Witness})
		}
		sentences = append(sentences, append(s, Part{Text: "."}))
	}
	for _, s := range pc.Structure {
		sentences = append(sentences, []Part{{Text: "It changes more than actions: " + s + "."}})
	}
	for _, r := range pc.Redundant {
		sentences = append(sentences, []Part{{Text: "Redundant: " + r + "."}})
	}
	if pc.Verdict == engine.VerdictExact {
		verdict = "✓ Exact: the candidate allows exactly what the original allowed, minus the unused actions."
		switch w, sz := pc.Whittle, pc.Size; {
		case len(w.OnlyInCandidate)+len(w.OnlyInWhittle) == 0:
			verdict += " It is Whittle's answer."
		default:
			verdict += " Written otherwise than Whittle's answer: " + Group(sz.Candidate) + " characters, Whittle's " + Group(sz.Whittle) + "."
		}
		return verdict, sentences
	}
	var counts []string
	for _, c := range []struct {
		n         int
		one, many string
	}{
		{len(pc.OverPermissive), "action too many", "actions too many"},
		{len(pc.UnderPermissive), "action lost", "actions lost"},
		{len(pc.Broader), "pattern broader than the original", "patterns broader than the original"},
		{len(pc.Structure), "change besides actions", "changes besides actions"},
		{len(pc.Redundant), "redundant entry", "redundant entries"},
	} {
		if c.n > 0 {
			counts = append(counts, Count(c.n, c.one, c.many))
		}
	}
	return "✗ Not exact: " + strings.Join(counts, ", ") + ".", sentences
}
