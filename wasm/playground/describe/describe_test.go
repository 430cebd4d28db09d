package describe

import (
	"os"
	"strings"
	"testing"
	"time"

	"whittle/engine"
)

func TestFindings(t *testing.T) {
	report := engine.FindingsInfo{Form: engine.FormLastAccessed, Report: &engine.ReportInfo{
		JobType: engine.JobActionLevel, WindowStart: "2026-09-01T10:00:00+00:00", WindowEnd: "2026-11-30T10:00:00+00:00",
		UnusedAccessAge: 90, UnusedServices: []string{"autoscaling", "sqs"}, UnusedActions: []string{"ec2:RunInstances"}, UntrackedKept: 1386}}
	for _, tt := range []struct {
		fi               engine.FindingsInfo
		actions, service int
		want             string
	}{
		{report, 0, 0, "Read as an IAM last-accessed report (action level), window 2026-09-01 → 2026-11-30 (90 days): " +
			"2 services unused (autoscaling, sqs), 1 tracked action unused; 1,386 allowed actions stay because the report does not track them."},
		{engine.FindingsInfo{Form: engine.FormLastAccessed, Report: &engine.ReportInfo{JobType: engine.JobServiceLevel,
			WindowStart: "2026-11-29T10:00:00+00:00", WindowEnd: "2026-11-30T10:00:00+00:00", UnusedAccessAge: 1, UntrackedKept: 1}}, 0, 0,
			"Read as an IAM last-accessed report (service level), window 2026-11-29 → 2026-11-30 (1 day): no service unused; 1 allowed action stays because the report does not track it."},
		{engine.FindingsInfo{Form: engine.FormAnalyzer}, 8, 1, "Read as Access Analyzer findings: 8 unused actions, 1 whole service unused."},
		{engine.FindingsInfo{Form: engine.FormEmpty}, 0, 0, "Read as nothing unused."},
	} {
		if got := Findings(tt.fi, tt.actions, tt.service); got != tt.want {
			t.Errorf("Findings(%+v) =\n\t%s\nwant\n\t%s", tt.fi, got, tt.want)
		}
	}
}

// TestPolicyRows: the role example's rows, from the engine's answer.
func TestPolicyRows(t *testing.T) {
	dump, _ := os.ReadFile("../../../engine/testdata/role/authorization-details.json")
	report, _ := os.ReadFile("../../../engine/testdata/role/last-accessed-action-level.json")
	rr, err := engine.RecommendationFromTexts(string(dump), string(report), "", engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := engine.Recommend(rr, time.Now)
	var rows []string
	for i := range rec.Whittle.Policies {
		d := &rec.Whittle.Policies[i]
		rows = append(rows, PolicyName(d)+" | "+d.Kind+" | "+Verdict(d)+" | "+Size(d))
	}
	want := []string{
		"OrdersAccess | inline | refine | 382 → 2,427",
		"AmazonSQSReadOnlyAccess | managed | detach: wholly unused | 255 → detached",
		"AmazonEC2ReadOnlyAccess | managed | refine | 398 → 2,208",
	}
	wantLines(t, "rows", rows, want)
}

// wantLines fails t when the lines got are not the lines want.
func wantLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n\t%s\nwant\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestWarnings(t *testing.T) {
	ws := []engine.Warning{
		{Code: "UNKNOWN_PATTERN", Path: "Statement[0].Action[3]", Message: `"deepcomposer:*" matches no action in the catalog; it is kept as written`},
		{Code: "OVER_QUOTA", Message: "the refined policy has 9,000 characters"},
		{Code: "UNKNOWN_PATTERN", Path: "Statement[0].Action[9]", Message: `"iot1click:List*" matches no action in the catalog; it is kept as written`},
		{Code: "UNKNOWN_PATTERN", Path: "Statement[0].Action[12]", Message: `"s3:NoSuch*" matches no action in the catalog; it is kept as written`},
		{Code: "UNKNOWN_PATTERN", Path: "Statement[1].Action[0]", Message: `"DeepComposer:Get*" matches no action in the catalog; it is kept as written`},
		{Code: "UNKNOWN_SERVICE", Path: "findings.[2].serviceNamespace", Message: `service "robomaker" is not in the catalog`},
	}
	known := func(s string) bool { return s == "s3" }
	got := Warnings(ws, "2026-09-26", known)
	want := []WarningGroup{
		{"UNKNOWN_PATTERN", "UNKNOWN_PATTERN · 4 patterns match no action in the catalog and are kept as written; 2 services are not in the catalog of 2026-09-26 (retired or renamed?): deepcomposer, iot1click", nil},
		{"OVER_QUOTA", "OVER_QUOTA · the refined policy has 9,000 characters", nil},
		{"UNKNOWN_SERVICE", "UNKNOWN_SERVICE · 1 service of the findings is not in the catalog of 2026-09-26 (retired or renamed?): robomaker", nil},
	}
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Code != want[i].Code || got[i].Summary != want[i].Summary {
			t.Errorf("group %d:\n got  %s\n want %s", i, got[i].Summary, want[i].Summary)
		}
	}
	if len(got[0].Items) != 4 || got[0].Items[0] != `UNKNOWN_PATTERN: "deepcomposer:*" matches no action in the catalog; it is kept as written (Statement[0].Action[3])` {
		t.Errorf("items of the first group: %q", got[0].Items)
	}
}

func TestCheck(t *testing.T) {
	pc := &engine.PolicyCheck{Verdict: engine.VerdictNotExact,
		OverPermissive:  []engine.ActionIssue{{Statement: "Statement[1]", Action: "s3:GetBucketAcl", AccessLevel: "Read", Why: "unused"}, {Statement: "Statement[1]", Action: "s3:PutObject", AccessLevel: "Write", Why: "not allowed by the original"}},
		UnderPermissive: []engine.ActionIssue{{Statement: "Statement[1]", Action: "s3:GetObjectAcl", AccessLevel: "Read"}},
		Broader:         []engine.BroaderPattern{{Path: "Statement[1].Action[5]", Pattern: "s3:*Object", Witness: "s3:PutObject", Original: []string{"s3:Get*", "s3:List*"}}},
	}
	verdict, sentences := Check(pc)
	if verdict != "✗ Not exact: 2 actions too many, 1 action lost, 1 pattern broader than the original." {
		t.Errorf("verdict %q", verdict)
	}
	var got []string
	for _, s := range sentences {
		line := ""
		for _, p := range s {
			if p.Action != "" {
				line += "[" + p.Text + "]"
			} else {
				line += p.Text
			}
		}
		got = append(got, line)
	}
	want := []string{
		"The candidate allows [s3:GetBucketAcl], which is unused (Read).",
		"The candidate allows [s3:PutObject], which the original did not allow (Write).",
		"It drops [s3:GetObjectAcl], which is still used.",
		"s3:*Object is broader than s3:Get*, s3:List*: it also allows [s3:PutObject].",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sentences:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	exact := &engine.PolicyCheck{Verdict: engine.VerdictExact, Size: engine.CheckSize{Candidate: 400, Whittle: 346},
		Whittle: engine.WhittleDiff{OnlyInCandidate: []string{"Statement[1]: s3:GetMultiRegionAccessPoint"}}}
	if v, s := Check(exact); v != "✓ Exact: the candidate allows exactly what the original allowed, minus the unused actions. Written otherwise than Whittle's answer: 400 characters, Whittle's 346." || len(s) != 0 {
		t.Errorf("exact: %q %v", v, s)
	}
}

// TestNothingToRefine: why a principal's policies show no refined policy.
func TestNothingToRefine(t *testing.T) {
	missing := []engine.PolicyDetail{{ExistingPolicyID: "arn:aws:iam::123456789012:policy/Gone", Kind: engine.PolicyManaged, Missing: "no document"}}
	role := &engine.PrincipalInfo{Name: "EmptyRole", Kind: "role"}
	for _, tt := range []struct {
		principal *engine.PrincipalInfo
		policies  []engine.PolicyDetail
		want      string
	}{
		{role, nil, "The role EmptyRole has no policies: there is nothing to refine."},
		{&engine.PrincipalInfo{Name: "bob", Kind: "user"}, []engine.PolicyDetail{}, "The user bob has no policies: there is nothing to refine."},
		{role, missing, "None of these policies has a document to refine: see the messages above."},
		{nil, missing, "None of these policies has a document to refine: see the messages above."},
	} {
		rec := &engine.Recommendation{Whittle: engine.WhittleDetail{Principal: tt.principal, Policies: tt.policies}}
		if got := NothingToRefine(rec); got != tt.want {
			t.Errorf("NothingToRefine(principal %+v, %d policies) = %q, want %q", tt.principal, len(tt.policies), got, tt.want)
		}
	}
}
