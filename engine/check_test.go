package engine

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// articleCheck checks candidate (a document's text) against the article's
// policy and findings with the 2024 catalog.
func articleCheck(t *testing.T, candidate string) (PolicyCheck, *Request) {
	t.Helper()
	var req struct {
		Policy, Findings, Catalog json.RawMessage
	}
	if err := json.Unmarshal(mustRead(t, "testdata/golden/article-2024.request.json"), &req); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"policy": req.Policy, "findings": req.Findings, "catalog": req.Catalog, "candidate": candidate})
	cr, err := ParseCheckRequest(body)
	if err != nil {
		t.Fatalf("ParseCheckRequest: %v", err)
	}
	out := Check(cr)
	if len(out.Checks) != 1 {
		t.Fatalf("%d checks, want 1", len(out.Checks))
	}
	rr, perr := ParseRequest(mustRead(t, "testdata/golden/article-2024.request.json"))
	if perr != nil {
		t.Fatal(perr)
	}
	return out.Checks[0], rr
}

// whittleArticle is Whittle's refined article policy, compact.
func whittleArticle(t *testing.T) string {
	t.Helper()
	req, err := ParseRequest(mustRead(t, "testdata/golden/article-2024.request.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(Respond(req).RecommendedPolicy)
}

// bruteC1 lists, by brute force over every action of the catalog, what a
// candidate statement allows that it should not (over) and what it loses
// (under), against the original patterns and the unused actions.
func bruteC1(req *Request, orig, cand []string) (over, under []string) {
	unused := map[string]bool{}
	for _, a := range req.Findings.Actions {
		unused[strings.ToLower(a.Name)] = true
	}
	any := func(ps []string, a string) bool {
		return slices.ContainsFunc(ps, func(p string) bool { return Match(p, a) })
	}
	for _, svc := range req.Catalog.Services() {
		for _, name := range req.Catalog.Actions(svc) {
			a := svc + ":" + name
			want := any(orig, a) && !unused[strings.ToLower(a)]
			got := any(cand, a)
			switch {
			case got && !want:
				over = append(over, a)
			case want && !got:
				under = append(under, a)
			}
		}
	}
	return over, under
}

func actions(issues []ActionIssue) []string {
	var out []string
	for _, i := range issues {
		out = append(out, i.Action)
	}
	return out
}

// TestCheckMutations: mutations of Whittle's correct refinement of the article
// are caught with exactly the right lists, as a brute force finds them.
func TestCheckMutations(t *testing.T) {
	good := whittleArticle(t)
	s3 := `"s3:GetAccess*","s3:GetAccountPublicAccessBlock","s3:GetDataAccess","s3:GetJobTagging","s3:GetMulti*","s3:GetObject*","s3:GetStorage*","s3:List*"`
	if !strings.Contains(good, s3) {
		t.Fatalf("the article's refinement is not as this test expects: %s", good)
	}
	origS3 := []string{"s3:Get*", "s3:List*"}
	entries := func(list string) []string {
		var out []string
		_ = json.Unmarshal([]byte("["+list+"]"), &out)
		return out
	}
	tests := []struct {
		name      string
		s3        string // the s3 statement's entries in the candidate
		structure bool   // a C3 problem expected
		broader   string // the pattern C2 refuses, if any
	}{
		{"Whittle's answer", s3, false, ""},
		{"an unused action put back", s3 + `,"s3:GetBucketAcl"`, false, ""},
		{"a used one dropped", strings.Replace(s3, `"s3:GetObject*",`, ``, 1), false, ""},
		{"a prefix widened within the original (C2 holds, C1 fails)", strings.Replace(s3, `"s3:GetObject*"`, `"s3:Get*Object*"`, 1), false, ""},
		{"a pattern widened beyond the original (C2 fails)", strings.Replace(s3, `"s3:GetObject*"`, `"s3:*Object"`, 1), false, "s3:*Object"},
	}
	for _, tt := range tests {
		cand := strings.Replace(good, s3, tt.s3, 1)
		pc, req := articleCheck(t, cand)
		wantOver, wantUnder := bruteC1(req, origS3, entries(tt.s3))
		if got := actions(pc.OverPermissive); !slices.Equal(got, wantOver) {
			t.Errorf("%s: over-permissive\n got  %v\n want %v", tt.name, got, wantOver)
		}
		if got := actions(pc.UnderPermissive); !slices.Equal(got, wantUnder) {
			t.Errorf("%s: under-permissive\n got  %v\n want %v", tt.name, got, wantUnder)
		}
		for _, o := range pc.OverPermissive {
			if o.Statement != "Statement[1]" || o.AccessLevel == "" || o.Why != "unused" && o.Why != "not allowed by the original" {
				t.Errorf("%s: over-permissive entry %+v", tt.name, o)
			}
		}
		var broader []string
		for _, b := range pc.Broader {
			broader = append(broader, b.Pattern)
			// The witness is checked by the plain matcher, not trusted.
			if !Match(b.Pattern, b.Witness) || slices.ContainsFunc(origS3, func(q string) bool { return Match(q, b.Witness) }) {
				t.Errorf("%s: witness %q of %s is no witness", tt.name, b.Witness, b.Pattern)
			}
		}
		if tt.broader == "" && len(broader) > 0 || tt.broader != "" && !slices.Equal(broader, []string{tt.broader}) {
			t.Errorf("%s: broader %v, want %q", tt.name, broader, tt.broader)
		}
		exact := len(wantOver)+len(wantUnder) == 0 && tt.broader == "" && !tt.structure
		if (pc.Verdict == VerdictExact) != exact || exact != pc.Whittle.SameActions && tt.broader == "" {
			t.Errorf("%s: verdict %s, sameActions %v", tt.name, pc.Verdict, pc.Whittle.SameActions)
		}
		if exact && (len(pc.Whittle.OnlyInCandidate)+len(pc.Whittle.OnlyInWhittle) != 0 || pc.Size.Candidate != pc.Size.Whittle) {
			t.Errorf("%s: Whittle's own answer differs: %+v, sizes %+v", tt.name, pc.Whittle, pc.Size)
		}
	}
	// A statement's Resource changed: C3.
	pc, _ := articleCheck(t, strings.Replace(good, `"Resource":"*"`, `"Resource":"arn:aws:s3:::bucket/*"`, 1))
	if pc.Verdict != VerdictNotExact || len(pc.Structure) == 0 || !strings.Contains(strings.Join(pc.Structure, " "), "Statement[1]") {
		t.Errorf("Resource changed: verdict %s, structure %q", pc.Verdict, pc.Structure)
	}
}

// TestCheckOnlyIn: the difference from Whittle's answer, entry by entry.
func TestCheckOnlyIn(t *testing.T) {
	good := whittleArticle(t)
	// The same actions, written otherwise: exact names instead of a prefix.
	cand := strings.Replace(good, `"s3:GetMulti*",`, `"s3:GetMultiRegionAccessPoint","s3:GetMultiRegionAccessPointPolicy","s3:GetMultiRegionAccessPointPolicyStatus","s3:GetMultiRegionAccessPointRoutes",`, 1)
	pc, _ := articleCheck(t, cand)
	if !slices.Equal(pc.Whittle.OnlyInWhittle, []string{"Statement[1]: s3:GetMulti*"}) || len(pc.Whittle.OnlyInCandidate) != 4 {
		t.Errorf("onlyInWhittle %v, onlyInCandidate %v", pc.Whittle.OnlyInWhittle, pc.Whittle.OnlyInCandidate)
	}
	if !pc.Whittle.SameActions || pc.Verdict != VerdictExact || pc.Size.Candidate <= pc.Size.Whittle {
		t.Errorf("the same actions, longer: verdict %s, same %v, sizes %+v", pc.Verdict, pc.Whittle.SameActions, pc.Size)
	}
}

// TestCheckRecommendation: a whole get-finding-recommendation output (several
// steps, documents as minified strings) checked against the principal's
// policies, each CREATE_POLICY step against the policy of its id.
func TestCheckRecommendation(t *testing.T) {
	req := mustRead(t, "testdata/golden/recommendation-role-action-level.request.json")
	answer := mustRead(t, "testdata/golden/recommendation-role-action-level.golden.json")
	var top map[string]json.RawMessage
	if err := json.Unmarshal(req, &top); err != nil {
		t.Fatal(err)
	}
	body := func(candidate []byte) []byte {
		b, _ := json.Marshal(map[string]json.RawMessage{"policies": top["policies"], "findings": top["findings"], "options": top["options"], "candidate": candidate})
		return b
	}
	out, err := HandleCheck(body(answer))
	if err != nil {
		t.Fatal(err)
	}
	var got CheckResponse
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"OrdersAccess CREATE_POLICY EXACT", "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess DETACH_POLICY EXACT",
		"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess CREATE_POLICY EXACT"}
	var checks []string
	for _, c := range got.Checks {
		checks = append(checks, c.ExistingPolicyID+" "+c.CandidateAction+" "+c.Verdict)
	}
	if !slices.Equal(checks, want) {
		t.Errorf("checks %q, want %q", checks, want)
	}
	// AWS's answer with one document changed and one step dropped.
	bad := bytes.Replace(answer, []byte(`\"ec2:DescribeAccount*\",`), []byte(`\"ec2:DescribeAccount*\",\"ec2:RunInstances\",`), 1)
	bad = bytes.Replace(bad, []byte(`"recommendedAction": "DETACH_POLICY",
        "existingPolicyId": "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"`), []byte(`"recommendedAction": "DETACH_POLICY",
        "existingPolicyId": "OrdersAccess"`), 1)
	if bytes.Equal(bad, answer) {
		t.Fatal("the mutations did not apply")
	}
	out, err = HandleCheck(body(bad))
	if err != nil {
		t.Fatal(err)
	}
	got = CheckResponse{}
	_ = json.Unmarshal(out, &got)
	checks = nil
	for _, c := range got.Checks {
		checks = append(checks, c.ExistingPolicyID+" "+c.CandidateAction+" "+c.Verdict)
	}
	want = []string{"OrdersAccess CREATE_POLICY EXACT", "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess NONE NOT_EXACT",
		"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess CREATE_POLICY NOT_EXACT"}
	if !slices.Equal(checks, want) {
		t.Errorf("mutated: checks %q, want %q", checks, want)
	}
	if ec2 := got.Checks[2]; !slices.Equal(actions(ec2.OverPermissive), []string{"ec2:RunInstances"}) ||
		ec2.OverPermissive[0].Why != "not allowed by the original" || len(ec2.Broader) != 1 || ec2.Broader[0].Witness != "ec2:RunInstances" {
		t.Errorf("EC2: over %+v, broader %+v", ec2.OverPermissive, ec2.Broader)
	}
}

// TestCheckErrors: bad candidates are refused at their place.
func TestCheckErrors(t *testing.T) {
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}`
	for _, tt := range []struct {
		name, candidate, code, msg string
	}{
		{"not JSON", `"{\"Version\": "`, CodeInvalidCandidate, "candidate: 1:"},
		{"not a policy", `{"Version": "2012-10-17"}`, CodeInvalidCandidate, "the policy has no Statement"},
		{"steps for two policies against one document", `{"recommendedSteps": [{"unusedPermissionsRecommendedStep": {"recommendedAction": "DETACH_POLICY", "existingPolicyId": "A"}},
			{"unusedPermissionsRecommendedStep": {"recommendedAction": "DETACH_POLICY", "existingPolicyId": "B"}}]}`,
			CodeInvalidCandidate, `the candidate has steps for several policies ("A", "B")`},
		{"a bad recommendedPolicy", `{"recommendedSteps": [{"unusedPermissionsRecommendedStep": {"recommendedAction": "CREATE_POLICY", "recommendedPolicy": "{\"Statement\": 3}"}}]}`,
			CodeInvalidCandidate, "recommendedSteps[0].unusedPermissionsRecommendedStep.recommendedPolicy: the document: policy: 1:15: Statement: must be an object"},
	} {
		_, err := ParseCheckRequest([]byte(`{"policy": ` + policy + `, "findings": [], "candidate": ` + tt.candidate + `}`))
		if err == nil || err.Code != tt.code || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %v, want %s saying %q", tt.name, err, tt.code, tt.msg)
		}
	}
}

// TestCheckBounded: a hostile candidate — thousands of distinct patterns with a
// wildcard right after the service — is answered or refused TOO_COMPLEX within
// MaxWork, never worked on without bound.
func TestCheckBounded(t *testing.T) {
	var pats []string
	for i := range 5000 {
		pats = append(pats, "s3:*"+strings.Repeat("?", i%40)+"t*")
	}
	cand, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": []string{"lambda:Invoke*"}, "Resource": "arn:aws:lambda:us-east-1:123456789012:function:my-lambda"},
		map[string]any{"Effect": "Allow", "Action": pats, "Resource": "*"}}})
	var req map[string]json.RawMessage
	if err := json.Unmarshal(mustRead(t, "testdata/golden/article-2024.request.json"), &req); err != nil {
		t.Fatal(err)
	}
	req["candidate"] = cand
	body, _ := json.Marshal(req)
	cr, perr := ParseCheckRequest(body)
	if perr != nil {
		t.Fatal(perr)
	}
	resp, err := checkWithin(cr, &Session{}, MaxWork)
	switch {
	case err != nil && (err.Code != CodeTooComplex || err.Field != "candidate"):
		t.Errorf("refused with %v, want TOO_COMPLEX in the candidate", err)
	case err == nil && resp.Checks[0].Verdict != VerdictNotExact:
		t.Errorf("answered %s, want NOT_EXACT", resp.Checks[0].Verdict)
	}
	t.Logf("answer: %v", err)
}

// TestEntryDiff checks entryDiff against its definition by maps of folded
// texts (the last text of a folded key stands for it), on random statements
// whose entries repeat under other cases.
func TestEntryDiff(t *testing.T) {
	texts := []string{"s3:GetObject", "S3:getobject", "s3:Get*", "S3:GET*", "ec2:Describe*", "\u212ams:Decrypt", "kms:decrypt", "iam:PassRole"}
	byMaps := func(path string, a, b *Statement) (onlyA, onlyB []string) {
		entries := func(st *Statement) map[string]string {
			m := map[string]string{}
			if st != nil {
				for _, p := range st.Patterns {
					m[foldKey(p.Text)] = p.Text
				}
			}
			return m
		}
		ae, be := entries(a), entries(b)
		for k, t := range ae {
			if _, ok := be[k]; !ok {
				onlyA = append(onlyA, path+": "+t)
			}
		}
		for k, t := range be {
			if _, ok := ae[k]; !ok {
				onlyB = append(onlyB, path+": "+t)
			}
		}
		slices.Sort(onlyA)
		slices.Sort(onlyB)
		return onlyA, onlyB
	}
	rng := rand.New(rand.NewPCG(1, 2))
	statement := func() *Statement {
		n := rng.IntN(6) - 1
		if n < 0 {
			return nil
		}
		st := &Statement{Key: "Action"}
		for range n {
			st.Patterns = append(st.Patterns, PatternRef{Text: texts[rng.IntN(len(texts))]})
		}
		return st
	}
	for range 2000 {
		a, b := statement(), statement()
		gotA, gotB := entryDiff("Statement[0]", a, b)
		wantA, wantB := byMaps("Statement[0]", a, b)
		if !slices.Equal(gotA, wantA) || !slices.Equal(gotB, wantB) {
			t.Fatalf("entryDiff(%v, %v) = %q, %q; want %q, %q", a, b, gotA, gotB, wantA, wantB)
		}
	}
}
