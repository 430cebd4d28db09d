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
