package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Fuzz targets check invariants, not outputs. Run them one at a time, with the
// package named and the pattern anchored (an unmatched -fuzz passes silently):
//
//	go test ./engine -run='^$' -fuzz='^FuzzRefine$' -fuzztime=60s
//
// Their seed corpora live in testdata/fuzz/<Target>/ and run with every go test.

// ---------------------------------------------------------------------------
// FuzzParse: the parsers never panic, agree with encoding/json, and round-trip.

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		apiMDPolicy,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":["iam:*"],"Resource":"*"}}`,
		`[{"serviceNamespace":"s3","actions":["GetBucketAcl"]}]`,
		`{"findingDetails":[{"unusedPermissionDetails":{"serviceNamespace":"s3","actions":[{"action":"s3:GetObject"}]}}]}`,
		`["s3:GetBucketAcl","lambda:AddPermission"]`,
		`{"policy":{"Statement":[{"Effect":"Allow","Action":"s3:Get*"}]},"findings":["s3:GetObjectAcl"],"options":{"granularity":"char"}}`,
		`{"policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\"}]}","findings":"[\"s3:GetObject\"]"}`,
		`"\ud800\u0041\u2028<&>"`, `[1e400,-0.0,true,false,null,{}]`, "[\"\xff\"]", `{"a":1,"a":2}`,
		strings.Repeat("[", MaxJSONDepth+1),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		checkParseJSON(t, data)
		checkParsePolicy(t, data)
		if fs, err := parseFindings(data); err == nil {
			for _, a := range fs.Actions {
				checkUnusedActionName(t, a.Name)
			}
		} else {
			checkError(t, "parseFindings", data, err)
		}
		checkHandleRefine(t, data)
		checkHandleRefine(t, append(append([]byte(`{"policy":`), data...), `,"findings":["s3:GetObjectAcl",{"serviceNamespace":"lambda"}]}`...))
		checkHandleRefine(t, append(append([]byte(`{"policy":{"Statement":[{"Effect":"Allow","Action":["s3:Get*","ec2:Describe*"]}]},"findings":`), data...), '}'))
		quoted, _ := json.Marshal(string(data))
		checkHandleRefine(t, append(append([]byte(`{"findings":[],"policy":`), quoted...), '}'))
	})
}

// checkError checks the shape of an error: a known code, a place inside the text.
func checkError(t *testing.T, what string, data []byte, err *Error) {
	t.Helper()
	if err.Code == "" || err.Message == "" {
		t.Errorf("%s(%q): error without code or message: %+v", what, data, *err)
	}
	if err.Offset > len(data) {
		t.Errorf("%s(%q): error offset %d past the end (%d)", what, data, err.Offset, len(data))
	}
	if err.Line < 0 || err.Column < 0 || (err.Line == 0) != (err.Column == 0) {
		t.Errorf("%s(%q): error at %d:%d", what, data, err.Line, err.Column)
	}
	if s := err.Status(); s != 400 && s != 413 {
		t.Errorf("%s(%q): error status %d", what, data, s)
	}
	if !json.Valid(err.JSON()) {
		t.Errorf("%s(%q): error body is not JSON: %s", what, data, err.JSON())
	}
}

func checkParseJSON(t *testing.T, data []byte) {
	v, err := ParseJSON(data)
	if err != nil {
		checkError(t, "ParseJSON", data, err)
		if err.Code != CodeInvalidJSON || err.Offset < 0 || err.Line < 1 || err.Column < 1 {
			t.Errorf("ParseJSON(%q) error = %s at offset %d (%d:%d)", data, err.Code, err.Offset, err.Line, err.Column)
		}
		// encoding/json does not check UTF-8 and allows deeper nesting.
		if utf8.Valid(data) && !strings.Contains(err.Message, "nested deeper") && json.Valid(data) {
			t.Errorf("ParseJSON(%q) = %v, but encoding/json accepts it", data, err)
		}
		return
	}
	if !json.Valid(data) {
		t.Errorf("ParseJSON(%q) succeeded, but encoding/json refuses it", data)
	}
	toks := jsonTokens(v, nil)
	if want, serr := stdTokens(data); serr == nil && !tokensEqual(toks, want) {
		t.Errorf("ParseJSON(%q) tokens = %v, encoding/json gives %v", data, toks, want)
	}
	if v.Off < 0 || v.End > len(data) || v.Off >= v.End {
		t.Errorf("ParseJSON(%q) spans [%d, %d)", data, v.Off, v.End)
	}
	compact := AppendJSON(nil, v, "")
	for _, indent := range []string{"", "  ", "\t"} {
		out := AppendJSON(nil, v, indent)
		v2, err := ParseJSON(out)
		if err != nil {
			t.Fatalf("ParseJSON(AppendJSON(ParseJSON(%q), %q) = %q) = %v", data, indent, out, err)
		}
		if again := AppendJSON(nil, v2, ""); !bytes.Equal(again, compact) {
			t.Errorf("round trip of %q with indent %q: %q, want %q", data, indent, again, compact)
		}
		if !tokensEqual(jsonTokens(v2, nil), toks) {
			t.Errorf("round trip of %q with indent %q changed the values", data, indent)
		}
	}
	// The pretty form is json.Indent of the compact one.
	var want bytes.Buffer
	if err := json.Indent(&want, compact, "", "  "); err != nil {
		t.Fatalf("json.Indent(%q): %v", compact, err)
	}
	if got := AppendJSON(nil, v, "  "); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("AppendJSON(ParseJSON(%q), \"  \") = %q, want %q", data, got, want.Bytes())
	}
}

func checkParsePolicy(t *testing.T, data []byte) {
	p, err := parsePolicy(data)
	if err != nil {
		checkError(t, "parsePolicy", data, err)
		if err.Field != "policy" {
			t.Errorf("parsePolicy(%q) error field %q", data, err.Field)
		}
		return
	}
	for _, s := range p.Statements {
		if s.Effect != "Allow" && s.Effect != "Deny" || s.Key != "Action" && s.Key != "NotAction" {
			t.Errorf("parsePolicy(%q): statement %d is %s %s", data, s.Index, s.Effect, s.Key)
		}
		for _, pat := range s.Patterns {
			if why := validatePattern(pat.Text); why != "" {
				t.Errorf("parsePolicy(%q) accepted %q, which %s", data, pat.Text, why)
			}
		}
	}
	// Written out and read again, a policy reads the same.
	p2, err := parsePolicy(AppendJSON(nil, p.Doc, "  "))
	if err != nil {
		t.Fatalf("parsePolicy(AppendJSON(parsePolicy(%q).Doc)) = %v", data, err)
	}
	if a, b := policySummary(p), policySummary(p2); a != b {
		t.Errorf("parsePolicy(%q) = %s, after a round trip %s", data, a, b)
	}
}

func checkHandleRefine(t *testing.T, body []byte) {
	out, err := HandleRefine(body)
	if err != nil {
		checkError(t, "HandleRefine", body, err)
		return
	}
	var resp struct {
		RecommendedAction string          `json:"recommendedAction"`
		RecommendedPolicy json.RawMessage `json:"recommendedPolicy"`
		Verification      Verification    `json:"verification"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("HandleRefine(%q) answered %q, not JSON: %v", body, out, err)
	}
	if !resp.Verification.Exact {
		t.Errorf("HandleRefine(%q): verification failed: %+v", body, resp.Verification)
	}
	switch resp.RecommendedAction {
	case ActionCreate, ActionNone:
		if _, err := parsePolicy(resp.RecommendedPolicy); err != nil {
			t.Errorf("HandleRefine(%q): the recommended policy does not parse: %v", body, err)
		}
	case ActionDetach:
		if string(resp.RecommendedPolicy) != "null" {
			t.Errorf("HandleRefine(%q): DETACH_POLICY with a policy %s", body, resp.RecommendedPolicy)
		}
	default:
		t.Errorf("HandleRefine(%q): recommendedAction %q", body, resp.RecommendedAction)
	}
}

// ---------------------------------------------------------------------------
// FuzzMatch: Match agrees with a regular expression.

// globRegexp translates an action pattern to a regular expression: * is .*, ?
// is ., everything else is literal, case-insensitive.
func globRegexp(p string) string {
	var b strings.Builder
	b.WriteString(`(?is)^`)
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return b.String()
}

func FuzzMatch(f *testing.F) {
	for _, tt := range matchTests {
		f.Add(tt.p, tt.a)
	}
	f.Fuzz(func(t *testing.T, p, a string) {
		if !utf8.ValidString(p) || !utf8.ValidString(a) || utf8.RuneCountInString(p) > 40 || utf8.RuneCountInString(a) > 80 {
			return
		}
		want := regexp.MustCompile(globRegexp(p)).MatchString(a)
		if got := Match(p, a); got != want {
			t.Errorf("Match(%q, %q) = %v, want %v (as %s)", p, a, got, want, globRegexp(p))
		}
		if !Match(p, p) && !strings.ContainsAny(p, "*?") {
			t.Errorf("Match(%q, %q) = false for a literal pattern", p, p)
		}
		for _, gran := range []string{GranularityWord, GranularityChar, GranularityAction} {
			toks := tokens(a, gran)
			if strings.Join(toks, "") != a {
				t.Errorf("tokens(%q, %q) = %q, which do not join to the name", a, gran, toks)
			}
			if gran != GranularityAction && slices.Contains(toks, "") {
				t.Errorf("tokens(%q, %q) = %q has an empty token", a, gran, toks)
			}
		}
	})
}

// ---------------------------------------------------------------------------
// FuzzIncludes: Includes agrees with an independent decision procedure.

// canonRune is the smallest rune of r's simple case-folding orbit.
func canonRune(r rune) rune {
	best := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		best = min(best, f)
	}
	return best
}

// oracleIncludes decides whether every string that glob p matches is matched by
// one of qs, by a breadth-first search of the product of p's automaton with the
// subset automaton of the qs, over the letters the patterns name plus one letter
// none of them names. It is written apart from the engine's code on purpose.
func oracleIncludes(p string, qs []string) bool {
	canon := func(s string) []rune {
		rs := []rune(s)
		for i, r := range rs {
			if r != '*' && r != '?' {
				rs[i] = canonRune(r)
			}
		}
		return rs
	}
	pats := [][]rune{canon(p)}
	for _, q := range qs {
		pats = append(pats, canon(q))
	}
	named := map[rune]bool{}
	for _, pat := range pats {
		for _, r := range pat {
			if r != '*' && r != '?' {
				named[r] = true
			}
		}
	}
	other := rune(0xE000)
	for named[other] || canonRune(other) != other {
		other++
	}
	letters := []rune{other}
	for r := range named {
		letters = append(letters, r)
	}
	// A state: for each pattern, the set of its positions reached.
	type state [][]bool
	closure := func(pat []rune, set []bool, j int) {
		for {
			set[j] = true
			if j < len(pat) && pat[j] == '*' {
				j++
				continue
			}
			return
		}
	}
	start := make(state, len(pats))
	for k, pat := range pats {
		start[k] = make([]bool, len(pat)+1)
		closure(pat, start[k], 0)
	}
	key := func(s state) string {
		var b strings.Builder
		for _, set := range s {
			for _, in := range set {
				if in {
					b.WriteByte('1')
				} else {
					b.WriteByte('0')
				}
			}
			b.WriteByte('|')
		}
		return b.String()
	}
	seen := map[string]bool{key(start): true}
	queue := []state{start}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s[0][len(pats[0])] { // p accepts here: some q must too
			ok := false
			for k := 1; k < len(pats); k++ {
				ok = ok || s[k][len(pats[k])]
			}
			if !ok {
				return false
			}
		}
		for _, c := range letters {
			next := make(state, len(pats))
			for k, pat := range pats {
				next[k] = make([]bool, len(pat)+1)
				for j, in := range s[k] {
					if !in || j == len(pat) {
						continue
					}
					switch pat[j] {
					case '*':
						closure(pat, next[k], j)
					case '?', c:
						closure(pat, next[k], j+1)
					}
				}
			}
			if !slices.Contains(next[0], true) {
				continue // p is dead: nothing to check below
			}
			if k := key(next); !seen[k] {
				seen[k] = true
				queue = append(queue, next)
			}
		}
	}
	return true
}

// smallGlob maps bytes to a pattern over a small alphabet with case pairs and
// the Kelvin sign, so that the fuzzer meets interesting inclusions often.
func smallGlob(b string) string {
	const alphabet = "abB*?k\u212a:"
	rs := []rune(alphabet)
	var out strings.Builder
	for i := 0; i < len(b); i++ {
		out.WriteRune(rs[int(b[i])%len(rs)])
	}
	return out.String()
}

func FuzzIncludes(f *testing.F) {
	for _, tt := range includesTests {
		f.Add(tt.p, tt.q)
	}
	f.Add("\x03\x00\x03", "\x03\x00\x03\x01\x03")
	f.Fuzz(func(t *testing.T, p, q string) {
		if !utf8.ValidString(p) || !utf8.ValidString(q) {
			return
		}
		// As given, when short enough for the search to stay under its bound.
		if utf8.RuneCountInString(p) <= 8 && utf8.RuneCountInString(q) <= 8 {
			checkIncludes(t, p, []string{q})
		}
		// Over the small alphabet, one pattern and a union of two.
		sp, sq1, sq2 := smallGlob(clipBytes(p, 8)), smallGlob(clipBytes(q, 8)), smallGlob(clipBytes(q[min(len(q), 8):], 8))
		checkIncludes(t, sp, []string{sq1})
		checkIncludes(t, sp, []string{sq1, sq2})
		checkIncludes(t, "s3:"+sp, []string{"s3:" + sq1, "s3:" + sq2})
	})
}

func clipBytes(s string, n int) string { return s[:min(len(s), n)] }

func checkIncludes(t *testing.T, p string, qs []string) {
	t.Helper()
	want := oracleIncludes(p, qs)
	got := includesAny(p, qs, nil)
	if len(qs) == 1 {
		if g1 := includes(p, qs[0], nil); g1 != got {
			t.Errorf("Includes(%q, %q) = %v but IncludesAny = %v", p, qs[0], g1, got)
		}
	}
	if got != want {
		t.Errorf("IncludesAny(%q, %q) = %v, want %v", p, qs, got, want)
	}
	if !includes(p, p, nil) {
		t.Errorf("Includes(%q, %q) = false", p, p)
	}
	// The witness search agrees, and its witness is checked by the matcher.
	w, found := searchWitness(p, qs)
	switch {
	case want && found:
		t.Errorf("searchWitness(%q, %q) = %q, but the union includes p", p, qs, w)
	case !want && !found:
		t.Errorf("searchWitness(%q, %q) found no witness, but the union does not include p", p, qs)
	case found && (!Match(p, w) || slices.ContainsFunc(qs, func(q string) bool { return Match(q, w) })):
		t.Errorf("searchWitness(%q, %q) = %q: no witness", p, qs, w)
	}
	if !got {
		return
	}
	// Strings p matches, made by filling its wildcards, are matched by some q.
	for _, star := range []string{"", "x", "GetObject", "\u212a", ":"} {
		for _, one := range []string{"a", "é", "K"} {
			s := strings.NewReplacer("*", star, "?", one).Replace(p)
			if !Match(p, s) {
				t.Errorf("Match(%q, %q) = false for a string made from it", p, s)
			}
			if !slices.ContainsFunc(qs, func(q string) bool { return Match(q, s) }) {
				t.Errorf("IncludesAny(%q, %q) = true, but no q matches %q", p, qs, s)
			}
		}
	}
}

// ---------------------------------------------------------------------------
// FuzzRefine: C1 (exact), C2 (never broader), C3 (structure), C5 (no
// redundancy) on random policies over a small catalog, checked without Verify.

// fuzzCatalogText is the catalog of FuzzRefine: names that share prefixes across
// token boundaries (ListBucket/ListBuckets, DescribeInstance/DescribeInstances).
const fuzzCatalogText = `{
  "s3": ["GetObject", "GetObjectAcl", "GetObjectTagging", "GetBucketAcl", "GetBucketPolicy",
         "GetBucketPolicyStatus", "ListBucket", "ListBuckets", "ListAllMyBuckets", "PutObject", "PutObjectAcl"],
  "ec2": ["DescribeInstances", "DescribeInstanceStatus", "DescribeImages", "RunInstances"],
  "iam": ["GetRole", "ListRoles", "PassRole"]
}`

// fuzzUnknown are unused actions the catalog does not know.
var fuzzUnknown = []string{"s3:GetObjectTorrent", "ec2:DescribeInstancesV2", "sqs:SendMessage"}

var (
	fuzzServices = []string{"s3", "s3", "ec2", "iam", "S3", "s?", "*", "e*"}
	fuzzChunks   = []string{"Get", "Object", "Bucket", "Acl", "Policy", "List", "Describe", "Instance", "s", "*", "*", "?", "Put", "Status", "get", "OBJECT", "Role"}
)

// byteGen hands out small numbers from the fuzzer's bytes (0 when they run out).
type byteGen struct {
	b []byte
	i int
}

func (g *byteGen) n(k int) int {
	if g.i >= len(g.b) {
		return 0
	}
	v := int(g.b[g.i]) % k
	g.i++
	return v
}

func (g *byteGen) pattern() string {
	if g.n(12) == 0 {
		return "*"
	}
	svc := fuzzServices[g.n(len(fuzzServices))]
	name := ""
	for range g.n(4) {
		name += fuzzChunks[g.n(len(fuzzChunks))]
	}
	if name == "" {
		name = "*"
	}
	return svc + ":" + name
}

type fuzzStatement struct {
	sid, effect, key string
	patterns         []string
	array            bool
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// policyText writes the statements as a policy document.
func policyText(stmts []fuzzStatement, asObject bool) string {
	var parts []string
	for _, s := range stmts {
		var acts string
		if s.array || len(s.patterns) != 1 {
			var qs []string
			for _, p := range s.patterns {
				qs = append(qs, jsonString(p))
			}
			acts = "[" + strings.Join(qs, ", ") + "]"
		} else {
			acts = jsonString(s.patterns[0])
		}
		parts = append(parts, fmt.Sprintf(`{"Sid": %q, "Effect": %q, %q: %s, "Resource": "*"}`, s.sid, s.effect, s.key, acts))
	}
	st := "[" + strings.Join(parts, ",\n  ") + "]"
	if asObject && len(parts) == 1 {
		st = parts[0]
	}
	return `{"Version": "2012-10-17", "Statement": ` + st + `}`
}

func FuzzRefine(f *testing.F) {
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("\x00\x01\x01\x01\x00\x01\x02\x00\x00\x07\xff\x13\x00\x00\x00\x00"))
	f.Add([]byte("\x02\x05\x00\x00\x01\x02\x09\x03\x0a\x00\x01\x01\x00\x03\x00\xaa\x55\x0f\x01\x02"))
	cat, cerr := ParseCatalog([]byte(fuzzCatalogText))
	if cerr != nil {
		f.Fatal(cerr)
	}
	var catalogActions []string
	for _, svc := range cat.Services() {
		for _, a := range cat.Actions(svc) {
			catalogActions = append(catalogActions, svc+":"+a)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &byteGen{b: data}
		// The policy.
		var stmts []fuzzStatement
		for i := range 1 + g.n(3) {
			s := fuzzStatement{sid: fmt.Sprintf("S%d", i), effect: "Allow", key: "Action", array: g.n(2) == 0}
			if g.n(5) == 0 {
				s.effect = "Deny"
			}
			if g.n(6) == 0 {
				s.key = "NotAction"
			}
			for range 1 + g.n(3) {
				s.patterns = append(s.patterns, g.pattern())
			}
			stmts = append(stmts, s)
		}
		text := policyText(stmts, g.n(2) == 0)
		// The findings: some actions (in any casing), maybe whole services. The
		// universe is the catalog and the unused actions it does not know.
		var items []string
		unused := map[string]bool{} // folded names
		unusedSvc := map[string]bool{}
		universe := slices.Clone(catalogActions)
		for k, a := range append(slices.Clone(catalogActions), fuzzUnknown...) {
			if g.n(3) != 0 {
				continue
			}
			unused[strings.ToLower(a)] = true
			if g.n(4) == 0 {
				a = strings.ToUpper(a[:1]) + strings.ToLower(a[1:])
			}
			items = append(items, jsonString(a))
			if k >= len(catalogActions) {
				svc, name, _ := strings.Cut(a, ":")
				universe = append(universe, strings.ToLower(svc)+":"+name)
			}
		}
		if g.n(8) == 0 {
			svc := []string{"iam", "ec2", "sqs"}[g.n(3)]
			unusedSvc[svc] = true
			items = append(items, fmt.Sprintf(`{"serviceNamespace": %q}`, svc))
		}
		findingsText := "[" + strings.Join(items, ", ") + "]"
		gran := []string{GranularityWord, GranularityChar, GranularityAction, ""}[g.n(4)]

		p, err := parsePolicy([]byte(text))
		if err != nil {
			t.Fatalf("parsePolicy(%s): %v", text, err)
		}
		fs, err := parseFindings([]byte(findingsText))
		if err != nil {
			t.Fatalf("parseFindings(%s): %v", findingsText, err)
		}
		res := Refine(p, fs, cat, Options{Granularity: gran})
		isUnused := func(a string) bool {
			svc, _, _ := strings.Cut(a, ":")
			return unused[strings.ToLower(a)] || unusedSvc[svc]
		}
		checkRefinement(t, text, findingsText, gran, stmts, res, universe, catalogActions, isUnused)

		// Determinism: the same inputs give the same bytes.
		res2 := Refine(p, fs, cat, Options{Granularity: gran})
		if res.Action != res2.Action || (res.Policy != nil) != (res2.Policy != nil) ||
			res.Policy != nil && !bytes.Equal(AppendJSON(nil, res.Policy, ""), AppendJSON(nil, res2.Policy, "")) {
			t.Errorf("policy %s, findings %s: two refinements differ", text, findingsText)
		}

		// Sessions: after the same policy with other findings (every second
		// item), a session answers the same bytes as Refine.
		var half []string
		for i := 0; i < len(items); i += 2 {
			half = append(half, items[i])
		}
		fs2, err := parseFindings([]byte("[" + strings.Join(half, ", ") + "]"))
		if err != nil {
			t.Fatal(err)
		}
		var sess Session
		refineIn(p, fs2, cat, Options{Granularity: gran}, &sess)
		answer := func(r *Result) []byte { return marshalIndent(respond(&Request{Catalog: cat}, r)) }
		if got, want := answer(refineIn(p, fs, cat, Options{Granularity: gran}, &sess)), answer(res); !bytes.Equal(got, want) {
			t.Errorf("policy %s, findings %s (after %v): the session answers\n%s\nRefine answers\n%s", text, findingsText, half, got, want)
		}
	})
}

func anyMatch(patterns []string, a string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return Match(p, a) })
}

// checkRefinement checks the contract on one refinement, statement by statement,
// pairing refined statements with the originals by their Sid.
func checkRefinement(t *testing.T, text, findingsText, gran string, stmts []fuzzStatement, res *Result,
	universe, catalogActions []string, isUnused func(string) bool) {
	t.Helper()
	where := fmt.Sprintf("policy %s\nfindings %s\ngranularity %q", text, findingsText, gran)
	if !res.Verify.Exact {
		t.Errorf("%s\nVerify is not exact: %+v", where, res.Verify)
	}
	// Is anything the policy allows unused?
	anyUnused := false
	hasDeny := false
	for _, s := range stmts {
		if s.effect == "Deny" {
			hasDeny = true
			continue
		}
		for _, a := range universe {
			if anyMatch(s.patterns, a) != (s.key == "NotAction") && isUnused(a) {
				anyUnused = true
			}
		}
	}
	switch {
	case !anyUnused:
		if res.Action != ActionNone {
			t.Errorf("%s\nnothing allowed is unused, but the action is %s", where, res.Action)
		}
	case res.Action == ActionNone:
		t.Errorf("%s\nsomething allowed is unused, but the action is NONE", where)
	}
	if res.Action == ActionNone {
		if orig, _ := ParseJSON([]byte(text)); res.Policy == nil || !bytes.Equal(AppendJSON(nil, res.Policy, ""), AppendJSON(nil, orig, "")) {
			t.Errorf("%s\nNONE, but the document changed", where)
		}
	}
	var refined *Policy
	if res.Action == ActionDetach {
		if res.Policy != nil || hasDeny {
			t.Errorf("%s\nDETACH_POLICY with a policy or with Deny statements", where)
		}
		refined = &Policy{}
	} else {
		out := AppendJSON(nil, res.Policy, "  ")
		var err *Error
		if refined, err = parsePolicy(out); err != nil {
			t.Fatalf("%s\nthe refined policy does not parse: %v\n%s", where, err, out)
		}
		where += "\nrefined " + string(AppendJSON(nil, res.Policy, ""))
		if v := res.Policy.Get("Version"); v == nil || v.Str != "2012-10-17" || res.Policy.Obj[0].Key != "Version" {
			t.Errorf("%s\nthe keys outside Statement changed", where)
		}
	}
	bySid := map[string]*Statement{}
	lastIndex := -1
	for _, rs := range refined.Statements {
		sid := rs.Obj.Get("Sid").Str
		bySid[sid] = rs
		var i int
		fmt.Sscanf(sid, "S%d", &i)
		if i <= lastIndex {
			t.Errorf("%s\nstatements out of order", where)
		}
		lastIndex = i
	}
	for i, s := range stmts {
		orig := p0Statement(t, text, i)
		r := bySid[s.sid]
		if s.effect == "Deny" {
			if r == nil || !bytes.Equal(AppendJSON(nil, r.Obj, ""), AppendJSON(nil, orig.Obj, "")) {
				t.Errorf("%s\nDeny statement %s changed or removed", where, s.sid)
			}
			continue
		}
		// C1 over the universe.
		var refinedPats []string
		if r != nil {
			if r.Key != s.key || r.Effect != s.effect {
				t.Errorf("%s\n%s: %s %s became %s %s", where, s.sid, s.effect, s.key, r.Effect, r.Key)
				continue
			}
			for _, rp := range r.Patterns {
				refinedPats = append(refinedPats, rp.Text)
			}
			if !sameExcept(orig.Obj, r.Obj, s.key, "") {
				t.Errorf("%s\n%s: keys other than %s changed", where, s.sid, s.key)
			}
		}
		not := s.key == "NotAction"
		for _, a := range universe {
			want := anyMatch(s.patterns, a) != not && !isUnused(a)
			got := r != nil && anyMatch(refinedPats, a) != not
			if got != want {
				t.Errorf("%s\n%s (C1): %s allowed = %v, want %v", where, s.sid, a, got, want)
			}
		}
		if r == nil {
			continue
		}
		// C3: the user's own patterns.
		var keptOwn []string
		for _, p := range s.patterns {
			matches, unusedMatches := 0, 0
			for _, a := range universe {
				if Match(p, a) {
					matches++
					if isUnused(a) {
						unusedMatches++
					}
				}
			}
			switch {
			case not || unusedMatches == 0:
				keptOwn = append(keptOwn, p)
				if !slices.Contains(refinedPats, p) {
					t.Errorf("%s\n%s (C3): %q must stay as written", where, s.sid, p)
				}
			case unusedMatches == matches:
				if slices.Contains(refinedPats, p) {
					t.Errorf("%s\n%s (C3): %q matches only unused actions but stayed", where, s.sid, p)
				}
			}
		}
		if !isSubsequence(keptOwn, refinedPats) {
			t.Errorf("%s\n%s (C3): the user's patterns %q are not in their places in %q", where, s.sid, keptOwn, refinedPats)
		}
		// C2, C5 and the form of added entries.
		for k, e := range refinedPats {
			if slices.Contains(s.patterns, e) {
				continue
			}
			if !not && !oracleIncludes(e, s.patterns) {
				t.Errorf("%s\n%s (C2): %q is not included in %q", where, s.sid, e, s.patterns)
			}
			if not {
				// NotAction may name unused actions the catalog does not know.
				checkAddedEntry(t, where, s.sid, e, gran, universe, universe)
			} else {
				checkAddedEntry(t, where, s.sid, e, gran, universe, catalogActions)
			}
			for j, q := range refinedPats {
				if j == k || !oracleIncludes(e, []string{q}) {
					continue
				}
				if j > k && !slices.Contains(s.patterns, q) && oracleIncludes(q, []string{e}) {
					continue // the same language: the first one stays
				}
				t.Errorf("%s\n%s (C5): added %q is covered by %q", where, s.sid, e, q)
			}
		}
	}
	for _, ch := range res.Changes {
		if !slices.IsSortedFunc(ch.Replacement, func(a, b string) int {
			if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		}) {
			t.Errorf("%s\nthe replacement of %s is not sorted: %q", where, ch.Path, ch.Replacement)
		}
	}
}

// checkAddedEntry checks the form of an entry the refinement wrote: one of names,
// exactly, or a name prefix in canonical casing and a star.
func checkAddedEntry(t *testing.T, where, sid, e, gran string, universe, names []string) {
	t.Helper()
	if !hasWildcard(e) {
		if !slices.Contains(names, e) {
			t.Errorf("%s\n%s: added %q is not one of the actions %q", where, sid, e, names)
		}
		return
	}
	prefix, ok := strings.CutSuffix(e, "*")
	if !ok || hasWildcard(prefix) || gran == GranularityAction {
		t.Errorf("%s\n%s: added %q is not prefix* (granularity %q)", where, sid, e, gran)
		return
	}
	n, canonical := 0, false
	for _, a := range universe {
		if len(a) >= len(prefix) && strings.EqualFold(a[:len(prefix)], prefix) {
			n++
		}
	}
	for _, a := range names {
		canonical = canonical || strings.HasPrefix(a, prefix)
	}
	if n < 2 || !canonical {
		t.Errorf("%s\n%s: added %q: %d actions of the universe start with its prefix (want 2 or more), canonical casing %v", where, sid, e, n, canonical)
	}
}

// p0Statement returns statement i of the policy text, parsed afresh.
func p0Statement(t *testing.T, text string, i int) *Statement {
	t.Helper()
	p, err := parsePolicy([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p.Statements[i]
}

// isSubsequence reports whether sub appears in s in order.
func isSubsequence(sub, s []string) bool {
	i := 0
	for _, x := range s {
		if i < len(sub) && sub[i] == x {
			i++
		}
	}
	return i == len(sub)
}
