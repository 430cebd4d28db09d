package engine

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sessionPool is a set of requests that share some of what a session keeps
// and differ in the rest: the golden requests, each again with other findings,
// granularity and trie options, and ReadOnlyAccess with half its actions
// unused, edited the ways a user edits it.
func sessionPool(t *testing.T) (names []string, reqs []*Request) {
	t.Helper()
	add := func(name string, body []byte) {
		t.Helper()
		req, err := ParseRequest(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		names, reqs = append(names, name), append(reqs, req)
	}
	files, _ := filepath.Glob("testdata/golden/*.request.json")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".request.json")
		if strings.HasPrefix(name, "error-") || strings.HasPrefix(name, "recommendation-") || strings.HasPrefix(name, "check-") {
			continue
		}
		body := mustRead(t, file)
		add(name, body)
		add(name+" (parsed again)", body) // an equal catalog overlay, a new value
		top, err := ParseJSON(body)
		if err != nil {
			t.Fatal(err)
		}
		with := func(key, value string) []byte {
			var b bytes.Buffer
			b.WriteString("{")
			for _, m := range top.Obj {
				if m.Key != key {
					b.WriteString(quote(m.Key) + ":" + string(AppendJSON(nil, m.Val, "")) + ",")
				}
			}
			b.WriteString(quote(key) + ":" + value + "}")
			return b.Bytes()
		}
		add(name+" (nothing unused)", with("findings", "[]"))
		add(name+" (s3:GetObject unused)", with("findings", `["s3:GetObject"]`))
		add(name+" (lambda unused)", with("findings", `[{"serviceNamespace": "lambda"}]`))
		// Actions the catalog lacks join the universe: other actions, other
		// memos, even where the unused marks are the same.
		add(name+" (an unknown action unused)", with("findings", `["s3:GetObject", "s3:GetObjectX"]`))
		add(name+" (another unknown action unused)", with("findings", `["s3:GetObject", "s3:GetObjectY"]`))
		for _, o := range []string{`{"granularity": "char"}`, `{"granularity": "action"}`, `{"trie": true}`, `{"triePath": "Statement[1].Action[0]"}`} {
			add(name+" options "+o, with("options", o))
		}
		add(name+" (other catalog overlay)", with("catalog", `{"s3": ["GetObject", "GetObjectAcl", "GetBucketAcl", "PutObject"]}`))
	}

	text, p, half := readOnlyHalf(t)
	findings := make([]string, len(half.Actions))
	for i, a := range half.Actions {
		findings[i] = quote(a.Name)
	}
	body := func(policy string, findings []string, options string) []byte {
		return []byte(`{"policy": ` + quote(policy) + `, "findings": [` + strings.Join(findings, ",") + `], "options": ` + options + `}`)
	}
	add("ReadOnlyAccess", body(text, findings, `{}`))
	add("ReadOnlyAccess, with tries", body(text, findings, `{"trie": true}`))
	add("ReadOnlyAccess, a Resource edited", body(strings.Replace(text, `"Resource": "*"`, `"Resource": "arn:aws:s3:::b/*"`, 1), findings, `{}`))
	first := p.Statements[0].Patterns[0].Text
	add("ReadOnlyAccess, an action deleted", body(strings.Replace(text, quote(first)+",", "", 1), findings, `{}`))
	add("ReadOnlyAccess, one more unused", body(text, append(findings[:len(findings):len(findings)], `"ec2:DescribeInstances"`), `{}`))
	add("ReadOnlyAccess, one less unused", body(text, findings[1:], `{}`))
	add("ReadOnlyAccess, characters", body(text, findings, `{"granularity": "char"}`))
	return names, reqs
}

func quote(s string) string { return string(AppendJSON(nil, &Value{Kind: KindString, Str: s}, "")) }

// TestSessionSameAnswers walks the pool of requests in a random order, with
// repeats, through one session: every answer must be byte for byte the answer
// without a session, whatever came before. A key that missed an input of the
// universe or of a memo would show here as a stale answer.
func TestSessionSameAnswers(t *testing.T) {
	names, reqs := sessionPool(t)
	want := make([][]byte, len(reqs))
	for i, req := range reqs {
		want[i] = marshalIndent(Respond(req))
	}
	steps := 2 * len(reqs)
	if testing.Short() {
		steps = len(reqs)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var s Session
	prev := 0
	for step := range steps {
		i := rng.IntN(len(reqs))
		if rng.IntN(3) == 0 { // often a neighbour: a variant of the last request
			i = min(prev+1, len(reqs)-1)
		}
		prev = i
		if got := marshalIndent(s.Respond(reqs[i])); !bytes.Equal(got, want[i]) {
			t.Fatalf("step %d, %s: the session's answer differs from Respond's:\n%s\nwant:\n%s", step, names[i], got, want[i])
		}
	}
}

// TestSessionTrie checks Session.Trie and Session.InspectTrie against the tries
// of Options.Trie and the session-less InspectTrie, and the refusal of a path
// that is no Action pattern.
func TestSessionTrie(t *testing.T) {
	names, reqs := sessionPool(t)
	var s Session
	tried := 0
	for i, req := range reqs {
		if strings.HasPrefix(names[i], "ReadOnlyAccess,") {
			continue // its edits make the same tries: TestSessionSameAnswers has them
		}
		all := *req
		all.Options.Trie = true
		resp := Respond(&all)
		replaced := map[string]bool{}
		for _, tr := range resp.Tries {
			replaced[tr.Path] = true
		}
		// Large policies have a trie per pattern: a spread of 25 is compared.
		stride := max(1, len(resp.Tries)/25)
		for k := 0; k < len(resp.Tries); k += stride {
			tr := resp.Tries[k]
			got, err := s.Trie(req, tr.Path)
			if err != nil || got == nil || !reflect.DeepEqual(*got, tr) {
				t.Fatalf("%s: Session.Trie(%s) = %+v, %v; want %+v", names[i], tr.Path, got, err, tr)
			}
			prefix := tr.Root.Prefix
			if len(tr.Root.Children) > 0 {
				prefix = tr.Root.Children[0].Prefix
			}
			want, err1 := inspectTrie(req, tr.Path, prefix)
			got2, err2 := s.InspectTrie(req, tr.Path, prefix)
			if err1 != nil || err2 != nil || !reflect.DeepEqual(got2, want) || len(want) == 0 {
				t.Fatalf("%s: Session.InspectTrie(%s, %q) = %v, %v; want %v, %v", names[i], tr.Path, prefix, got2, err2, want, err1)
			}
			tried++
		}
		others := 0
		for _, st := range req.Policy.Statements {
			for _, p := range st.Patterns {
				if st.Key == "Action" && st.Effect == "Allow" && !replaced[p.Path] && others < 25 {
					others++
					if got, err := s.Trie(req, p.Path); got != nil || err != nil {
						t.Fatalf("%s: Session.Trie(%s) of a pattern not replaced = %+v, %v; want nil, nil", names[i], p.Path, got, err)
					}
				}
			}
		}
		if _, err := s.Trie(req, "Statement[99].Action[0]"); err == nil || err.Code != CodeInvalidOptions {
			t.Fatalf("%s: Session.Trie of a missing path: error %v, want %s", names[i], err, CodeInvalidOptions)
		}
	}
	if tried < 10 {
		t.Fatalf("only %d tries compared", tried)
	}
}

// TestSessionVerifyMarks checks that a session's verification reads the unused
// marks: a refinement right for one findings, checked against other findings
// over the same actions, must fail there, though the session checked the same
// pair of statements before and found it exact.
func TestSessionVerifyMarks(t *testing.T) {
	body := func(findings string) *Request {
		req, err := ParseRequest([]byte(`{"policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "lambda:Get*"], "Resource": "*"}]}, "findings": ` + findings + `}`))
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	a, b := body(`["s3:GetObject", "lambda:GetAlias"]`), body(`["s3:GetObjectAcl", "lambda:GetAlias"]`)
	var s Session
	res := refineIn(a.Policy, a.Findings, a.Catalog, a.Options, &s)
	if !res.Verify.Exact {
		t.Fatalf("the refinement for its own findings is not exact: %+v", res.Verify)
	}
	r := newRefiner(b.Policy, b.Catalog, b.Options, &s)
	r.buildUniverse(b.Findings)
	if len(r.memo.checksByMarks) == 0 {
		t.Fatal("the session kept no statement checks")
	}
	v, _ := verify(b.Policy, res.Text, res.Kept, r.u, r.memo, nil)
	if v.Exact || len(v.UnderPermissive) == 0 || len(v.OverPermissive) == 0 {
		t.Errorf("a refinement for other findings passed the session's verification: %+v", v)
	}
	if want := verifyRefinement(b.Policy, res.Text, res.Kept, r.u); !reflect.DeepEqual(v, want) {
		t.Errorf("the session's verification %+v differs from Verify's %+v", v, want)
	}
}

// TestRequestFromTexts compares RequestFromTexts with ParseRequest of the same
// texts sent as JSON strings: the same answer, or the same error at the same
// place, for every golden request and for broken texts.
func TestRequestFromTexts(t *testing.T) {
	type texts struct{ policy, findings, catalog, options string }
	var cases []texts
	files, _ := filepath.Glob("testdata/golden/*.request.json")
	for _, file := range files {
		if strings.Contains(file, "recommendation-") || strings.Contains(file, "check-") {
			continue
		}
		top, err := ParseJSON(mustRead(t, file))
		if err != nil {
			t.Fatal(err)
		}
		text := func(key string) string {
			v := top.Get(key)
			switch {
			case v == nil || v.Kind == KindNull:
				return ""
			case v.Kind == KindString:
				return v.Str
			}
			return string(AppendJSON(nil, v, "  "))
		}
		c := texts{text("policy"), text("findings"), text("catalog"), text("options")}
		if c.options != "" && !strings.Contains(c.options, "trie") {
			cases = append(cases, c)
		} else if c.options == "" {
			cases = append(cases, c)
		}
	}
	article := cases[0]
	cases = append(cases,
		texts{`{"Version": "2012-10-17", "Statement": [`, article.findings, "", ""},
		texts{article.policy, `["s3:GetObject",]`, "", ""},
		texts{article.policy, `[{"serviceNamespace": 3}]`, "", ""},
		texts{article.policy, article.findings, `{"s3": "GetObject"}`, ""},
		texts{article.policy, article.findings, "", `{"granularity": "bytes"}`},
		texts{article.policy, article.findings, "", `{"granularity": "char"}`},
	)
	for i, c := range cases {
		body := `{"policy": ` + quote(c.policy) + `, "findings": ` + quote(c.findings)
		if c.catalog != "" {
			body += `, "catalog": ` + quote(c.catalog)
		}
		var opt Options
		if c.options != "" {
			body += `, "options": ` + c.options
			ov, _ := ParseJSON([]byte(c.options))
			opt, _ = readOptions(ov)
			if ov.Get("granularity") != nil && opt.Granularity == "" {
				opt.Granularity = ov.Get("granularity").Str // invalid: RequestFromTexts must refuse it
			}
		}
		want, werr := ParseRequest([]byte(body + "}"))
		got, gerr := RequestFromTexts(c.policy, c.findings, c.catalog, opt)
		switch {
		case (werr == nil) != (gerr == nil):
			t.Errorf("case %d: RequestFromTexts error %v, ParseRequest error %v", i, gerr, werr)
		case werr != nil:
			// Options are no text: their errors have no line and column.
			at := werr.Field == "options" || werr.Line == gerr.Line && werr.Column == gerr.Column
			if werr.Code != gerr.Code || !at || werr.Path != gerr.Path || !strings.HasSuffix(werr.Message, gerr.Message) {
				t.Errorf("case %d: RequestFromTexts error %+v, ParseRequest error %+v", i, gerr, werr)
			}
		default:
			if a, b := marshalIndent(Respond(got)), marshalIndent(Respond(want)); !bytes.Equal(a, b) {
				t.Errorf("case %d: RequestFromTexts answers\n%s\nParseRequest answers\n%s", i, a, b)
			}
		}
	}
	if len(cases) < 15 {
		t.Fatalf("only %d cases", len(cases))
	}
}
