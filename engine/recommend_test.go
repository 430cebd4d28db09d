package engine

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// doc is a one-statement policy allowing actions.
func doc(actions ...string) string {
	b, _ := json.Marshal(actions)
	return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ` + string(b) + `, "Resource": "*"}]}`
}

// steps writes the recommended steps compactly: ACTION id [updatedAt].
func steps(r *Recommendation) string {
	var parts []string
	for _, s := range r.RecommendedSteps {
		p := s.Step.RecommendedAction + " " + s.Step.ExistingPolicyID
		if s.Step.PolicyUpdatedAt != "" {
			p += " @" + s.Step.PolicyUpdatedAt
		}
		if (s.Step.RecommendedPolicy != "") != (s.Step.RecommendedAction == ActionCreate) {
			p += " (recommendedPolicy wrong)"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// TestRecommendationSteps: one row per rule of AWS's recommendation shape.
func TestRecommendationSteps(t *testing.T) {
	tests := []struct {
		name     string
		policies string
		findings string
		want     string
	}{
		{"partly unused: CREATE then DETACH of the same policy",
			`[{"existingPolicyId": "Inline", "document": ` + doc("s3:GetObject", "s3:PutObject") + `}]`, `["s3:PutObject"]`,
			"CREATE_POLICY Inline; DETACH_POLICY Inline"},
		{"wholly unused: DETACH only",
			`[{"existingPolicyId": "Inline", "document": ` + doc("s3:PutObject") + `}]`, `["s3:PutObject"]`,
			"DETACH_POLICY Inline"},
		{"nothing unused: no step (NONE is not AWS's)",
			`[{"existingPolicyId": "Inline", "document": ` + doc("s3:GetObject") + `}]`, `["s3:PutObject"]`, ""},
		{"managed policies carry policyUpdatedAt on both steps; inline ones never",
			`[{"existingPolicyId": "arn:aws:iam::aws:policy/P", "policyUpdatedAt": "2023-08-10T21:31:39+00:00", "document": ` + doc("s3:Get*") + `},
			  {"existingPolicyId": "Inline", "policyUpdatedAt": "2023-08-10T21:31:39+00:00", "document": ` + doc("s3:Get*") + `}]`,
			`["s3:GetObjectAcl"]`,
			"CREATE_POLICY arn:aws:iam::aws:policy/P @2023-08-10T21:31:39+00:00; DETACH_POLICY arn:aws:iam::aws:policy/P @2023-08-10T21:31:39+00:00; " +
				"CREATE_POLICY Inline; DETACH_POLICY Inline"},
		{"steps follow the policies in the order given",
			`{"policies": [{"existingPolicyId": "B", "document": ` + doc("sqs:ListQueues") + `},
			  {"existingPolicyId": "C", "document": ` + doc("s3:GetObject") + `},
			  {"existingPolicyId": "A", "document": ` + doc("s3:PutObject", "s3:GetObject") + `}]}`,
			`["sqs:ListQueues", "s3:PutObject"]`,
			"DETACH_POLICY B; CREATE_POLICY A; DETACH_POLICY A"},
		{"documents as JSON text and as URL-encoded JSON",
			`[{"existingPolicyId": "T", "document": ` + jsonString(doc("s3:PutObject", "s3:GetObject")) + `},
			  {"existingPolicyId": "U", "document": "` + url.PathEscape(doc("s3:PutObject")) + `"}]`,
			`["s3:PutObject"]`, "CREATE_POLICY T; DETACH_POLICY T; DETACH_POLICY U"},
	}
	for _, tt := range tests {
		body := []byte(`{"policies": ` + tt.policies + `, "findings": ` + tt.findings + `}`)
		rr, err := ParseRecommendationRequest(body)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		rec := Recommend(rr, goldenClock)
		if got := steps(rec); got != tt.want {
			t.Errorf("%s:\n got  %s\n want %s", tt.name, got, tt.want)
		}
		if rec.RecommendationType != "UNUSED_PERMISSION_RECOMMENDATION" || rec.Status != "SUCCEEDED" || rec.Error != nil {
			t.Errorf("%s: top level %+v", tt.name, rec)
		}
		// Each policy's detail is what /api/v1/refine answers for its document.
		for i, d := range rec.Whittle.Policies {
			one := Respond(rr.Request(i))
			if !bytes.Equal(marshalIndent(d.Answer), marshalIndent(one)) {
				t.Errorf("%s: policy %d: the detail differs from Respond", tt.name, i)
			}
		}
	}
}

// TestRecommendationCreateStep: the CREATE_POLICY step carries the refined
// document minified, in the original key order: the refine answer's document.
func TestRecommendationCreateStep(t *testing.T) {
	policy := `{"Statement": [{"Resource": "*", "Action": ["s3:Get*"], "Sid": "Z", "Effect": "Allow"}], "Version": "2012-10-17"}`
	body := []byte(`{"policies": [{"existingPolicyId": "P", "document": ` + policy + `}], "findings": ["s3:GetObjectAcl"]}`)
	rr, err := ParseRecommendationRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	rec := Recommend(rr, goldenClock)
	got := rec.RecommendedSteps[0].Step.RecommendedPolicy
	if strings.ContainsAny(got, " \n") || !strings.HasPrefix(got, `{"Statement":[{"Resource":"*","Action":[`) || !strings.HasSuffix(got, `"Sid":"Z","Effect":"Allow"}],"Version":"2012-10-17"}`) {
		t.Errorf("recommendedPolicy = %s", got)
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, rec.Whittle.Policies[0].Answer.RecommendedPolicy)
	if compact.String() != got {
		t.Errorf("recommendedPolicy %s\nis not the refined document %s", got, compact.String())
	}
	if rec.StartedAt != "2026-11-30T10:00:00+00:00" || rec.CompletedAt != rec.StartedAt || rec.ResourceArn != "" {
		t.Errorf("times %s %s, resourceArn %q", rec.StartedAt, rec.CompletedAt, rec.ResourceArn)
	}
}

// TestAuthorizationDetails: the policies of one principal of a dump.
func TestAuthorizationDetails(t *testing.T) {
	dump := string(mustRead(t, "testdata/role/authorization-details.json"))
	tests := []struct {
		principal string
		who       string   // kind name arn
		ids       []string // id kind updatedAt path-or-missing
		warnings  []string
	}{
		{"OrdersApiRole", "role OrdersApiRole arn:aws:iam::123456789012:role/OrdersApiRole", []string{
			"OrdersAccess inline  RoleDetailList[0].RolePolicyList[0].PolicyDocument",
			"arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess managed 2023-08-10T21:31:39+00:00 Policies[0].PolicyVersionList[1].Document",
			"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess managed 2024-06-04T18:42:07+00:00 Policies[1].PolicyVersionList[0].Document",
		}, nil},
		{"arn:aws:iam::123456789012:role/OrdersApiRole", "role OrdersApiRole arn:aws:iam::123456789012:role/OrdersApiRole", []string{
			"OrdersAccess inline  RoleDetailList[0].RolePolicyList[0].PolicyDocument",
			"arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess managed 2023-08-10T21:31:39+00:00 Policies[0].PolicyVersionList[1].Document",
			"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess managed 2024-06-04T18:42:07+00:00 Policies[1].PolicyVersionList[0].Document",
		}, nil},
		{"buildrole", "role BuildRole arn:aws:iam::123456789012:role/ci/BuildRole", []string{
			"BuildLogs inline  RoleDetailList[1].RolePolicyList[0].PolicyDocument",
			"arn:aws:iam::123456789012:policy/BuildArtifacts managed  missing",
		}, []string{"MISSING_DOCUMENT"}},
		{"alice", "user alice arn:aws:iam::123456789012:user/alice", []string{
			"ReadReports inline  UserDetailList[0].UserPolicyList[0].PolicyDocument",
			"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess managed 2024-06-04T18:42:07+00:00 Policies[1].PolicyVersionList[0].Document",
		}, []string{"GROUP_POLICIES"}},
	}
	for _, tt := range tests {
		v, _ := ParseJSON([]byte(dump))
		set, err := readPolicySet([]byte(dump), v, "policies", tt.principal, false)
		if err != nil {
			t.Errorf("%s: %v", tt.principal, err)
			continue
		}
		p := set.Principal
		if got := p.Kind + " " + p.Name + " " + p.Arn; got != tt.who || set.Form != InputAuthorizationDetails || len(set.Principals) != 3 {
			t.Errorf("%s: principal %s (of %d), want %s", tt.principal, got, len(set.Principals), tt.who)
		}
		var ids []string
		for _, in := range set.Policies {
			where := in.Path
			if in.Policy == nil {
				where = "missing"
				if !strings.Contains(in.Missing, in.ID) || !strings.Contains(in.Missing, "--filter") {
					t.Errorf("%s: missing document message %q", tt.principal, in.Missing)
				}
			}
			ids = append(ids, in.ID+" "+in.Kind+" "+in.UpdatedAt+" "+where)
		}
		if strings.Join(ids, "\n") != strings.Join(tt.ids, "\n") {
			t.Errorf("%s: policies\n%s\nwant\n%s", tt.principal, strings.Join(ids, "\n"), strings.Join(tt.ids, "\n"))
		}
		var codes []string
		for _, w := range set.Warnings {
			codes = append(codes, w.Code)
		}
		if strings.Join(codes, " ") != strings.Join(tt.warnings, " ") {
			t.Errorf("%s: warnings %v, want %v", tt.principal, set.Warnings, tt.warnings)
		}
	}
	// A missing document: the others are refined all the same, and the
	// detail says why that one is not.
	body := []byte(`{"policies": ` + dump + `, "findings": ["logs:PutLogEvents"], "options": {"principal": "BuildRole"}}`)
	rr, err := ParseRecommendationRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	rec := Recommend(rr, goldenClock)
	if got := steps(rec); got != "CREATE_POLICY BuildLogs; DETACH_POLICY BuildLogs" {
		t.Errorf("BuildRole steps: %s", got)
	}
	if d := rec.Whittle.Policies[1]; d.Answer != nil || d.Missing == "" || rec.ResourceArn != "arn:aws:iam::123456789012:role/ci/BuildRole" {
		t.Errorf("BuildRole's missing policy: %+v", d)
	}
}

// TestPoliciesErrors: bad policies inputs are refused at their place.
func TestPoliciesErrors(t *testing.T) {
	dump := string(mustRead(t, "testdata/role/authorization-details.json"))
	tests := []struct {
		name, policies, options string
		code, path, msg         string
		line                    int
	}{
		{"several principals, none named", dump, `{}`, CodeInvalidOptions, "principal",
			"the authorization details hold 3 principals: name one (role OrdersApiRole, role BuildRole, user alice)", 0},
		{"no such principal", dump, `{"principal": "bob"}`, CodeInvalidOptions, "principal",
			`no role or user named "bob" in the authorization details; they hold role OrdersApiRole, role BuildRole, user alice`, 0},
		{"a dump with no principal", `{"RoleDetailList": [], "UserDetailList": [], "Policies": []}`, `{}`, CodeInvalidPolicy, "",
			"the authorization details hold no role or user", 1},
		{"a bad document in a dump, placed in it",
			strings.Replace(dump, `"lambda:*"`, `"lambda*"`, 1), `{"principal": "OrdersApiRole"}`, CodeInvalidPolicy,
			"RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[1].Action",
			`RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[1].Action: "lambda*" is not service:action`, 111},
		{"a bad URL-encoded document", strings.Replace(dump, "%22codebuild%3A%2A%22", "%22codebuild%2A%22", 1), `{"principal": "BuildRole"}`,
			CodeInvalidPolicy, "RoleDetailList[1].RolePolicyList[0].PolicyDocument", `the document text: policy: 1:`, 0},
		{"a list item without a document", `[{"existingPolicyId": "A"}]`, `{}`, CodeInvalidPolicy, "[0]", `the policy has no "document"`, 1},
		{"an unknown key", `[{"existingPolicyId": "A", "doc": {}}]`, `{}`, CodeInvalidPolicy, "[0].doc", `unknown key "doc"`, 1},
	}
	for _, tt := range tests {
		body := `{"policies": ` + tt.policies + `, "findings": [], "options": ` + tt.options + `}`
		_, err := ParseRecommendationRequest([]byte(body))
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if err.Code != tt.code || err.Path != tt.path || !strings.Contains(err.Message, tt.msg) || tt.line != 0 && err.Line != tt.line {
			t.Errorf("%s: %s at %q line %d: %q\nwant %s at %q line %d: %q", tt.name, err.Code, err.Path, err.Line, err.Message, tt.code, tt.path, tt.line, tt.msg)
		}
	}
	// The refine route names the route that takes a dump or a list.
	for _, in := range []string{dump, `[{"existingPolicyId": "A", "document": {}}]`} {
		_, err := ParseRequest([]byte(`{"policy": ` + in + `, "findings": []}`))
		if err == nil || err.Code != CodeInvalidPolicy || !strings.Contains(err.Message, "/api/v1/recommendation") {
			t.Errorf("refine with %.40s…: %v, want a pointer to /api/v1/recommendation", in, err)
		}
	}
}

// TestRecommendationFromTexts: the page's texts give the API's answer, and
// pick the first principal of a dump where the API asks which.
func TestRecommendationFromTexts(t *testing.T) {
	dump := string(mustRead(t, "testdata/role/authorization-details.json"))
	report := string(mustRead(t, "testdata/role/last-accessed-action-level.json"))
	rr, err := RecommendationFromTexts(dump, report, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rr.Set.Principal.Name != "OrdersApiRole" {
		t.Errorf("first principal %v", rr.Set.Principal)
	}
	body, _ := json.Marshal(map[string]any{"policies": dump, "findings": report, "options": map[string]string{"principal": "OrdersApiRole"}})
	want, e := handleRecommendation(body, goldenClock)
	if e != nil {
		t.Fatal(e)
	}
	var s Session
	if got := marshalIndent(s.Recommend(rr, goldenClock)); !bytes.Equal(got, want) {
		t.Errorf("RecommendationFromTexts in a session differs from the API's answer")
	}
	rr, err = RecommendationFromTexts(dump, report, "", Options{Principal: "alice"})
	if err != nil || rr.Set.Principal.Name != "alice" {
		t.Errorf("principal alice: %v %v", rr, err)
	}
}
