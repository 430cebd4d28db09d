package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"whittle/engine"
)

// batch is `whittle recommend --authorization-details FILE --last-accessed DIR
// --out DIR`: every principal of the dump with a report.
type batch struct {
	dump, reports, out string
	jobs               int
	common
	opt engine.Options
}

// principalResult is what the batch learned about one principal.
type principalResult struct {
	info     engine.PrincipalInfo
	skipped  string // why it was not refined (no report): not a failure
	failed   string // the placed message of a refusal
	policies int
	create   int
	detach   int
	levels   map[string]int // removed actions by access level
	removed  int
	warnings int // of the principal and of its policies
}

func (r *runner) batch(b *batch) int {
	start := time.Now()
	files, code, ok := r.readFiles(fileFlag{"policies", "authorization-details", b.dump}, fileFlag{"catalog", "catalog", b.catalog})
	if !ok {
		return code
	}
	dumpIn, catIn := files["policies"], files["catalog"]
	if st, err := os.Stat(b.reports); err != nil || !st.IsDir() {
		fmt.Fprintf(r.stderr, "whittle: --last-accessed: %s is not a directory\n", b.reports)
		return ExitBadInput
	}
	set, e := engine.ParsePolicies(dumpIn.text)
	if e != nil {
		return r.badInput(e, map[string]input{"policies": dumpIn})
	}
	if set.Form() != engine.InputAuthorizationDetails {
		fmt.Fprintf(r.stderr, "%s: this is not the output of aws iam get-account-authorization-details (no RoleDetailList or UserDetailList)\n", dumpIn.name)
		return ExitBadInput
	}
	principals := set.Principals()
	if len(principals) == 0 {
		fmt.Fprintf(r.stderr, "%s: the authorization details hold no role or user\n", dumpIn.name)
		return ExitBadInput
	}
	if err := os.MkdirAll(b.out, 0o755); err != nil {
		fmt.Fprintln(r.stderr, "whittle: --out:", err)
		return ExitBadInput
	}
	if same(b.out, b.reports) {
		return r.usageError("--out %s is the --last-accessed folder: the answers would overwrite the reports", b.out)
	}

	results := make([]principalResult, len(principals))
	seen := map[string]int{} // lower-cased name → index of the first principal so named
	var todo []int
	for i, info := range principals {
		results[i].info = info
		key := strings.ToLower(info.Name)
		if j, dup := seen[key]; dup {
			results[i].failed = fmt.Sprintf("%s %s has the name of %s %s: %s.json cannot say whose report it is, nor hold both answers",
				info.Kind, info.Name, principals[j].Kind, principals[j].Name, info.Name)
			continue
		}
		seen[key] = i
		todo = append(todo, i)
	}

	work := make(chan int)
	done := make(chan int)
	var wg sync.WaitGroup
	for range min(b.jobs, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r.one(b, set, dumpIn, catIn, &results[i])
				done <- i
			}
		}()
	}
	go func() {
		for _, i := range todo {
			work <- i
		}
		close(work)
		wg.Wait()
		close(done)
	}()
	bar := newProgress(r.stderr, r.terminal(r.stderr), len(todo))
	for i := range done {
		bar.step(results[i].info.Name)
	}
	bar.clear()

	return r.table(b, results, time.Since(start))
}

// one refines the policies of one principal, writes its answer and fills res.
// It runs on its own goroutine: it shares only read-only values.
func (r *runner) one(b *batch, set *engine.Policies, dumpIn, catIn input, res *principalResult) {
	info := res.info
	reportPath := filepath.Join(b.reports, info.Name+".json")
	text, err := os.ReadFile(reportPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			res.skipped = "no report " + reportPath
		} else {
			res.failed = err.Error()
		}
		return
	}
	opt := b.opt
	opt.Principal = info.Name
	if info.Arn != "" {
		opt.Principal = info.Arn // exact, where a role and a user could share a name
	}
	rr, e := engine.RecommendationFromPolicies(set, string(text), catIn.text, opt)
	if e != nil {
		res.failed = placed(e, map[string]input{"policies": dumpIn, "findings": {name: reportPath}, "catalog": catIn})
		return
	}
	rec := engine.Recommend(rr, r.now)
	// whittle.principals lists every principal of the dump, for a page's
	// picker: in one file per principal it would make the answers grow as the
	// square of the principals (178 MB for 1,000 instead of 38), so the batch leaves it out.
	// The rest is the API's answer, byte for byte.
	rec.Whittle.Principals = nil
	if err := os.WriteFile(filepath.Join(b.out, info.Name+".json"), rec.JSON(), 0o644); err != nil {
		res.failed = err.Error()
		return
	}
	res.policies = len(rec.Whittle.Policies)
	res.levels = map[string]int{}
	for _, s := range rec.RecommendedSteps {
		switch s.Step.RecommendedAction {
		case engine.ActionCreate:
			res.create++
		case engine.ActionDetach:
			res.detach++
		}
	}
	res.warnings = len(rec.Whittle.Warnings)
	for _, p := range rec.Whittle.Policies {
		if p.Answer != nil {
			res.warnings += len(p.Answer.Warnings)
			removed := removedActions(p.Answer)
			res.removed += len(removed)
			addLevels(res.levels, removed, rr.Catalog)
		}
	}
}

// same reports whether the folders a and b are one.
func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// table writes the closing table on standard output and returns the exit code.
func (r *runner) table(b *batch, results []principalResult, took time.Duration) int {
	tw := tabwriter.NewWriter(r.stdout, 0, 0, 2, ' ', 0)
	cols := append([]string{"PRINCIPAL", "KIND", "POLICIES", "CREATE", "DETACH", "REMOVED"}, accessLevels...)
	cols = append(cols, unknownLevel, "WARNINGS")
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	var total principalResult
	total.levels = map[string]int{}
	answered, steps := 0, 0
	var skipped, failed []principalResult
	for _, res := range results {
		switch {
		case res.failed != "":
			failed = append(failed, res)
			continue
		case res.skipped != "":
			skipped = append(skipped, res)
			continue
		}
		answered++
		steps += res.create + res.detach
		row := []string{res.info.Name, res.info.Kind, count(res.policies), count(res.create), count(res.detach), count(res.removed)}
		for _, l := range append(accessLevels, unknownLevel) {
			row = append(row, count(res.levels[l]))
			total.levels[l] += res.levels[l]
		}
		row = append(row, count(res.warnings))
		total.warnings += res.warnings
		total.policies += res.policies
		total.create += res.create
		total.detach += res.detach
		total.removed += res.removed
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	row := []string{"TOTAL", "", count(total.policies), count(total.create), count(total.detach), count(total.removed)}
	for _, l := range append(accessLevels, unknownLevel) {
		row = append(row, count(total.levels[l]))
	}
	row = append(row, count(total.warnings))
	fmt.Fprintln(tw, strings.Join(row, "\t"))
	tw.Flush()
	w := r.stdout
	workers := min(b.jobs, max(len(results), 1))
	fmt.Fprintf(w, "\n%s principals: %s answered (in %s), %s without a report, %s failed; %s on %s\n",
		count(len(results)), count(answered), b.out, count(len(skipped)), count(len(failed)), took.Round(time.Millisecond),
		plural(workers, "worker"))
	if len(skipped) > 0 {
		fmt.Fprintln(w, "\nwithout a report (not refined):")
		for _, res := range skipped {
			fmt.Fprintf(w, "  %s %s: %s\n", res.info.Kind, res.info.Name, res.skipped)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintln(w, "\nfailed:")
		for _, res := range failed {
			fmt.Fprintf(w, "  %s %s: %s\n", res.info.Kind, res.info.Name, res.failed)
		}
		fmt.Fprintf(r.stderr, "whittle: %s failed (listed on standard output)\n", plural(len(failed), "principal"))
		return ExitBadInput
	}
	if b.failOnUnused && steps > 0 {
		return ExitUnused
	}
	return ExitOK
}

// progress draws a progress bar on a terminal, at most every progressEvery.
// It writes only carriage returns and spaces (no escape sequences), which
// every terminal, Windows' console included, draws alike.
type progress struct {
	w     io.Writer
	on    bool
	n     int
	total int
	last  time.Time
	width int // of the line drawn last
}

// progressEvery bounds the redraws: a terminal need not show more than about
// ten a second, and thousands of principals would otherwise write thousands.
const progressEvery = 100 * time.Millisecond

// progressWidth is the bar's width in characters.
const progressWidth = 30

func newProgress(w io.Writer, on bool, total int) *progress {
	return &progress{w: w, on: on, total: total}
}

// step counts one principal done and redraws the bar.
func (p *progress) step(name string) {
	p.n++
	if !p.on || p.n < p.total && time.Since(p.last) < progressEvery {
		return
	}
	p.last = time.Now()
	fill := progressWidth * p.n / max(p.total, 1)
	if r := []rune(name); len(r) > 40 {
		name = string(r[:39]) + "…"
	}
	line := fmt.Sprintf("[%s%s] %d/%d %s", strings.Repeat("#", fill), strings.Repeat(".", progressWidth-fill), p.n, p.total, name)
	n := len([]rune(line))
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", max(p.width-n, 0)))
	p.width = n
}

// clear blanks the bar's line, leaving the cursor at its start.
func (p *progress) clear() {
	if p.on && p.width > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.width)+"\r")
	}
}
