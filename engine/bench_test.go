package engine

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Benchmarks of the Performance section of the README. Run natively with
//
//	go test ./engine -run='^$' -bench=Refine -benchmem -count=10
//
// and as WebAssembly under Node with
//
//	GOOS=js GOARCH=wasm go test ./engine -run='^$' -bench=Refine -benchmem -count=10 -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec"

// BenchmarkRefineArticle refines the article's example with the catalog loaded.
func BenchmarkRefineArticle(b *testing.B) {
	p, f := articleInputs(b)
	cat := catalog2024(b)
	b.ReportAllocs()
	for b.Loop() {
		Refine(p, f, cat, Options{})
	}
}

// BenchmarkHandleRefineArticle answers the whole API request of the article's
// example: parsing, overlaying the 2024 catalog, refining, encoding.
func BenchmarkHandleRefineArticle(b *testing.B) {
	body := []byte(`{"policy":` + string(mustRead(b, "testdata/article/policy.json")) +
		`,"findings":` + string(mustRead(b, "testdata/article/findings.json")) +
		`,"catalog":` + string(mustRead(b, "testdata/catalog-2024-08-31.json")) + `}`)
	BuiltinCatalog()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HandleRefine(body); err != nil {
			b.Fatal(err)
		}
	}
}

// halfUnused marks every second action the policy can reach as unused.
func halfUnused(cat *Catalog, p *Policy) *Findings {
	f := &Findings{}
	for i, a := range reachableAllowed(cat, p) {
		if i%2 == 0 {
			f.Actions = append(f.Actions, UnusedAction{Name: a})
		}
	}
	return f
}

// readOnlyHalf is ReadOnlyAccess (text and parsed) and findings with every
// second action it allows unused.
func readOnlyHalf(t testing.TB) (string, *Policy, *Findings) {
	t.Helper()
	text := string(mustRead(t, "testdata/policies/ReadOnlyAccess.json"))
	p, err := parsePolicy([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return text, p, halfUnused(BuiltinCatalog(), p)
}

// reachableAllowed lists the catalog actions the policy's Allow statements
// allow, by brute force with Match (allowedSet).
func reachableAllowed(cat *Catalog, p *Policy) []string {
	actions := reachable(cat, p)
	bySvc := map[string][]string{}
	for _, a := range actions {
		svc, _, _ := strings.Cut(a, ":")
		bySvc[svc] = append(bySvc[svc], a)
	}
	allowed := map[string]bool{}
	for _, s := range p.Statements {
		if s.Effect == "Allow" {
			maps.Copy(allowed, allowedSet(s, actions, bySvc))
		}
	}
	var out []string
	for _, a := range actions {
		if allowed[strings.ToLower(a)] {
			out = append(out, a)
		}
	}
	return out
}

// BenchmarkRefineReadOnlyHalf refines ReadOnlyAccess (2,914 patterns) with half of
// the actions it allows unused.
func BenchmarkRefineReadOnlyHalf(b *testing.B) {
	_, p, f := readOnlyHalf(b)
	cat := BuiltinCatalog()
	b.ReportAllocs()
	for b.Loop() {
		Refine(p, f, cat, Options{})
	}
}

// BenchmarkRefineStar40 refines "Action": "*" with 40 unused actions spread over
// the services.
func BenchmarkRefineStar40(b *testing.B) {
	p, err := parsePolicy([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
	if err != nil {
		b.Fatal(err)
	}
	cat := BuiltinCatalog()
	all := reachable(cat, p)
	f := &Findings{}
	for i := 0; i < 40; i++ {
		f.Actions = append(f.Actions, UnusedAction{Name: all[i*len(all)/40]})
	}
	b.ReportAllocs()
	for b.Loop() {
		Refine(p, f, cat, Options{})
	}
}

// BenchmarkRefineCorpus refines every AWS managed policy once, with a random
// quarter of what it allows unused (needs WHITTLE_CORPUS; see corpus_test.go).
func BenchmarkRefineCorpus(b *testing.B) {
	files := corpus(b)
	cat := BuiltinCatalog()
	type job struct {
		p *Policy
		f *Findings
	}
	var jobs []job
	for _, file := range files {
		p, err := parsePolicy(mustRead(b, file))
		if err != nil {
			b.Fatal(filepath.Base(file), err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		f := &Findings{}
		for _, a := range reachable(cat, p) {
			if rng.IntN(4) == 0 {
				f.Actions = append(f.Actions, UnusedAction{Name: a})
			}
		}
		jobs = append(jobs, job{p, f})
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, j := range jobs {
			Refine(j.p, j.f, cat, Options{})
		}
	}
}

// BenchmarkRefineStarExact refines "Action": "*" with one unused action at
// granularity action: the answer lists every other action of the catalog
// (about 22,000 entries), the largest output a tiny request can ask for.
func BenchmarkRefineStarExact(b *testing.B) {
	p, err := parsePolicy([]byte(`{"Statement":{"Effect":"Allow","Action":"*"}}`))
	if err != nil {
		b.Fatal(err)
	}
	f := &Findings{Actions: []UnusedAction{{Name: "iam:PassRole"}}}
	cat := BuiltinCatalog()
	b.ReportAllocs()
	for b.Loop() {
		Refine(p, f, cat, Options{Granularity: GranularityAction})
	}
}

// BenchmarkHandleRefineLarge answers the largest policy accepted
// (MaxPolicyBytes): thousands of statements, each with two partly unused
// patterns, each replaced by a dozen entries. It is the worst case a request
// can ask for with the built-in catalog.
func BenchmarkHandleRefineLarge(b *testing.B) {
	body := largeRequest()
	b.Logf("%d bytes", len(body))
	BuiltinCatalog()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HandleRefine(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionReadOnlyHalf refines ReadOnlyAccess with half its actions
// unused in a Session, one edited policy after another, as the playground
// does while a user edits: a Resource changed (every pattern and statement
// check kept), or one action deleted from the large statement (its check made
// again), an action of another service added (likewise), or one unused
// action fewer in the findings (the patterns and checks
// whose unused marks changed made again). "new" is the first refinement of a
// session, for comparison.
func BenchmarkSessionReadOnlyHalf(b *testing.B) {
	text, p, f := readOnlyHalf(b)
	cat := BuiltinCatalog()
	variant := func(policy string) *Request {
		q, err := parsePolicy([]byte(policy))
		if err != nil {
			b.Fatal(err)
		}
		return &Request{Policy: q, Findings: f, Catalog: cat}
	}
	resources := []*Request{
		variant(strings.Replace(text, `"Resource": "*"`, `"Resource": "arn:aws:s3:::a/*"`, 1)),
		variant(strings.Replace(text, `"Resource": "*"`, `"Resource": "arn:aws:s3:::b/*"`, 1)),
	}
	var deletions []*Request
	for _, pat := range p.Statements[0].Patterns[:64] {
		deletions = append(deletions, variant(strings.Replace(text, `"`+pat.Text+`",`, "", 1)))
	}
	reached := map[string]bool{}
	for _, st := range p.Statements {
		for _, pat := range st.Patterns {
			svc, _, _ := strings.Cut(pat.Text, ":")
			reached[svc] = true
		}
	}
	var services []*Request // an action of a service the policy did not reach, another each time
	for _, svc := range cat.Services() {
		if !reached[svc] && len(services) < 16 {
			added := `"` + svc + ":" + cat.Actions(svc)[0] + `", `
			services = append(services, variant(strings.Replace(text, `"Action": [`, `"Action": [`+added, 1)))
		}
	}
	var findings []*Request // one unused action fewer, a different one each time
	for i := range 64 {
		g := &Findings{Actions: slices.Delete(slices.Clone(f.Actions), 53*i, 53*i+1)}
		findings = append(findings, &Request{Policy: resources[0].Policy, Findings: g, Catalog: cat})
	}
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			new(Session).Respond(resources[0])
		}
	})
	for _, c := range []struct {
		name string
		reqs []*Request
	}{{"resource-edit", resources}, {"action-edit", deletions}, {"service-edit", services}, {"findings-edit", findings}} {
		b.Run(c.name, func(b *testing.B) {
			var s Session
			s.Respond(c.reqs[len(c.reqs)-1])
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				s.Respond(c.reqs[i%len(c.reqs)])
				i++
			}
		})
	}
}

// largeRequest is the request of BenchmarkHandleRefineLarge.
func largeRequest() []byte {
	var stmts []string
	var findings []string
	size := 0
	for i := 0; size+200 < MaxPolicyBytes-100; i++ {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["s3:Get*","ec2:Describe*"],"Resource":"arn:aws:s3:::bucket-%d/*"}`, i, i))
		size += len(stmts[i]) + 1
	}
	for _, a := range []string{"s3:GetBucketAcl", "s3:GetObjectAcl", "ec2:DescribeImages"} {
		findings = append(findings, `"`+a+`"`)
	}
	return []byte(`{"policy":{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]},"findings":[` + strings.Join(findings, ",") + `]}`)
}
