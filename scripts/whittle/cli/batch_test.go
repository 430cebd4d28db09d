package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"whittle/engine"
)

// runBatch runs `whittle recommend` for every principal with a fixed clock;
// terminal says whether standard error counts as a terminal.
func runBatch(t testing.TB, terminal bool, cores int, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	r := &runner{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, now: goldenClock,
		terminal: func(io.Writer) bool { return terminal }, cores: cores}
	code = r.run(append([]string{"recommend"}, args...))
	return code, out.String(), errOut.String()
}

// apiAnswer is what POST /api/v1/recommendation answers for these texts, at
// the golden clock, without whittle.principals (which the batch leaves out).
func apiAnswer(t *testing.T, dump, report, principal string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"policies": dump, "findings": report, "options": map[string]string{"principal": principal}})
	rr, e := engine.ParseRecommendationRequest(body)
	if e != nil {
		t.Fatal(e)
	}
	rec := engine.Recommend(rr, goldenClock)
	if len(rec.Whittle.Principals) != 3 {
		t.Errorf("the API's answer lists %d principals, want 3", len(rec.Whittle.Principals))
	}
	rec.Whittle.Principals = nil
	return rec.JSON()
}

func mustRead(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBatch: the made-up account's three principals, one without a report.
func TestBatch(t *testing.T) {
	dump := roleDir + "/authorization-details.json"
	out := filepath.Join(t.TempDir(), "answers") // made by the command
	code, stdout, stderr := runBatch(t, false, 2, "--authorization-details", dump, "--last-accessed", "testdata/last-accessed", "--out", out)
	if code != ExitOK || stderr != "" {
		t.Fatalf("batch = %d, stderr %q", code, stderr)
	}
	for _, name := range []string{"OrdersApiRole", "BuildRole"} {
		report := mustRead(t, "testdata/last-accessed/"+name+".json")
		if got, want := mustRead(t, filepath.Join(out, name+".json")), apiAnswer(t, mustRead(t, dump), report, name); got != string(want) {
			t.Errorf("%s.json differs from the API's answer:\n%s", name, got)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "alice.json")); err == nil {
		t.Errorf("alice.json written without a report")
	}
	for _, part := range []string{
		"PRINCIPAL      KIND  POLICIES  CREATE  DETACH  REMOVED  List  Read  Write  Permissions management  Tagging  Unknown  WARNINGS\n",
		"OrdersApiRole  role  3         2       3       65       27    31    5      2                       0        0        0\n",
		"BuildRole      role  2         1       1       67       18    12    35     2                       0        0        1\n",
		"TOTAL                5         3       4       132      45    43    40     4                       0        0        1\n",
		"3 principals: 2 answered (in " + out + "), 1 without a report, 0 failed; ",
		"without a report (not refined):\n  user alice: no report " + filepath.Join("testdata/last-accessed", "alice.json") + "\n",
	} {
		if !strings.Contains(stdout, part) {
			t.Errorf("the table lacks %q:\n%s", part, stdout)
		}
	}
	if strings.Contains(stdout, "failed:") {
		t.Errorf("failures listed:\n%s", stdout)
	}

	// --fail-on-unused: something is unused.
	if code, _, _ := runBatch(t, false, 2, "--authorization-details", dump, "--last-accessed", "testdata/last-accessed", "--out", out, "--fail-on-unused"); code != ExitUnused {
		t.Errorf("batch --fail-on-unused = %d, want %d", code, ExitUnused)
	}
	// The same on one core: the same answers.
	one := filepath.Join(t.TempDir(), "one")
	if code, _, _ := runBatch(t, false, 1, "--authorization-details", dump, "--last-accessed", "testdata/last-accessed", "--out", one, "--jobs", "1"); code != ExitOK {
		t.Errorf("batch --jobs 1 = %d", code)
	}
	for _, name := range []string{"OrdersApiRole.json", "BuildRole.json"} {
		if mustRead(t, filepath.Join(one, name)) != mustRead(t, filepath.Join(out, name)) {
			t.Errorf("%s differs between --jobs 1 and 2", name)
		}
	}
}

// TestBatchProgress: the bar is drawn on a terminal only, and cleared.
func TestBatchProgress(t *testing.T) {
	dump := roleDir + "/authorization-details.json"
	args := []string{"--authorization-details", dump, "--last-accessed", "testdata/last-accessed", "--out", t.TempDir()}
	_, _, stderr := runBatch(t, false, 2, args...)
	if stderr != "" {
		t.Errorf("not a terminal, stderr = %q; want nothing", stderr)
	}
	_, stdout, stderr := runBatch(t, true, 2, args...)
	if !strings.Contains(stderr, "\r[##############################] 3/3 ") || !strings.HasSuffix(stderr, "\r") || strings.Contains(stderr, "\x1b") {
		t.Errorf("terminal, stderr = %q; want a full bar, then cleared", stderr)
	}
	if strings.Contains(stdout, "\r") {
		t.Errorf("the bar is on standard output")
	}
}

// TestBatchFailures: a principal whose policy is bad is listed with the placed
// reason and makes the exit code 1; the others are answered.
func TestBatchFailures(t *testing.T) {
	dir := t.TempDir()
	var d map[string]any
	if err := json.Unmarshal([]byte(mustRead(t, roleDir+"/authorization-details.json")), &d); err != nil {
		t.Fatal(err)
	}
	build := d["RoleDetailList"].([]any)[1].(map[string]any)
	build["RolePolicyList"].([]any)[0].(map[string]any)["PolicyDocument"] = map[string]any{
		"Version": "2012-10-17", "Statement": map[string]any{"Effect": "Allow", "Action": "codebuildStartBuild", "Resource": "*"}}
	text, _ := json.MarshalIndent(d, "", "  ")
	dump := filepath.Join(dir, "dump.json")
	os.WriteFile(dump, text, 0o644)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runBatch(t, false, 2, "--authorization-details", dump, "--last-accessed", "testdata/last-accessed", "--out", out)
	line := 1 + strings.Count(string(text[:bytes.Index(text, []byte(`"codebuildStartBuild"`))]), "\n")
	want := fmt.Sprintf("failed:\n  role BuildRole: %s:%d:", dump, line)
	if code != ExitBadInput || !strings.Contains(stdout, want) || !strings.Contains(stdout, `.Statement.Action: "codebuildStartBuild" is not service:action`) ||
		stderr != "whittle: 1 principal failed (listed on standard output)\n" {
		t.Errorf("batch with a bad policy = %d, stderr %q; want %d and %q in:\n%s", code, stderr, ExitBadInput, want, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "OrdersApiRole.json")); err != nil {
		t.Errorf("the good principal is not answered: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "BuildRole.json")); err == nil {
		t.Errorf("the bad principal has an answer")
	}

	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--authorization-details", dump, "--last-accessed", filepath.Join(dir, "none"), "--out", out}, ExitBadInput, "is not a directory"},
		{[]string{"--authorization-details", roleDir + "/last-accessed-action-level.json", "--last-accessed", "testdata/last-accessed", "--out", out}, ExitBadInput, "is not the output of aws iam get-account-authorization-details"},
		{[]string{"--authorization-details", dump, "--last-accessed", "testdata/last-accessed", "--out", out, "--jobs", "0"}, ExitUsage, "--jobs: want at least 1"},
		{[]string{"--authorization-details", dump, "--last-accessed", "testdata/last-accessed", "--out", "testdata/./last-accessed/"}, ExitUsage, "is the --last-accessed folder"},
	} {
		if code, _, stderr := runBatch(t, false, 2, tt.args...); code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("recommend %q = %d, %q; want %d, %q", tt.args, code, stderr, tt.code, tt.stderr)
		}
	}
}

// thousand writes an account of n roles, each with OrdersApiRole's three
// policies (an inline one and two AWS managed ones, the real EC2 and SQS
// read-only policies), and a last-accessed report for each: the made-up
// account's, each role's in its own file. It returns the dump's path and the
// reports' folder.
func thousand(t testing.TB, n int) (dump, reports string) {
	t.Helper()
	dir := t.TempDir()
	var d map[string]any
	if err := json.Unmarshal([]byte(mustRead(t, roleDir+"/authorization-details.json")), &d); err != nil {
		t.Fatal(err)
	}
	orders, _ := json.Marshal(d["RoleDetailList"].([]any)[0])
	report := mustRead(t, roleDir+"/last-accessed-action-level.json")
	reports = filepath.Join(dir, "last-accessed")
	os.Mkdir(reports, 0o755)
	var roles []any
	for i := range n {
		name := fmt.Sprintf("Service%04dRole", i)
		role := strings.ReplaceAll(string(orders), "OrdersApiRole", name)
		var v any
		json.Unmarshal([]byte(role), &v)
		roles = append(roles, v)
		if err := os.WriteFile(filepath.Join(reports, name+".json"), []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d["RoleDetailList"] = roles
	d["UserDetailList"] = []any{}
	text, _ := json.MarshalIndent(d, "", "    ")
	dump = filepath.Join(dir, "authorization-details.json")
	if err := os.WriteFile(dump, text, 0o644); err != nil {
		t.Fatal(err)
	}
	return dump, reports
}

// batchThousandLimit bounds TestBatchThousand's run: it takes a few seconds
// on two cores (README, Performance); ten times that on a loaded machine is
// still a pass, a quadratic slip is not.
const batchThousandLimit = 60 * time.Second

// TestBatchThousand: 1,000 generated principals, on every core, in a stated
// time.
func TestBatchThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 principals: not with -short")
	}
	dump, reports := thousand(t, 1000)
	out := t.TempDir()
	start := time.Now()
	r := &runner{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: time.Now,
		terminal: func(io.Writer) bool { return false }, cores: runtime.NumCPU()}
	code := r.run([]string{"recommend", "--authorization-details", dump, "--last-accessed", reports, "--out", out})
	took := time.Since(start)
	if code != ExitOK {
		t.Fatalf("batch of 1,000 = %d", code)
	}
	files, _ := os.ReadDir(out)
	if len(files) != 1000 {
		t.Errorf("%d answers, want 1,000", len(files))
	}
	t.Logf("1,000 principals (3 policies each) in %s on %d workers", took.Round(time.Millisecond), r.cores)
	if took > batchThousandLimit {
		t.Errorf("1,000 principals took %s, over %s", took, batchThousandLimit)
	}
}

// BenchmarkBatchThousand: go test ./scripts/whittle/cli -run='^$' -bench=BatchThousand -benchtime=1x -count=3
func BenchmarkBatchThousand(b *testing.B) {
	dump, reports := thousand(b, 1000)
	out := b.TempDir()
	for b.Loop() {
		r := &runner{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: time.Now,
			terminal: func(io.Writer) bool { return false }, cores: runtime.NumCPU()}
		if code := r.run([]string{"recommend", "--authorization-details", dump, "--last-accessed", reports, "--out", out}); code != ExitOK {
			b.Fatalf("batch = %d", code)
		}
	}
}

// BenchmarkParseDumpThousand is what the batch saves by parsing the dump once:
// the parse of a 1,000-role dump, which a parse per principal would pay 1,000
// times. go test ./scripts/whittle/cli -run='^$' -bench=ParseDumpThousand
func BenchmarkParseDumpThousand(b *testing.B) {
	dump, _ := thousand(b, 1000)
	text := mustRead(b, dump)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, e := engine.ParsePolicies(text); e != nil {
			b.Fatal(e)
		}
	}
}
