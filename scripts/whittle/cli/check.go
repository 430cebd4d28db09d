package cli

import (
	"encoding/json"
	"fmt"

	"whittle/engine"
)

const checkHelp = `whittle check --policy FILE --findings FILE --candidate FILE [flags]
whittle check --policies FILE --findings FILE --candidate FILE [--principal NAME] [flags]

Checks a candidate refinement — AWS's get-finding-recommendation output, a
hand edit, anyone's — with the engine's independent verifier: over- and
under-permissive actions, patterns broader than the original (with a witness
action), structure, redundancy, and the difference from Whittle's own answer.
The answer is POST /api/v1/check's, byte for byte. Exit 2 when a candidate is
not exact.
`

func (r *runner) check(args []string) int {
	fs := r.flags("check", checkHelp)
	var policy, policies, findings, candidate, principal string
	var c common
	fs.StringVar(&policy, "policy", "", "the policy document `FILE` (JSON)")
	fs.StringVar(&policies, "policies", "", "a principal's policies `FILE`: the recommendation request's list or an authorization-details dump")
	fs.StringVar(&findings, "findings", "", "the unused permissions `FILE`: findings, action names or a last-accessed report")
	fs.StringVar(&candidate, "candidate", "", "the candidate `FILE`: a policy document, or a get-finding-recommendation output")
	fs.StringVar(&principal, "principal", "", "the role or user (`NAME` or ARN) of an authorization-details dump")
	c.register(fs)
	if code, ok := r.parse(fs, args); !ok {
		return code
	}
	if (policy == "") == (policies == "") || findings == "" || candidate == "" {
		return r.usageError("check needs --policy FILE or --policies FILE, --findings FILE and --candidate FILE")
	}
	opt, code, ok := c.options(r)
	if !ok {
		return code
	}
	opt.Principal = principal
	key, name := "policy", policy
	if policies != "" {
		key, name = "policies", policies
	}
	files, code, ok := r.readFiles(fileFlag{key, key, name}, fileFlag{"findings", "findings", findings},
		fileFlag{"candidate", "candidate", candidate}, fileFlag{"catalog", "catalog", c.catalog})
	if !ok {
		return code
	}
	// The API's request with the files as JSON text: the same answer, and
	// errors placed in the files themselves.
	body := map[string]any{key: files[key].text, "findings": files["findings"].text, "candidate": files["candidate"].text, "options": opt}
	if c.catalog != "" {
		body["catalog"] = files["catalog"].text
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic(err) // strings and options only
	}
	out, e := engine.HandleCheck(b)
	if e != nil {
		return r.badInput(e, files)
	}
	r.stdout.Write(out)
	var resp engine.CheckResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		panic(fmt.Sprintf("the engine's check answer does not decode: %v", err))
	}
	for _, pc := range resp.Checks {
		if pc.Verdict != engine.VerdictExact {
			return ExitNotExact
		}
	}
	return ExitOK
}
