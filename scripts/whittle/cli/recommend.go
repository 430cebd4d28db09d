package cli

import "whittle/engine"

const recommendHelp = `whittle recommend --policies FILE --findings FILE [--principal NAME] [flags]
whittle recommend --authorization-details FILE --last-accessed DIR --out DIR [flags]

The first form refines every policy of one principal, given as a list
[{"existingPolicyId", "document", "policyUpdatedAt"?}] or as the output of
aws iam get-account-authorization-details (--principal names the role or user,
by name or ARN), and answers in the shape of
aws accessanalyzer get-finding-recommendation: POST /api/v1/recommendation's
answer, byte for byte but for the clock's startedAt and completedAt.

The second form does it for every role and user of the dump whose
last-accessed report DIR/<name>.json exists, on every core, and writes each
answer to --out DIR/<name>.json; a table of what it found closes the run.
Principals without a report are listed, not fatal; a principal whose input is
bad is listed with the reason and makes the exit code 1.
`

func (r *runner) recommend(args []string) int {
	fs := r.flags("recommend", recommendHelp)
	var policies, findings, principal string
	var b batch
	var c common
	fs.StringVar(&policies, "policies", "", "the principal's policies `FILE`: a list of policies or an authorization-details dump")
	fs.StringVar(&findings, "findings", "", "the unused permissions `FILE`: findings, action names or a last-accessed report")
	fs.StringVar(&principal, "principal", "", "the role or user `NAME` (or ARN) of a dump of several")
	fs.StringVar(&b.dump, "authorization-details", "", "the output `FILE` of aws iam get-account-authorization-details, for every principal at once")
	fs.StringVar(&b.reports, "last-accessed", "", "the `DIR` of last-accessed reports, one <name>.json per role or user")
	fs.StringVar(&b.out, "out", "", "the `DIR` to write one <name>.json answer per principal to (made if missing)")
	fs.IntVar(&b.jobs, "jobs", r.cores, "principals refined at once (default: the number of cores)")
	c.register(fs)
	if code, ok := r.parse(fs, args); !ok {
		return code
	}
	opt, code, ok := c.options(r)
	if !ok {
		return code
	}
	if b.dump != "" || b.reports != "" || b.out != "" {
		if policies != "" || findings != "" || principal != "" {
			return r.usageError("recommend: --authorization-details, --last-accessed and --out (every principal) do not mix with --policies, --findings and --principal (one)")
		}
		if b.dump == "" || b.reports == "" || b.out == "" {
			return r.usageError("recommend for every principal needs --authorization-details FILE, --last-accessed DIR and --out DIR")
		}
		if b.jobs < 1 {
			return r.usageError("--jobs: want at least 1, not %d", b.jobs)
		}
		b.common, b.opt = c, opt
		return r.batch(&b)
	}
	if policies == "" || findings == "" {
		return r.usageError("recommend needs --policies FILE and --findings FILE (or --authorization-details, --last-accessed and --out)")
	}
	opt.Principal = principal
	files, code, ok := r.readFiles(fileFlag{"policies", "policies", policies}, fileFlag{"findings", "findings", findings}, fileFlag{"catalog", "catalog", c.catalog})
	if !ok {
		return code
	}
	set, e := engine.ParsePolicies(files["policies"].text)
	if e != nil {
		return r.badInput(e, files)
	}
	rr, e := engine.RecommendationFromPolicies(set, files["findings"].text, files["catalog"].text, opt)
	if e != nil {
		return r.badInput(e, files)
	}
	rec := engine.Recommend(rr, r.now)
	r.stdout.Write(rec.JSON())
	if c.failOnUnused && len(rec.RecommendedSteps) > 0 {
		return ExitUnused
	}
	return ExitOK
}
