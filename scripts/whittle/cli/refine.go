package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"whittle/engine"
)

const refineHelp = `whittle refine --policy FILE --findings FILE [flags]

Refines one policy document against the unused permissions: Access Analyzer's
findings, a list of action names, or an IAM last-accessed report
(aws iam get-service-last-accessed-details). The answer is POST /api/v1/refine's,
byte for byte; --output policy prints only the refined policy, --output summary
a short report.
`

// Outputs of refine.
const (
	outputJSON    = "json"
	outputPolicy  = "policy"
	outputSummary = "summary"
)

func (r *runner) refine(args []string) int {
	fs := r.flags("refine", refineHelp)
	var policy, findings, output, triePath string
	var trie bool
	var c common
	fs.StringVar(&policy, "policy", "", "the policy document `FILE` (JSON)")
	fs.StringVar(&findings, "findings", "", "the unused permissions `FILE`: findings, action names or a last-accessed report")
	fs.StringVar(&output, "output", outputJSON, "`json` (the API's answer), policy (the refined document only) or summary")
	fs.BoolVar(&trie, "trie", false, "add the trie of each replaced pattern to the answer (options.trie)")
	fs.StringVar(&triePath, "trie-path", "", "add the trie of the pattern at this JSON `PATH` only, e.g. Statement[1].Action[0] (options.triePath)")
	c.register(fs)
	if code, ok := r.parse(fs, args); !ok {
		return code
	}
	if policy == "" || findings == "" {
		return r.usageError("refine needs --policy FILE and --findings FILE")
	}
	if output != outputJSON && output != outputPolicy && output != outputSummary {
		return r.usageError("--output: want json, policy or summary, not %q", output)
	}
	opt, code, ok := c.options(r)
	if !ok {
		return code
	}
	opt.Trie, opt.TriePath = trie, triePath
	files, code, ok := r.readFiles(fileFlag{"policy", "policy", policy}, fileFlag{"findings", "findings", findings}, fileFlag{"catalog", "catalog", c.catalog})
	if !ok {
		return code
	}
	req, e := engine.RequestFromTexts(files["policy"].text, files["findings"].text, files["catalog"].text, opt)
	if e != nil {
		return r.badInput(e, files)
	}
	resp := engine.Respond(req)
	switch output {
	case outputJSON:
		r.stdout.Write(resp.JSON())
	case outputPolicy:
		if resp.RecommendedAction == engine.ActionDetach {
			fmt.Fprintf(r.stderr, "whittle: %s: DETACH_POLICY: nothing the policy allows is still needed; no policy to print\n", files["policy"].name)
		} else {
			var b bytes.Buffer
			if err := json.Indent(&b, resp.RecommendedPolicy, "", "  "); err != nil {
				panic(err) // the engine writes valid JSON
			}
			b.WriteByte('\n')
			r.stdout.Write(b.Bytes())
		}
	case outputSummary:
		summarize(r.stdout, files["policy"].name, resp, req.Catalog)
	}
	if c.failOnUnused && resp.RecommendedAction != engine.ActionNone {
		return ExitUnused
	}
	return ExitOK
}

// summarize writes a short human report of a refinement: the verdict, the
// changes, the sizes and the warnings.
func summarize(w io.Writer, name string, resp *engine.Response, cat *engine.Catalog) {
	removed := removedActions(resp)
	levels := map[string]int{}
	addLevels(levels, removed, cat)
	fmt.Fprintf(w, "%s: %s", name, resp.RecommendedAction)
	switch resp.RecommendedAction {
	case engine.ActionNone:
		fmt.Fprintln(w, ": nothing it allows is unused")
	case engine.ActionDetach:
		fmt.Fprintln(w, ": nothing it allows is still needed")
	default:
		fmt.Fprintf(w, ": %d patterns changed, %d unused actions removed%s\n", len(resp.Changes), len(removed), levelList(levels))
	}
	v := resp.Verification
	if v.Exact {
		fmt.Fprintln(w, "  verified: exact (C1), never broader (C2), structure kept (C3), no redundancy (C5)")
	} else {
		fmt.Fprintf(w, "  verification FAILED: %d over-permissive, %d under-permissive, %d broader, %d redundant, %d structure\n",
			len(v.OverPermissive), len(v.UnderPermissive), len(v.Broader), len(v.Redundant), len(v.Structure))
	}
	s := resp.Size
	fmt.Fprintf(w, "  size: %s → %s characters without whitespace (managed policy quota %s)\n", count(s.Before), count(s.After), count(s.ManagedPolicyQuota))
	fmt.Fprintf(w, "  findings: %s", resp.Findings.Form)
	if rep := resp.Findings.Report; rep != nil {
		fmt.Fprintf(w, ", %s, unused in the %d days from %s to %s", rep.JobType, rep.UnusedAccessAge, rep.WindowStart, rep.WindowEnd)
	}
	fmt.Fprintln(w)
	if len(resp.Changes) > 0 {
		fmt.Fprintln(w, "  changes:")
	}
	for _, ch := range resp.Changes {
		var what string
		switch ch.Kind {
		case engine.ChangeRemoved:
			what = ch.Pattern + " removed"
		case engine.ChangeExcluded:
			what = "NotAction += " + strings.Join(clip(ch.Replacement, 4), ", ")
		default:
			what = ch.Pattern + " → " + strings.Join(clip(ch.Replacement, 4), ", ")
		}
		fmt.Fprintf(w, "    %s: %s (%d unused removed, %d of %d kept)\n", ch.Path, what, len(ch.Removed), ch.Kept, ch.Allowed)
	}
	if len(resp.Warnings) > 0 {
		fmt.Fprintln(w, "  warnings:")
	}
	for _, wa := range resp.Warnings {
		at := ""
		if wa.Path != "" {
			at = " " + wa.Path
		}
		fmt.Fprintf(w, "    %s%s: %s\n", wa.Code, at, wa.Message)
	}
}

// clip shortens a list to n entries and a count of the rest.
func clip(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(slices.Clone(list[:n]), fmt.Sprintf("… %d more", len(list)-n))
}

// accessLevels are the catalog's access levels in the order reports list them.
var accessLevels = []string{"List", "Read", "Write", "Permissions management", "Tagging"}

// removedActions is the set of unused actions a refinement removed (an action
// removed from two statements counts once).
func removedActions(resp *engine.Response) map[string]bool {
	removed := map[string]bool{}
	for _, ch := range resp.Changes {
		for _, a := range ch.Removed {
			removed[a] = true
		}
	}
	return removed
}

// addLevels counts the actions by their access level in cat ("Unknown" when it
// has none).
func addLevels(levels map[string]int, actions map[string]bool, cat *engine.Catalog) {
	for a := range actions {
		l := cat.AccessLevel(a)
		if l == "" {
			l = unknownLevel
		}
		levels[l]++
	}
}

// unknownLevel is the level of an action whose catalog gives none (the
// engine's own word).
const unknownLevel = "Unknown"

// levelList formats counts by access level: " (Read 3, List 2)".
func levelList(levels map[string]int) string {
	var parts []string
	for _, l := range append(slices.Clone(accessLevels), unknownLevel) {
		if n := levels[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", l, n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
