package awscli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"whittle/engine"
)

func clock() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) }

// recommend answers the dump of engine/testdata/role for one principal.
func recommend(t *testing.T, principal, findings string) *engine.Recommendation {
	t.Helper()
	dump, err := os.ReadFile("../../../engine/testdata/role/authorization-details.json")
	if err != nil {
		t.Fatal(err)
	}
	rr, e := engine.RecommendationFromTexts(string(dump), findings, "", engine.Options{Principal: principal})
	if e != nil {
		t.Fatal(e)
	}
	return engine.Recommend(rr, clock)
}

// run runs script in sh with aws standing for a function that records its
// arguments (one command a line, arguments separated by NUL) and answers
// create-policy with a new ARN, as --query Policy.Arn --output text would.
func run(t *testing.T, script string) [][]string {
	t.Helper()
	log := filepath.Join(t.TempDir(), "calls")
	fake := `aws() { printf '%s\0' "$@" >>` + Quote(log) + `; printf '\n' >>` + Quote(log) + `;` +
		` if [ "$2" = create-policy ]; then echo "arn:aws:iam::123456789012:policy/$4"; fi; }` + "\n"
	if out, err := exec.Command("sh", "-c", fake+script).CombinedOutput(); err != nil {
		t.Fatalf("sh: %v\n%s\n%s", err, out, script)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var calls [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		calls = append(calls, strings.Split(strings.TrimSuffix(line, "\x00"), "\x00"))
	}
	return calls
}

// TestRecommendationScript runs the commands of a whole role through a real
// shell: each does what its step says, with the step's document byte for byte.
func TestRecommendationScript(t *testing.T) {
	report, err := os.ReadFile("../../../engine/testdata/role/last-accessed-action-level.json")
	if err != nil {
		t.Fatal(err)
	}
	rec := recommend(t, "OrdersApiRole", string(report))
	script := Recommendation(rec)
	calls := run(t, script)
	docOf := map[string]string{}
	for _, s := range rec.RecommendedSteps {
		if s.Step.RecommendedAction == engine.ActionCreate {
			docOf[s.Step.ExistingPolicyID] = s.Step.RecommendedPolicy
		}
	}
	role := []string{"--role-name", "OrdersApiRole"}
	want := [][]string{
		append(append([]string{"iam", "put-role-policy"}, role...), "--policy-name", "OrdersAccess", "--policy-document", docOf["OrdersAccess"]),
		append([]string{"iam", "detach-role-policy"}, append(role, "--policy-arn", "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess")...),
		{"iam", "create-policy", "--policy-name", "AmazonEC2ReadOnlyAccess-refined", "--policy-document", docOf["arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"],
			"--query", "Policy.Arn", "--output", "text"},
		append([]string{"iam", "attach-role-policy"}, append(role, "--policy-arn", "arn:aws:iam::123456789012:policy/AmazonEC2ReadOnlyAccess-refined")...),
		append([]string{"iam", "detach-role-policy"}, append(role, "--policy-arn", "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess")...),
	}
	if len(calls) != len(want) {
		t.Fatalf("%d commands ran, want %d:\n%s", len(calls), len(want), script)
	}
	for i := range want {
		if strings.Join(calls[i], " ") != strings.Join(want[i], " ") {
			t.Errorf("command %d ran as\n%q\nwant\n%q", i, calls[i], want[i])
		}
	}
	for id, doc := range docOf {
		if doc == "" || !json.Valid([]byte(doc)) {
			t.Errorf("%s: no valid document %q", id, doc)
		}
	}
}

// TestRecommendationScriptUser: a user's policies, a wholly unused inline one
// deleted, a missing document and an unchanged policy as comments, and a
// document with single quotes read back exactly.
func TestRecommendationScriptUser(t *testing.T) {
	rec := recommend(t, "alice", `["s3:GetObject", "s3:ListBucket", "ec2:DescribeVolumes"]`)
	script := Recommendation(rec)
	calls := run(t, script)
	if len(calls) != 4 || calls[0][1] != "put-user-policy" || calls[0][3] != "alice" ||
		calls[1][1] != "create-policy" || calls[2][1] != "attach-user-policy" || calls[3][1] != "detach-user-policy" {
		t.Errorf("alice's commands:\n%q\n%s", calls, script)
	}
	rec = recommend(t, "BuildRole", `[{"serviceNamespace": "codebuild"}, {"serviceNamespace": "logs"}]`)
	script = Recommendation(rec)
	calls = run(t, script)
	if len(calls) != 1 || strings.Join(calls[0], " ") != "iam delete-role-policy --role-name BuildRole --policy-name BuildLogs" {
		t.Errorf("BuildRole's commands: %q", calls)
	}
	if !strings.Contains(script, "# arn:aws:iam::123456789012:policy/BuildArtifacts: not refined (the authorization details have no document") {
		t.Errorf("no comment for the missing document:\n%s", script)
	}
	// Quotes in a document and a name survive the shell.
	d := rec.Whittle.Policies[0]
	d.Answer.RecommendedAction = engine.ActionCreate
	d.Answer.RecommendedPolicy = json.RawMessage(`{"Statement":[{"Sid":"it's","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a'b"}]}`)
	d.ExistingPolicyID = "Bob's"
	one := &engine.Recommendation{Whittle: engine.WhittleDetail{Policies: []engine.PolicyDetail{d}}}
	calls = run(t, Recommendation(one))
	want := []string{"iam", "put-role-policy", "--role-name", PrincipalName, "--policy-name", "Bob's", "--policy-document", string(d.Answer.RecommendedPolicy)}
	if len(calls) != 1 || strings.Join(calls[0], "\n") != strings.Join(want, "\n") {
		t.Errorf("quoted: %q, want %q", calls, want)
	}
}
