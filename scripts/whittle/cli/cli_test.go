package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"whittle/engine"
)

// goldenDir holds the API's golden requests and answers, which the command
// must reproduce from the same inputs split into files.
const goldenDir = "../../../engine/testdata/golden"

// roleDir is the made-up account of the engine's tests.
const roleDir = "../../../engine/testdata/role"

// goldenClock is the engine's golden answers' clock (startedAt, completedAt).
func goldenClock() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) }

// run runs the command in-process with stdin, a fixed clock and no terminal.
func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	r := &runner{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, now: goldenClock,
		terminal: func(io.Writer) bool { return false }, cores: 2}
	code = r.run(args)
	return code, out.String(), errOut.String()
}

// goldenRequest is an API golden request split into files in dir: each of
// policy/policies, findings and catalog written as the text it holds (a JSON
// string's value, else the value's own text), options as flags.
type goldenRequest struct {
	name  string
	body  []byte // the API's body with the files' texts as JSON strings
	files map[string]string
	opt   engine.Options
	args  []string
}

func splitGolden(t *testing.T, file string) goldenRequest {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	g := goldenRequest{name: strings.TrimSuffix(filepath.Base(file), ".request.json"), files: map[string]string{}}
	dir := t.TempDir()
	texts := map[string]any{}
	for _, key := range []string{"policy", "policies", "findings", "candidate", "catalog"} {
		v, ok := fields[key]
		if !ok {
			continue
		}
		var text string
		if json.Unmarshal(v, &text) != nil {
			text = string(v)
		}
		path := filepath.Join(dir, key+".json")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		g.files[key] = path
		texts[key] = text
		g.args = append(g.args, "--"+key, path)
	}
	if o, ok := fields["options"]; ok {
		if err := json.Unmarshal(o, &g.opt); err != nil {
			t.Fatal(err)
		}
		texts["options"] = g.opt
		if g.opt.Granularity != "" {
			g.args = append(g.args, "--granularity", g.opt.Granularity)
		}
		if g.opt.UnusedAccessAge != 0 {
			g.args = append(g.args, "--unused-access-age", strconv.Itoa(g.opt.UnusedAccessAge))
		}
		if g.opt.Trie {
			g.args = append(g.args, "--trie")
		}
		if g.opt.TriePath != "" {
			g.args = append(g.args, "--trie-path", g.opt.TriePath)
		}
		if g.opt.Principal != "" {
			g.args = append(g.args, "--principal", g.opt.Principal)
		}
	}
	if g.body, err = json.Marshal(texts); err != nil {
		t.Fatal(err)
	}
	return g
}

// placedError is how the command reports an engine refusal: the file's name
// instead of the field's.
func placedError(e *engine.Error, files map[string]string) string {
	name := files[e.Field]
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s\n", name, e.Line, e.Column, e.Message)
	}
	return name + ": " + e.Message + "\n"
}

// goldenRoute is the API route of a golden request, by its name, as the
// engine's TestGolden routes them.
func goldenRoute(name string) string {
	switch {
	case strings.HasPrefix(name, "recommendation-") || strings.HasPrefix(name, "error-recommendation-"):
		return "recommendation"
	case strings.HasPrefix(name, "check-") || strings.HasPrefix(name, "error-check-"):
		return "check"
	}
	return "refine"
}

// TestRefineGolden: for every refine request of the API's golden files, split
// into files, `whittle refine` prints what HandleRefine answers for the same
// texts, and for a good request the golden answer itself; a refusal is exit 1
// with the message placed in the file.
func TestRefineGolden(t *testing.T) {
	files, _ := filepath.Glob(goldenDir + "/*.request.json")
	n := 0
	for _, file := range files {
		if goldenRoute(strings.TrimSuffix(filepath.Base(file), ".request.json")) != "refine" {
			continue
		}
		n++
		g := splitGolden(t, file)
		t.Run(g.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", append([]string{"refine"}, g.args...)...)
			if g.opt.Granularity == "token" { // refused by the flag itself
				if code != ExitUsage || !strings.Contains(stderr, "--granularity") {
					t.Errorf("refine %v = %d, %q; want %d and --granularity", g.args, code, stderr, ExitUsage)
				}
				return
			}
			want, e := engine.HandleRefine(g.body)
			if e != nil {
				if code != ExitBadInput || stdout != "" || stderr != placedError(e, g.files) {
					t.Errorf("refine %v = %d, stdout %q, stderr %q; want %d, %q", g.args, code, stdout, stderr, ExitBadInput, placedError(e, g.files))
				}
				return
			}
			if code != ExitOK || stdout != string(want) || stderr != "" {
				t.Errorf("refine %v = %d, stderr %q; stdout differs from HandleRefine:\n%s", g.args, code, stderr, stdout)
			}
			golden, err := os.ReadFile(filepath.Join(goldenDir, g.name+".golden.json"))
			if err != nil {
				t.Fatal(err)
			}
			if stdout != string(golden) {
				t.Errorf("refine %v differs from %s.golden.json", g.args, g.name)
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d golden refine requests", n)
	}
}

// TestCheckGolden: `whittle check` prints the golden check answers, byte for
// byte what HandleCheck answers for the same texts, and exits 2 when a
// candidate is not exact.
func TestCheckGolden(t *testing.T) {
	all, _ := filepath.Glob(goldenDir + "/*.request.json")
	n := 0
	for _, file := range all {
		if goldenRoute(strings.TrimSuffix(filepath.Base(file), ".request.json")) != "check" {
			continue
		}
		n++
		g := splitGolden(t, file)
		t.Run(g.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", append([]string{"check"}, g.args...)...)
			want, e := engine.HandleCheck(g.body)
			if e != nil {
				t.Fatalf("HandleCheck: %v", e)
			}
			golden, err := os.ReadFile(filepath.Join(goldenDir, g.name+".golden.json"))
			if err != nil {
				t.Fatal(err)
			}
			if stdout != string(want) || stdout != string(golden) || stderr != "" {
				t.Errorf("check %v: stdout differs from HandleCheck or the golden answer (stderr %q)", g.args, stderr)
			}
			wantCode := ExitOK
			if strings.Contains(stdout, `"verdict": "NOT_EXACT"`) {
				wantCode = ExitNotExact
			}
			if code != wantCode {
				t.Errorf("check %v = exit %d, want %d", g.args, code, wantCode)
			}
		})
	}
	if n < 2 {
		t.Errorf("only %d golden check requests", n)
	}
	// A candidate that does not parse is placed in its file.
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	policy := write("policy.json", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}`)
	cand := write("candidate.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": 7\n}")
	code, _, stderr := run(t, "", "check", "--policy", policy, "--findings", write("f.json", "[]"), "--candidate", cand)
	if code != ExitBadInput || stderr != cand+":3:16: Statement: must be an object or an array of objects, not number 7\n" {
		t.Errorf("a bad candidate: exit %d, %q", code, stderr)
	}
}

// TestRecommendGolden: `whittle recommend` prints the golden recommendation
// answers (with the golden clock) and what HandleRecommendation answers for
// the same texts but for its clock.
func TestRecommendGolden(t *testing.T) {
	all, _ := filepath.Glob(goldenDir + "/*.request.json")
	var files []string
	for _, file := range all {
		if goldenRoute(strings.TrimSuffix(filepath.Base(file), ".request.json")) == "recommendation" {
			files = append(files, file)
		}
	}
	if len(files) < 4 {
		t.Fatalf("golden recommendation requests: %v", files)
	}
	for _, file := range files {
		g := splitGolden(t, file)
		t.Run(g.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", append([]string{"recommend"}, g.args...)...)
			golden, err := os.ReadFile(filepath.Join(goldenDir, g.name+".golden.json"))
			if err != nil {
				t.Fatal(err)
			}
			want, e := engine.HandleRecommendation(g.body)
			if e != nil {
				wantErr := "whittle: --principal: " + strings.TrimPrefix(e.Message, "options.principal: ") + "\n"
				if code != ExitBadInput || stdout != "" || stderr != wantErr {
					t.Errorf("recommend %v = %d, %q, %q; want %d, %q", g.args, code, stdout, stderr, ExitBadInput, wantErr)
				}
				return
			}
			if code != ExitOK || stdout != string(golden) || stderr != "" {
				t.Errorf("recommend %v = %d, %q; stdout differs from %s.golden.json:\n%s", g.args, code, stderr, g.name, stdout)
			}
			if clockless(stdout) != clockless(string(want)) {
				t.Errorf("recommend %v differs from HandleRecommendation beyond the clock", g.args)
			}
		})
	}
}

// clockless blanks the lines of startedAt and completedAt.
func clockless(answer string) string {
	lines := strings.Split(answer, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, `  "startedAt"`) || strings.HasPrefix(l, `  "completedAt"`) {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// TestExitCodes: one row per way a run ends.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	policy := "../../../engine/testdata/article/policy.json"
	findings := "../../../engine/testdata/article/findings.json"
	bad := write("policy.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {
      "Effect": "Allow",
      "Resource": "*",
      "Action": [
        "s3GetObject"
      ]
    }
  ]
}`)
	badFindings := write("findings.json", "[{\"serviceNamespace\": \"s3\",\n \"actions\": [\"GetObject\",]}]")
	nothing := write("nothing.json", "[]")
	dump := roleDir + "/authorization-details.json"
	report := roleDir + "/last-accessed-action-level.json"
	for _, tt := range []struct {
		args   []string
		stdin  string
		code   int
		stderr string // a part of standard error
	}{
		{nil, "", ExitUsage, "Usage:"},
		{[]string{"frobnicate"}, "", ExitUsage, `unknown command "frobnicate"`},
		{[]string{"check", "--policy", policy}, "", ExitUsage, "check needs --policy FILE or --policies FILE, --findings FILE and --candidate FILE"},
		{[]string{"refine", "--policy", policy}, "", ExitUsage, "refine needs --policy FILE and --findings FILE"},
		{[]string{"refine", "--policy", policy, "--findings", findings, "--frob"}, "", ExitUsage, "flag provided but not defined: -frob"},
		{[]string{"refine", "--policy", policy, "--findings", findings, "extra"}, "", ExitUsage, `unexpected argument "extra"`},
		{[]string{"refine", "--policy", policy, "--findings", findings, "--granularity", "token"}, "", ExitUsage, `--granularity: want word, char or action, not "token"`},
		{[]string{"refine", "--policy", policy, "--findings", findings, "--unused-access-age", "400"}, "", ExitUsage, "--unused-access-age: want 1 to 365 days, not 400"},
		{[]string{"refine", "--policy", policy, "--findings", findings, "--output", "yaml"}, "", ExitUsage, `--output: want json, policy or summary, not "yaml"`},
		{[]string{"refine", "--policy", "-", "--findings", "-"}, "[]", ExitUsage, "--policy and --findings both read standard input"},
		{[]string{"refine", "-h"}, "", ExitOK, "Exit codes: 0 done, 1 bad input"},
		{[]string{"recommend", "--policies", dump, "--findings", report, "--out", dir}, "", ExitUsage, "do not mix"},
		{[]string{"recommend", "--authorization-details", dump, "--out", dir}, "", ExitUsage, "needs --authorization-details FILE, --last-accessed DIR and --out DIR"},
		{[]string{"refine", "--policy", filepath.Join(dir, "missing.json"), "--findings", findings}, "", ExitBadInput, "whittle: --policy: open " + filepath.Join(dir, "missing.json") + ": no such file or directory"},
		{[]string{"refine", "--policy", bad, "--findings", findings}, "", ExitBadInput, bad + `:9:9: Statement[1].Action[0]: "s3GetObject" is not service:action` + "\n"},
		{[]string{"refine", "--policy", policy, "--findings", badFindings}, "", ExitBadInput, badFindings + ":2:26: [0].actions[1]: "},
		{[]string{"refine", "--policy", "-", "--findings", findings}, "{\n  \"Statement\": 3\n}", ExitBadInput, "<stdin>:2:16: "},
		{[]string{"refine", "--policy", policy, "--findings", findings, "--catalog", nothing}, "", ExitBadInput, nothing + ":1:1: "},
		{[]string{"recommend", "--policies", dump, "--findings", report, "--principal", "bob"}, "", ExitBadInput, `whittle: --principal: no role or user named "bob"`},
		{[]string{"refine", "--policy", policy, "--findings", findings}, "", ExitOK, ""},
		{[]string{"refine", "--policy", policy, "--findings", findings, "--fail-on-unused"}, "", ExitUnused, ""},
		{[]string{"refine", "--policy", policy, "--findings", nothing, "--fail-on-unused"}, "", ExitOK, ""},
		{[]string{"refine", "--policy", policy, "--findings", "-", "--fail-on-unused"}, "[]", ExitOK, ""},
		{[]string{"recommend", "--policies", dump, "--findings", report, "--principal", "OrdersApiRole", "--fail-on-unused"}, "", ExitUnused, ""},
		{[]string{"recommend", "--policies", dump, "--findings", nothing, "--principal", "OrdersApiRole", "--fail-on-unused"}, "", ExitOK, ""},
		{[]string{"catalog"}, "", ExitOK, ""},
		{[]string{"version"}, "", ExitOK, ""},
		{[]string{"version", "x"}, "", ExitUsage, `unexpected argument "x"`},
	} {
		code, _, stderr := run(t, tt.stdin, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) || tt.stderr == "" && stderr != "" {
			t.Errorf("Run(%q) = %d, stderr %q; want %d, stderr with %q", tt.args, code, stderr, tt.code, tt.stderr)
		}
	}
}

// TestStdin: "-" reads standard input, for `aws … | whittle refine --findings -`.
func TestStdin(t *testing.T) {
	policy := "../../../engine/testdata/article/policy.json"
	findings, err := os.ReadFile("../../../engine/testdata/article/findings.json")
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := run(t, "", "refine", "--policy", policy, "--findings", "../../../engine/testdata/article/findings.json")
	code, got, stderr := run(t, string(findings), "refine", "--policy", policy, "--findings", "-")
	if code != ExitOK || got != want || stderr != "" {
		t.Errorf("refine --findings - = %d, %q; stdout differs from the file's", code, stderr)
	}
}

// TestOutputs: --output policy and summary.
func TestOutputs(t *testing.T) {
	policy := "../../../engine/testdata/article/policy.json"
	findings := "../../../engine/testdata/article/findings.json"
	_, answer, _ := run(t, "", "refine", "--policy", policy, "--findings", findings)
	var resp struct{ RecommendedPolicy json.RawMessage }
	if err := json.Unmarshal([]byte(answer), &resp); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	json.Indent(&want, resp.RecommendedPolicy, "", "  ")
	want.WriteByte('\n')
	code, got, _ := run(t, "", "refine", "--policy", policy, "--findings", findings, "--output", "policy")
	if code != ExitOK || got != want.String() {
		t.Errorf("--output policy = %d:\n%s\nwant\n%s", code, got, want.String())
	}
	if !strings.Contains(got, "\"s3:GetMulti*\"") || strings.Contains(got, "recommendedAction") {
		t.Errorf("--output policy is not the refined document:\n%s", got)
	}

	code, got, _ = run(t, "", "refine", "--policy", policy, "--findings", findings, "--output", "summary")
	for _, part := range []string{
		policy + ": CREATE_POLICY: 9 patterns changed, 30 unused actions removed (List 1, Read 24, Write 4, Permissions management 1)\n",
		"  verified: exact",
		"  size: 444 → 406 characters without whitespace (managed policy quota 6,144)\n",
		"    Statement[1].Action[0]: s3:Get* → s3:GetAccess*, ",
	} {
		if code != ExitOK || !strings.Contains(got, part) {
			t.Errorf("--output summary = %d, lacks %q:\n%s", code, part, got)
		}
	}

	dir := t.TempDir()
	policy = filepath.Join(dir, "one.json")
	os.WriteFile(policy, []byte(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}`), 0o644)
	detach := filepath.Join(dir, "all.json")
	os.WriteFile(detach, []byte(`["s3:GetObject"]`), 0o644)
	code, got, stderr := run(t, "", "refine", "--policy", policy, "--findings", detach, "--output", "policy")
	if code != ExitOK || got != "" || !strings.Contains(stderr, "DETACH_POLICY") {
		t.Errorf("--output policy of a DETACH = %d, %q, %q", code, got, stderr)
	}
	code, got, _ = run(t, "", "refine", "--policy", policy, "--findings", detach, "--output", "summary")
	if code != ExitOK || !strings.HasPrefix(got, policy+": DETACH_POLICY: nothing it allows is still needed\n") {
		t.Errorf("--output summary of a DETACH = %d:\n%s", code, got)
	}
}

// TestCatalogVersion: catalog is GET /api/v1/catalog's answer; version names the catalog.
func TestCatalogVersion(t *testing.T) {
	if code, got, _ := run(t, "", "catalog"); code != ExitOK || got != string(engine.HandleCatalog()) {
		t.Errorf("catalog = %d, %q", code, got)
	}
	info := engine.BuiltinCatalog().Info()
	if code, got, _ := run(t, "", "version"); code != ExitOK || !strings.HasPrefix(got, "whittle dev (catalog "+info.Date+", ") {
		t.Errorf("version = %d, %q", code, got)
	}
	if code, got, _ := run(t, "", "-h"); code != ExitOK || !strings.Contains(got, "64  usage") {
		t.Errorf("-h = %d, %q", code, got)
	}
}
