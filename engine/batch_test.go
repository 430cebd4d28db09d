package engine

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestRecommendationFromPolicies answers every golden recommendation request
// from its texts, the policies parsed once, and wants the golden bytes.
func TestRecommendationFromPolicies(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*recommendation-*.request.json")
	if len(files) < 4 {
		t.Fatalf("golden recommendation requests: %v", files)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".request.json")
		t.Run(name, func(t *testing.T) {
			var req struct {
				Policies, Findings, Catalog json.RawMessage
				Options                     Options
			}
			if err := json.Unmarshal(mustRead(t, file), &req); err != nil {
				t.Fatal(err)
			}
			p, e := ParsePolicies(rawText(req.Policies))
			if e != nil {
				t.Fatal(e)
			}
			var got []byte
			rr, e := RecommendationFromPolicies(p, rawText(req.Findings), rawText(req.Catalog), req.Options)
			if e != nil {
				got = e.JSON()
			} else {
				got = Recommend(rr, goldenClock).JSON()
			}
			if want := mustRead(t, filepath.Join("testdata/golden", name+".golden.json")); !bytes.Equal(got, want) {
				t.Errorf("RecommendationFromPolicies(%s) differs from the golden answer:\n%s", name, got)
			}
		})
	}
}

// rawText is the JSON text a request field holds: the string's value when it
// is a string of JSON text, else the value's own text.
func rawText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// TestPoliciesPrincipals lists a dump's principals, and reads them from the
// one parsed value at once (run with -race).
func TestPoliciesPrincipals(t *testing.T) {
	dump := string(mustRead(t, "testdata/role/authorization-details.json"))
	report := string(mustRead(t, "testdata/role/last-accessed-action-level.json"))
	p, e := ParsePolicies(dump)
	if e != nil {
		t.Fatal(e)
	}
	if p.Form() != InputAuthorizationDetails {
		t.Errorf("Form() = %q", p.Form())
	}
	var names []string
	for _, info := range p.Principals() {
		names = append(names, info.Kind+" "+info.Name+" "+info.Arn)
	}
	want := "role OrdersApiRole arn:aws:iam::123456789012:role/OrdersApiRole," +
		"role BuildRole arn:aws:iam::123456789012:role/ci/BuildRole," +
		"user alice arn:aws:iam::123456789012:user/alice"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("Principals() = %s, want %s", got, want)
	}
	var wg sync.WaitGroup
	answers := make([][]byte, 2*len(p.Principals()))
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info := p.Principals()[i%len(p.Principals())]
			rr, e := RecommendationFromPolicies(p, report, "", Options{Principal: info.Arn})
			if e != nil {
				t.Error(e)
				return
			}
			answers[i] = Recommend(rr, goldenClock).JSON()
		}()
	}
	wg.Wait()
	for i, info := range p.Principals() {
		body, _ := json.Marshal(map[string]any{"policies": dump, "findings": report, "options": map[string]string{"principal": info.Name}})
		want, e := handleRecommendation(body, goldenClock)
		if e != nil {
			t.Fatal(e)
		}
		if !bytes.Equal(answers[i], want) || !bytes.Equal(answers[i+len(p.Principals())], want) {
			t.Errorf("%s: the answer differs from the API's", info.Name)
		}
	}
	if _, e := ParsePolicies(`{"RoleDetailList": [`); e == nil || e.Field != "policies" || e.Line != 1 {
		t.Errorf("ParsePolicies of bad JSON: %v", e)
	}
}

// TestResponseJSON: the answer's JSON is HandleRefine's.
func TestResponseJSON(t *testing.T) {
	body, err := os.ReadFile("testdata/golden/article-2024.request.json")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := HandleRefine(body)
	req, _ := ParseRequest(body)
	if got := Respond(req).JSON(); !bytes.Equal(got, want) {
		t.Errorf("Response.JSON differs from HandleRefine")
	}
}

// TestRecommendationFromPoliciesErrors: what a dump's reader refuses, the
// policies parsed once refuse alike, at the same place.
func TestRecommendationFromPoliciesErrors(t *testing.T) {
	report := string(mustRead(t, "testdata/role/last-accessed-action-level.json"))
	for _, tt := range []struct{ dump, principal string }{
		{`{"RoleDetailList": [{"RoleName": "A"}, {"RoleNam": "B"}]}`, "A"},
		{`{"RoleDetailList": [{"RoleName": "A"}], "UserDetailList": 3}`, "A"},
		{`{"RoleDetailList": [{"RoleName": "A"}, 7]}`, "A"},
		{`{"RoleDetailList": [{"RoleName": "A"}, {"RoleName": "B"}]}`, ""},
		{`{"RoleDetailList": [{"RoleName": "A"}, {"RoleName": "B"}]}`, "C"},
		{`{"RoleDetailList": [], "UserDetailList": null}`, ""},
		{`{"RoleDetailList": [{"RoleName": "A", "RolePolicyList": [{"PolicyName": "p",
			"PolicyDocument": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3GetObject"}}}]}]}`, ""},
		{`{"RoleDetailList": [{"RoleName": "A", "AttachedManagedPolicies": [{"PolicyArn": "arn:x"}]}], "Policies": {}}`, "a"},
	} {
		body, _ := json.Marshal(map[string]any{"policies": tt.dump, "findings": report, "options": map[string]string{"principal": tt.principal}})
		if tt.principal == "" {
			body, _ = json.Marshal(map[string]any{"policies": tt.dump, "findings": report})
		}
		_, want := ParseRecommendationRequest(body)
		p, e := ParsePolicies(tt.dump)
		if e != nil {
			t.Fatal(e)
		}
		_, got := RecommendationFromPolicies(p, report, "", Options{Principal: tt.principal})
		if want == nil || got == nil || string(got.JSON()) != string(want.JSON()) {
			t.Errorf("RecommendationFromPolicies(%s, %q) = %v, want %v", tt.dump, tt.principal, got, want)
		}
	}
}
