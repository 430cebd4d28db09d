package engine

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The worst-case search: request shapes that a hostile or careless client can
// send within the limits (MaxRequestBytes, MaxPolicyBytes), each built at
// growing sizes up to the limit by one generator that the benchmarks
// (BenchmarkWorstCase) and the growth test (TestWorstCaseGrowth) share.
//
//	go test ./engine -run='^TestWorstCaseTable$' -v -count=1 -worst   # size → time, growth
//	go test ./engine -run='^$' -bench='^BenchmarkWorstCase$' -benchtime=1x
//
// (scripts/worst-case runs the first.)

// worstFamily builds request bodies of one shape: body(n) has about n units
// (patterns, statements, findings, catalog actions), and grows linearly in n.
type worstFamily struct {
	name string
	what string
	body func(n int) string
}

// worstWords are distinct short strings of letters common in action names,
// the i-th for any i ≥ 0, so that patterns built from them are distinct.
func worstWord(i int) string {
	const letters = "etaoinsrlc"
	s := strconv.Itoa(i)
	b := make([]byte, len(s))
	for k := range s {
		b[k] = letters[s[k]-'0']
	}
	return string(b)
}

// quoted joins strings as JSON strings separated by commas.
func quoted(items []string) string {
	var b strings.Builder
	for i, s := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(s))
	}
	return b.String()
}

// oneStatement is a request with one Allow statement of the given key
// (Action or NotAction) and patterns, and the findings as a flat list.
func oneStatement(key string, patterns, findings []string) string {
	return `{"policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","` + key + `":[` + quoted(patterns) +
		`],"Resource":"*"}]},"findings":[` + quoted(findings) + `]}`
}

// someUnused is a few unused s3 and ec2 actions that most patterns reach.
var someUnused = []string{"s3:GetBucketAcl", "s3:PutObjectAcl", "s3:GetObjectTagging", "s3:ListBucket", "ec2:DescribeImages", "ec2:StartInstances"}

// randomCase writes name with its letters' case flipped by the bits of i: a
// distinct text for the same pattern.
func randomCase(name string, i int) string {
	b := []byte(name)
	bit := 0
	for k, c := range b {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			if i>>(bit%30)&1 == 1 {
				b[k] ^= 0x20
			}
			bit++
		}
	}
	return string(b)
}

var worstFamilies = []worstFamily{
	{"StarQuestions", "one statement of s3:* + up to 39 ? + t*, two actions unused (the issue's shape)", func(n int) string {
		pats := make([]string, n)
		for i := range pats {
			pats[i] = "s3:*" + strings.Repeat("?", i%40) + "t*"
		}
		return oneStatement("Action", pats, []string{"s3:GetObject", "s3:PutObject"})
	}},
	{"NoPrefix", "one statement of distinct svc:*word* and svc:?word* patterns (no literal prefix after the service)", func(n int) string {
		pats := make([]string, n)
		for i := range pats {
			w := "*"
			if i%2 == 1 {
				w = "?"
			}
			svc := "s3"
			if i%3 == 2 {
				svc = "ec2"
			}
			pats[i] = svc + ":" + w + worstWord(i/2) + "*"
		}
		return oneStatement("Action", pats, someUnused)
	}},
	{"NonASCII", "distinct s3:*é…* patterns: letters beyond ASCII, matched rune by rune with Unicode case folding", func(n int) string {
		pats := make([]string, n)
		for i := range pats {
			pats[i] = "s3:*" + worstWord(i) + []string{"é", "\u212a"}[i%2] + "*" // é; the Kelvin sign folds to k
		}
		return oneStatement("Action", pats, someUnused)
	}},
	{"SharedPrefix", "one statement of distinct patterns with long shared literal prefixes, and exact names in every case", func(n int) string {
		names := BuiltinCatalog().Actions("ec2")
		pats := make([]string, n)
		for i := range pats {
			switch i % 3 {
			case 0:
				pats[i] = "ec2:DescribeInstance" + worstWord(i) + "*"
			case 1:
				pats[i] = "ec2:Describe*" + worstWord(i) + "?*"
			default:
				pats[i] = randomCase("ec2:"+names[i%len(names)], i)
			}
		}
		return oneStatement("Action", pats, someUnused)
	}},
	{"RepeatedWide", "one statement repeating s3:* and ec2:* (each a long change: half their actions unused)", func(n int) string {
		cat := BuiltinCatalog()
		var unused []string
		for _, svc := range []string{"s3", "ec2"} {
			for i, a := range cat.Actions(svc) {
				if i%2 == 0 {
					unused = append(unused, svc+":"+a)
				}
			}
		}
		pats := make([]string, n)
		for i := range pats {
			pats[i] = []string{"s3:*", "ec2:*"}[i%2]
		}
		return oneStatement("Action", pats, unused)
	}},
	{"Tries", "one statement of distinct partly unused patterns, with every trie asked for (options.trie)", func(n int) string {
		pats := make([]string, n)
		for i := range pats {
			pats[i] = "ec2:*" + worstWord(i) + "*"
		}
		body := oneStatement("Action", pats, someUnused)
		return body[:len(body)-1] + `,"options":{"trie":true}}`
	}},
	{"CharGranularity", "one statement of distinct partly unused patterns at granularity char (the deepest tries)", func(n int) string {
		pats := make([]string, n)
		for i := range pats {
			pats[i] = "ec2:*" + worstWord(i) + "*"
		}
		body := oneStatement("Action", pats, someUnused)
		return body[:len(body)-1] + `,"options":{"granularity":"char"}}`
	}},
	{"Statements", "many statements, each with its own partly unused patterns", func(n int) string {
		var b strings.Builder
		b.WriteString(`{"policy":{"Version":"2012-10-17","Statement":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"Effect":"Allow","Action":["s3:Get*%s*","ec2:Describe*","s3:Put*"]}`, worstWord(i))
		}
		b.WriteString(`]},"findings":[` + quoted(someUnused) + `]}`)
		return b.String()
	}},
	{"SameStatements", "many statements with the same two partly unused patterns, each rewritten (BenchmarkHandleRefineLarge at the limit)", func(n int) string {
		var b strings.Builder
		b.WriteString(`{"policy":{"Version":"2012-10-17","Statement":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"Sid":"S%d","Effect":"Allow","Action":["s3:Get*","ec2:Describe*"],"Resource":"arn:aws:s3:::bucket-%d/*"}`, i, i)
		}
		b.WriteString(`]},"findings":["s3:GetBucketAcl","s3:GetObjectAcl","ec2:DescribeImages"]}`)
		return b.String()
	}},
	{"DenseChanges", "many short statements of four partly unused patterns each: the most changes a policy byte can ask for", func(n int) string {
		var b strings.Builder
		b.WriteString(`{"policy":{"Statement":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"Effect":"Allow","Action":["s3:Get*","ec2:Describe*","s3:List*","s3:Put*"]}`)
		}
		b.WriteString(`]},"findings":["s3:GetBucketAcl","s3:GetObjectAcl","ec2:DescribeImages","s3:ListBucket","s3:PutObjectAcl"]}`)
		return b.String()
	}},
	{"WildService", "many statements whose patterns have a wildcard service (every action of the catalog in reach)", func(n int) string {
		var b strings.Builder
		b.WriteString(`{"policy":{"Version":"2012-10-17","Statement":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"Effect":"Allow","Action":["*:Get%s*","s?:Get*"]}`, worstWord(i))
		}
		b.WriteString(`]},"findings":[` + quoted(someUnused) + `]}`)
		return b.String()
	}},
	{"UnknownPatterns", "one statement of distinct patterns that match nothing (a warning each) beside a partly unused one", func(n int) string {
		pats := make([]string, n)
		for i := range pats {
			pats[i] = "s3:Zz" + worstWord(i) + "*"
		}
		pats[0] = "s3:Get*"
		return oneStatement("Action", pats, someUnused)
	}},
	{"DenyStatements", "many Deny statements of wide patterns (kept byte for byte) beside one partly unused Allow", func(n int) string {
		var b strings.Builder
		b.WriteString(`{"policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}`)
		for i := range n {
			fmt.Fprintf(&b, `,{"Effect":"Deny","Action":["*:*%s*","s3:*"],"Resource":"*"}`, worstWord(i))
		}
		b.WriteString(`]},"findings":[` + quoted(someUnused) + `]}`)
		return b.String()
	}},
	{"NotActionList", "one NotAction statement with a long list of distinct patterns", func(n int) string {
		pats := make([]string, n)
		for i := range pats {
			pats[i] = "s3:*" + worstWord(i) + "*"
		}
		return oneStatement("NotAction", pats, someUnused)
	}},
	{"NotActionStatements", "many NotAction statements, each with its own pattern", func(n int) string {
		var b strings.Builder
		b.WriteString(`{"policy":{"Version":"2012-10-17","Statement":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"Effect":"Allow","NotAction":"s3:Get%s*"}`, worstWord(i))
		}
		b.WriteString(`]},"findings":[` + quoted(someUnused) + `]}`)
		return b.String()
	}},
	{"Catalog", "a user catalog overlaid with one long service, half of it unused, under svc:* and svc:A*", func(n int) string {
		acts := make([]string, n)
		var unused []string
		for i := range acts {
			acts[i] = "Get" + strings.ToUpper(worstWord(i)[:1]) + worstWord(i)[1:] + "Thing"
			if i%2 == 0 {
				unused = append(unused, "big:"+acts[i])
			}
		}
		return `{"policy":{"Statement":[{"Effect":"Allow","Action":["big:*","big:Get*","big:GetT*"]}]},"findings":[` +
			quoted(unused) + `],"catalog":{"big":[` + quoted(acts) + `]}}`
	}},
	{"StarHalf", `"Action": "*" with n actions of the catalog unused, spread over it`, func(n int) string {
		cat := BuiltinCatalog()
		var all []string
		for _, svc := range cat.Services() {
			for _, a := range cat.Actions(svc) {
				all = append(all, svc+":"+a)
			}
		}
		n = min(n, len(all))
		unused := make([]string, n)
		for i := range unused {
			unused[i] = all[i*len(all)/n]
		}
		return oneStatement("Action", []string{"*"}, unused)
	}},
	{"CatalogServices", "a user catalog of many small services, under \"Action\": \"*\", one action of each unused", func(n int) string {
		var b strings.Builder
		var unused []string
		b.WriteString(`{"policy":{"Statement":{"Effect":"Allow","Action":"*"}},"catalog":{`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			svc := "svc" + worstWord(i)
			fmt.Fprintf(&b, `%q:["GetThing","GetOther","ListThings","PutThing"]`, svc)
			unused = append(unused, svc+":GetThing")
		}
		b.WriteString(`},"findings":[` + quoted(unused) + `]}`)
		return b.String()
	}},
	{"Recommendation", "POST /api/v1/recommendation: many small policies (up to MaxPrincipalPolicies, then more statements in each), each refined against the same findings and catalog", func(n int) string {
		var b strings.Builder
		// At most MaxPrincipalPolicies policies (more are refused at once);
		// past that, each policy holds more statements.
		b.WriteString(`{"policies":[`)
		policies := min(n, MaxPrincipalPolicies)
		for i := range policies {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"existingPolicyId":"p%d","document":{"Statement":[`, i)
			for j := i; j < n; j += policies {
				if j > i {
					b.WriteByte(',')
				}
				b.WriteString(`{"Effect":"Allow","Action":"s3:Get*"}`)
			}
			b.WriteString(`]}}`)
		}
		b.WriteString(`],"findings":[` + quoted(someUnused) + `]}`)
		return b.String()
	}},
	{"RecommendationCatalog", "POST /api/v1/recommendation: n small policies with a 1 MB user catalog (read once for all; more than MaxPrincipalPolicies refused at once)", func(n int) string {
		acts := make([]string, 40000)
		for i := range acts {
			acts[i] = "Get" + strings.ToUpper(worstWord(i)[:1]) + worstWord(i)[1:] + "Thing"
		}
		var b strings.Builder
		b.WriteString(`{"policies":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"document":{"Statement":{"Effect":"Allow","Action":"s3:Get*"}}}`)
		}
		b.WriteString(`],"findings":[` + quoted(someUnused) + `],"catalog":{"big":[` + quoted(acts) + `]}}`)
		return b.String()
	}},
	{"Findings", "many unused actions of services the policy does not reach, and unknown ones", func(n int) string {
		cat := BuiltinCatalog()
		svcs := cat.Services()
		var fs []string
		for i := 0; len(fs) < n; i++ {
			svc := svcs[i%len(svcs)]
			acts := cat.Actions(svc)
			if i%4 == 3 {
				fs = append(fs, "unknown"+worstWord(i%97)+":Do"+worstWord(i))
			} else {
				fs = append(fs, svc+":"+acts[(i/len(svcs))%len(acts)])
			}
		}
		return oneStatement("Action", []string{"s3:Get*", "ec2:Describe*"}, fs)
	}},
	{"DeepJSON", "many statements with Conditions nested to the depth limit", func(n int) string {
		deep := strings.Repeat(`{"a":`, MaxJSONDepth-6) + `"x"` + strings.Repeat(`}`, MaxJSONDepth-6)
		var b strings.Builder
		b.WriteString(`{"policy":{"Version":"2012-10-17","Statement":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"Effect":"Allow","Action":["s3:Get*"],"Condition":{"StringEquals":%s}}`, deep)
		}
		b.WriteString(`]},"findings":[` + quoted(someUnused) + `]}`)
		return b.String()
	}},
	{"LongPatterns", "patterns of MaxPatternLength full of * and ? (the inclusion test's hard case)", func(n int) string {
		pats := make([]string, n)
		for i := range pats {
			var b strings.Builder
			b.WriteString("s3:")
			for k := 0; b.Len() < MaxPatternLength-2; k++ {
				switch (i + k) % 4 {
				case 0:
					b.WriteString("*")
				case 1:
					b.WriteString("t")
				default:
					b.WriteString("?")
				}
			}
			b.WriteString(worstWord(i)[:1] + "*")
			pats[i] = b.String()[:MaxPatternLength]
		}
		return oneStatement("Action", pats, []string{"s3:GetObject", "s3:PutObject"})
	}},
	{"LongStrings", "statements with long Sid, Resource and Condition strings", func(n int) string {
		long := strings.Repeat("arn:aws:s3:::bucket-é/", 200)
		var b strings.Builder
		b.WriteString(`{"policy":{"Version":"2012-10-17","Statement":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"Sid":"S%d","Effect":"Allow","Action":"s3:Get*","Resource":%q}`, i, long)
		}
		b.WriteString(`]},"findings":[` + quoted(someUnused) + `]}`)
		return b.String()
	}},
}

// fits reports whether a body of the family is within the limits.
func worstFits(body string) bool {
	if len(body) > MaxRequestBytes {
		return false
	}
	top, err := ParseJSON([]byte(body))
	if err != nil {
		panic(err)
	}
	if top.Get("policies") != nil {
		return true
	}
	return policyBytes(top.Get("policy")) <= MaxPolicyBytes
}

// worstSizes returns the sizes of a family to try: doubling from start, and the
// largest that fits the limits.
func worstSizes(f worstFamily, start int) []int {
	var sizes []int
	n := start
	for !worstFits(f.body(n)) {
		n /= 2
	}
	last := 0
	for ; worstFits(f.body(n)); n *= 2 {
		if l := len(f.body(n)); l == last {
			return sizes // the family has a largest size below the limits
		} else {
			last = l
		}
		sizes = append(sizes, n)
	}
	lo, hi := n/2, n // lo fits, hi does not
	for hi-lo > max(1, lo/100) {
		mid := (lo + hi) / 2
		if worstFits(f.body(mid)) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if len(sizes) == 0 || lo > sizes[len(sizes)-1] {
		sizes = append(sizes, lo)
	}
	return sizes
}

// TestWorstCaseTable prints, for each family, the time of a whole request
// (HandleRefine) at each size and the growth per doubling. It measures, it
// does not judge (the machine may be shared): WHITTLE_WORST_CASE=1 runs it.
func TestWorstCaseTable(t *testing.T) {
	if os.Getenv("WHITTLE_WORST_CASE") == "" {
		t.Skip("WHITTLE_WORST_CASE=1 runs the worst-case table (scripts/worst-case)")
	}
	BuiltinCatalog()
	only := os.Getenv("WHITTLE_WORST_CASE")
	for _, f := range worstFamilies {
		if only != "1" && !strings.Contains(only, f.name) {
			continue
		}
		t.Logf("%s: %s", f.name, f.what)
		var prevN int
		var prev time.Duration
		for _, n := range worstSizes(f, 256) {
			body := []byte(f.body(n))
			best := time.Duration(1 << 62)
			bestWall := best
			var status string
			for range 3 {
				start, cpu0 := time.Now(), cpuTime()
				_, err := worstHandle(body)
				best = min(best, cpuTime()-cpu0)
				bestWall = min(bestWall, time.Since(start))
				status = "200"
				if err != nil {
					status = fmt.Sprintf("%d %s", err.Status(), err.Code)
				}
				if best > 2*time.Second {
					break
				}
			}
			growth := ""
			if prevN > 0 {
				// time ratio normalized to a doubling of the size
				growth = fmt.Sprintf("  ×%.2f per doubling", ratioPerDoubling(float64(best)/float64(prev), float64(n)/float64(prevN)))
			}
			units := ""
			if os.Getenv("WHITTLE_WORST_UNITS") != "" && !strings.HasPrefix(string(body), `{"policies"`) {
				// the work of the refinement without its budget (up to 4×)
				req, _ := ParseRequest(body)
				start := cpuTime()
				res, err := refineWithin(req.Policy, req.Findings, req.Catalog, req.Options, nil, 4*MaxWork)
				d := cpuTime() - start
				if err == nil {
					units = fmt.Sprintf("  %d units, %.0f ns a unit", res.work.total(), float64(d)/float64(res.work.total()))
				}
			}
			t.Logf("  n=%6d  %8d bytes  %9.1f ms CPU %9.1f ms wall  %s%s%s", n, len(body), float64(best)/1e6, float64(bestWall)/1e6, status, growth, units)
			prevN, prev = n, best
			if best > 10*time.Second {
				t.Logf("  (larger sizes skipped)")
				break
			}
		}
	}
}

// ratioPerDoubling converts a ratio of work r over a ratio of sizes s into the
// ratio a doubling of the size would give: r^(1/log2 s).
func ratioPerDoubling(r, s float64) float64 {
	if s <= 1 {
		return 0
	}
	return math.Pow(r, 1/math.Log2(s))
}

// BenchmarkWorstCase answers each family's request at each size up to the
// limits (HandleRefine: parse, refine, verify, encode). WHITTLE_WORST_N=4096
// picks one size for all families (for profiles).
func BenchmarkWorstCase(b *testing.B) {
	BuiltinCatalog()
	for _, f := range worstFamilies {
		sizes := []int{0}
		if s := os.Getenv("WHITTLE_WORST_N"); s != "" {
			n, _ := strconv.Atoi(s)
			sizes[0] = n
		} else {
			sizes = worstSizes(f, 256)
		}
		for _, n := range sizes {
			body := []byte(f.body(n))
			b.Run(fmt.Sprintf("%s/n=%d", f.name, n), func(b *testing.B) {
				for b.Loop() {
					worstHandle(body)
				}
			})
		}
	}
}

// worstHandle answers a request body as the API does: HandleRecommendation
// for a body with "policies", HandleRefine for others.
func worstHandle(body []byte) ([]byte, *Error) {
	if strings.HasPrefix(string(body), `{"policies"`) {
		return HandleRecommendation(body)
	}
	return HandleRefine(body)
}

// worstWork refines a family's request of size n without a budget and returns
// what it cost, in the units of the budget (see work).
func worstWork(t testing.TB, f worstFamily, n int) (*work, int) {
	t.Helper()
	body := []byte(f.body(n))
	var reqs []*Request
	if rr, err := ParseRecommendationRequest(body); err == nil {
		// a recommendation: the work of every policy
		for i := range rr.Set.Policies {
			reqs = append(reqs, rr.Request(i))
		}
	} else {
		req, err := ParseRequest(body)
		if err != nil {
			t.Fatalf("%s(%d): %v", f.name, n, err)
		}
		reqs = append(reqs, req)
	}
	sum := &work{}
	for _, req := range reqs {
		res, err := refineWithin(req.Policy, req.Findings, req.Catalog, req.Options, nil, 0)
		if err != nil {
			t.Fatalf("%s(%d): %v", f.name, n, err)
		}
		sum.inclusions += res.work.inclusions
		sum.steps += res.work.steps
		sum.matched += res.work.matched
	}
	return sum, len(body)
}

// TestWorstCaseGrowth asserts, for every family of the worst-case search,
// that doubling the request does not much more than double the work
// (inclusion tests, automaton steps, actions matched): counts, not times,
// so that it holds on a busy machine.
func TestWorstCaseGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("refines requests of a few hundred KB")
	}
	if runtime.GOARCH == "wasm" {
		t.Skip("the operation counts are the same as natively, where this runs ten times faster")
	}
	BuiltinCatalog()
	for _, f := range worstFamilies {
		t.Run(f.name, func(t *testing.T) {
			if f.name == "RecommendationCatalog" {
				// Its cost is reading the catalog, once, which no count here
				// sees; past MaxPrincipalPolicies policies (every size this
				// test would take) the request is refused at once.
				t.Skip("parsing the catalog, once, is not metered; its sizes are refused TOO_LARGE")
			}
			// The smallest size whose work is large enough for its growth to
			// show (a quadratic term hides under constant ones in small
			// requests), up to a quarter of the limit.
			sizes := worstSizes(f, 256)
			n := 16
			w1, b1 := worstWork(t, f, n)
			for w1.total() < 400_000 && 8*n <= sizes[len(sizes)-1] {
				n *= 2
				w1, b1 = worstWork(t, f, n)
			}
			w2, b2 := worstWork(t, f, 2*n)
			w4, b4 := worstWork(t, f, 4*n)
			total := func(w *work) float64 { return float64(w.total()) }
			for _, c := range []struct {
				n      int
				w, v   *work
				bw, bv int
			}{{n, w1, w2, b1, b2}, {2 * n, w2, w4, b2, b4}} {
				r := total(c.v) / total(c.w)
				t.Logf("n %d → %d (%d → %d bytes): work %.0f → %.0f, ×%.2f (%v)", c.n, 2*c.n, c.bw, c.bv, total(c.w), total(c.v), r, c.v)
				if r > 2.3 {
					t.Errorf("%s: work grew ×%.2f when the request doubled (n %d → %d, %d → %d bytes): %v → %v", f.name, r, c.n, 2*c.n, c.bw, c.bv, c.w, c.v)
				}
			}
		})
	}
}

// TestWorkBudgetRoom checks that real refinements stay far from MaxWork: the
// budget refuses hostile requests only. (TestManagedPolicies checks every AWS
// managed policy the same way.)
func TestWorkBudgetRoom(t *testing.T) {
	cat := BuiltinCatalog()
	_, ro, roF := readOnlyHalf(t)
	star, _ := parsePolicy([]byte(`{"Statement":{"Effect":"Allow","Action":"*"}}`))
	for _, c := range []struct {
		name string
		p    *Policy
		f    *Findings
		opt  Options
	}{
		{"ReadOnlyAccess half unused", ro, roF, Options{}},
		{"ReadOnlyAccess half unused, char", ro, roF, Options{Granularity: GranularityChar}},
		{"ReadOnlyAccess half unused, every trie", ro, roF, Options{Trie: true}},
		{"* at granularity action", star, &Findings{Actions: []UnusedAction{{Name: "iam:PassRole"}}}, Options{Granularity: GranularityAction}},
	} {
		res, err := refineWithin(c.p, c.f, cat, c.opt, nil, MaxWork)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		t.Logf("%s: %d units (%v)", c.name, res.work.total(), res.work)
		if res.work.total() > MaxWork/3 {
			t.Errorf("%s: %d units of work, more than MaxWork/3 (%d)", c.name, res.work.total(), MaxWork/3)
		}
	}
}

// TestLargeWithinBudget: the largest policy of BenchmarkHandleRefineLarge
// (thousands of statements, each rewritten: a synthetic request at the limit,
// not a real policy) is answered, not refused.
func TestLargeWithinBudget(t *testing.T) {
	body := largeRequest()
	req, err := ParseRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	res, err := refineBounded(req.Policy, req.Findings, req.Catalog, req.Options)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d statements: %d units of work of MaxWork's %d (%v)", len(req.Policy.Statements), res.work.total(), MaxWork, res.work)
}

// TestTooComplex: a request past the budget is refused with TOO_COMPLEX (422),
// naming the statement and why, having spent no more than the budget; a
// session that refused one answers the next as Respond does.
func TestTooComplex(t *testing.T) {
	var f worstFamily
	for _, g := range worstFamilies {
		if g.name == "WildService" {
			f = g
		}
	}
	body := []byte(f.body(4000))
	_, err := HandleRefine(body)
	if err == nil {
		t.Fatalf("HandleRefine(WildService 4000) answered, want TOO_COMPLEX")
	}
	if err.Code != CodeTooComplex || err.Status() != 422 || err.Field != "policy" ||
		!strings.HasPrefix(err.Path, "Statement[") || !strings.HasPrefix(err.Message, err.Path+": ") || !strings.Contains(err.Message, "MaxWork") {
		t.Errorf("HandleRefine(WildService 4000) = %+v (status %d), want TOO_COMPLEX 422 naming the statement", err, err.Status())
	}
	t.Log(err)
	// It stopped before spending more than the budget (and one range).
	req, perr := ParseRequest(body)
	if perr != nil {
		t.Fatal(perr)
	}
	r := newRefiner(req.Policy, req.Catalog, req.Options, nil)
	r.w.limit = MaxWork
	func() {
		defer func() { recover() }()
		r.buildUniverse(req.Findings)
		r.run()
	}()
	if over := r.w.total() - MaxWork; over > int64(r.u.len()) || over <= 0 {
		t.Errorf("stopped at %d units, want just past MaxWork (%d)", r.w.total(), MaxWork)
	}
	// A session refuses the same, then answers what Respond answers.
	var s Session
	if _, err := s.respondBounded(req); err == nil || err.Code != CodeTooComplex {
		t.Errorf("Session.respondBounded = %v, want TOO_COMPLEX", err)
	}
	p, fs := articleInputs(t)
	art := &Request{Policy: p, Findings: fs, Catalog: catalog2024(t)}
	got, err := s.respondBounded(art)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := marshalIndent(got), marshalIndent(Respond(art)); !bytes.Equal(a, b) {
		t.Errorf("after a refusal, the session answers\n%s\nwant\n%s", a, b)
	}
}
