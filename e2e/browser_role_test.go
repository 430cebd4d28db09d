//go:build e2e

package e2e

// Browser tests of a whole principal (issue 10): an authorization-details dump
// in the policy editor and an IAM last-accessed report in the findings editor.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"whittle/engine"
)

const roleDir = "../engine/testdata/role/"

// roleAnswer is the engine's recommendation for the role files, for principal.
func roleAnswer(t *testing.T, report, principal string) *engine.Recommendation {
	t.Helper()
	rr, err := engine.RecommendationFromTexts(read(t, roleDir+"authorization-details.json"), read(t, roleDir+report), "",
		engine.Options{Principal: principal})
	if err != nil {
		t.Fatal(err)
	}
	return engine.Recommend(rr, time.Now)
}

// pretty is the refined document of a policy's answer as the page prints it.
func pretty(t *testing.T, d engine.PolicyDetail) string {
	t.Helper()
	b, err := engine.Pretty(d.Answer.RecommendedPolicy)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// items reads the role view's rows: name | kind | verdict | sizes, and which is pressed.
func (p *page) items() (rows []string, pressed int) {
	p.t.Helper()
	rows = eval[[]string](p, `Array.from(document.querySelectorAll("[data-testid=policy-item]"), b =>
		Array.from(b.children, c => c.textContent).join(" | "))`)
	pressed = eval[int](p, `Array.from(document.querySelectorAll("[data-testid=policy-item]")).findIndex(b => b.getAttribute("aria-pressed") === "true")`)
	return rows, pressed
}

// TestBrowserRole opens the role example: the list of its three policies, the
// line saying how the report was read, each policy's refined document as the
// engine answers it, switching policies and principals, and the warnings of a
// user and of a missing document.
func TestBrowserRole(t *testing.T) {
	p := open(t)
	p.selectExample("role-action-level")
	if msg := p.text("error"); msg != "" {
		t.Fatalf("error: %s", msg)
	}
	if eval[bool](p, testid("role-view")+`.hidden`) {
		t.Fatal("the role view is hidden")
	}
	rec := roleAnswer(t, "last-accessed-action-level.json", "")
	rows, pressed := p.items()
	want := []string{
		"OrdersAccess | inline | refine | 382 → 2,427",
		"AmazonSQSReadOnlyAccess | managed | detach: wholly unused | 255 → detached",
		"AmazonEC2ReadOnlyAccess | managed | refine | 398 → 2,208",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") || pressed != 0 {
		t.Errorf("policy rows (pressed %d):\n%s\nwant (pressed 0):\n%s", pressed, strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	for _, want := range []string{
		"IAM last-accessed report (action level), window 2026-09-01 → 2026-11-30 (90 days)",
		"3 services unused (autoscaling, elasticloadbalancing, sqs)", "21 tracked actions unused",
		"allowed actions stay because the report does not track them",
	} {
		if got := p.text("findings-info"); !strings.Contains(got, want) {
			t.Errorf("findings-info = %q, want it to say %q", got, want)
		}
	}
	if got, want := p.text("refined-output"), pretty(t, rec.Whittle.Policies[0]); got != want {
		t.Errorf("OrdersAccess refined-output:\n%s\nwant\n%s", got, want)
	}
	// The principal picker lists every principal of the dump.
	if got := eval[[]string](p, `Array.from(`+testid("principal-select")+`.options, o => o.textContent)`); strings.Join(got, ",") != "role OrdersApiRole,role BuildRole,user alice" {
		t.Errorf("principal-select options %q", got)
	}
	// Another policy: its document, explanations and trie; no refinement.
	n := eval[int](p, `whittleStats.refines`)
	eval[bool](p, `document.querySelectorAll("[data-testid=policy-item]")[2].click() || true`)
	p.waitFor("the EC2 policy", testid("refined-output")+`.textContent.includes("ec2:DescribeAccount*")`)
	if got, want := p.text("refined-output"), pretty(t, rec.Whittle.Policies[2]); got != want {
		t.Errorf("AmazonEC2ReadOnlyAccess refined-output:\n%s\nwant\n%s", got, want)
	}
	if _, pressed := p.items(); pressed != 2 || eval[int](p, `whittleStats.refines`) != n {
		t.Errorf("after picking the EC2 policy: pressed %d, refines %d → %d (want 2, no refinement)", pressed, n, eval[int](p, `whittleStats.refines`))
	}
	if got := p.text("explanations"); !strings.Contains(got, "ec2:Describe* allowed") || !strings.Contains(got, "autoscaling:Describe*") {
		t.Errorf("explanations of the EC2 policy:\n%s", got)
	}
	if !eval[bool](p, testid("trie-view")+`.querySelector('[data-prefix="ec2:DescribeVolume"]') !== null`) {
		t.Errorf("no ec2:DescribeVolume node in the trie")
	}
	// Picking a change selects its pattern in the dump, where it stands.
	eval[bool](p, `Array.from(`+testid("explanations")+`.querySelectorAll("button")).find(b => b.textContent.includes("ec2:Describe* allowed")).click() || true`)
	if got := eval[string](p, `WhittleEditor.editors["policy-input"].selectedText()`); got != `"ec2:Describe*"` {
		t.Errorf("policy editor selection after picking ec2:Describe* = %q", got)
	}
	// An edit keeps the policy shown.
	dump := read(t, roleDir+"authorization-details.json")
	p.paste("policy-input", strings.Replace(dump, `"arn:aws:s3:::orders-prod/*"`, `"arn:aws:s3:::orders-prod/2026/*"`, 1))
	p.waitFor("the edited dump", `document.querySelectorAll("[data-testid=policy-item]")[2].getAttribute("aria-pressed") === "true" && whittleStats.refines > `+itoa(n))
	// A user: its policies, and the word about its groups' policies.
	p.setSelect("principal-select", "arn:aws:iam::123456789012:user/alice")
	if rows, _ := p.items(); len(rows) != 2 || !strings.HasPrefix(rows[0], "ReadReports | inline") {
		t.Errorf("alice's rows: %q", rows)
	}
	if got := p.text("role-warnings"); !strings.Contains(got, "GROUP_POLICIES") || !strings.Contains(got, "developers") {
		t.Errorf("role-warnings for alice = %q", got)
	}
	// A missing managed document: said, the row disabled, the rest refined.
	p.setSelect("principal-select", "arn:aws:iam::123456789012:role/ci/BuildRole")
	if rows, _ := p.items(); len(rows) != 2 || rows[1] != "BuildArtifacts | managed | not refined: no document | " {
		t.Errorf("BuildRole's rows: %q", rows)
	}
	if !eval[bool](p, `document.querySelectorAll("[data-testid=policy-item]")[1].disabled`) {
		t.Errorf("the row of the missing document can be picked")
	}
	if got := p.text("role-warnings"); !strings.Contains(got, "MISSING_DOCUMENT") || !strings.Contains(got, "arn:aws:iam::123456789012:policy/BuildArtifacts") {
		t.Errorf("role-warnings for BuildRole = %q", got)
	}
	// The principal picked is not in a new dump: its first principal is shown, with a word.
	p.paste("policy-input", strings.ReplaceAll(dump, `BuildRole`, `DeployRole`))
	p.waitFor("the new dump", testid("role-warnings")+`.textContent.includes("is not in this input")`)
	if rows, _ := p.items(); len(rows) != 3 || p.text("error") != "" {
		t.Errorf("after the principal went away: rows %q, error %q", rows, p.text("error"))
	}
}

// TestBrowserRoleBadInput: a report not done, a truncated one, one of the
// wrong shape, and a broken dump are refused at their place, and the last
// good result stays.
func TestBrowserRoleBadInput(t *testing.T) {
	p := open(t)
	p.selectExample("role-action-level")
	good := p.text("refined-output")
	report := read(t, roleDir+"last-accessed-action-level.json")
	dump := read(t, roleDir+"authorization-details.json")
	for _, tt := range []struct {
		name, editor, text string
		want               *regexp.Regexp
	}{
		{"not done", "findings-input", strings.Replace(report, `"COMPLETED"`, `"IN_PROGRESS"`, 1),
			regexp.MustCompile(`^findings: 2:\d+: JobStatus: the report is IN_PROGRESS, not COMPLETED`)},
		{"truncated", "findings-input", strings.Replace(report, `"IsTruncated": false`, `"IsTruncated": true, "Marker": "x"`, 1),
			regexp.MustCompile(`^findings: \d+:\d+: IsTruncated: the report goes on past this page`)},
		{"wrong shape", "findings-input", strings.Replace(report, `"ServiceNamespace": "ec2"`, `"ServiceNamespace": 7`, 1),
			regexp.MustCompile(`^findings: \d+:\d+: ServicesLastAccessed\[0\]\.ServiceNamespace: want a service prefix`)},
		{"a broken document in the dump", "policy-input", strings.Replace(dump, `"lambda:*"`, `"lambda"`, 1),
			regexp.MustCompile(`^policy: 111:\d+: RoleDetailList\[0\]\.RolePolicyList\[0\]\.PolicyDocument\.Statement\[1\]\.Action: "lambda" is not service:action`)},
	} {
		p.paste(tt.editor, tt.text)
		p.waitFor(tt.name, testid("error")+`.textContent !== ""`)
		if msg := p.text("error"); !tt.want.MatchString(msg) {
			t.Errorf("%s: error %q, want %s", tt.name, msg, tt.want)
		}
		if got := p.text("refined-output"); got != good || !eval[bool](p, `document.getElementById("outputs").classList.contains("stale")`) {
			t.Errorf("%s: the last good result is not kept (dimmed)", tt.name)
		}
		p.paste(tt.editor, map[string]string{"findings-input": report, "policy-input": dump}[tt.editor])
		p.waitFor(tt.name+" mended", testid("error")+`.textContent === ""`)
	}
}

// TestBrowserRoleCopyAndDownload: the AWS CLI commands of the whole
// recommendation run through a real shell as its steps say, and the download
// is the recommendation route's answer.
func TestBrowserRoleCopyAndDownload(t *testing.T) {
	p := open(t)
	p.selectExample("role-action-level")
	eval[bool](p, testid("copy-cli")+`.click() || true`)
	p.waitFor("the CLI commands", testid("cli-command")+`.hidden === false`)
	script := p.text("cli-command")
	log := filepath.Join(t.TempDir(), "calls")
	fake := `aws() { printf '%s\0' "$@" >>'` + log + `'; printf '\n' >>'` + log + `'; if [ "$2" = create-policy ]; then echo "arn:aws:iam::123456789012:policy/$4"; fi; }` + "\n"
	if out, err := exec.Command("sh", "-c", fake+script).CombinedOutput(); err != nil {
		t.Fatalf("sh: %v\n%s\n%s", err, out, script)
	}
	data, _ := os.ReadFile(log)
	var verbs []string
	rec := roleAnswer(t, "last-accessed-action-level.json", "")
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		args := strings.Split(strings.TrimSuffix(line, "\x00"), "\x00")
		verbs = append(verbs, args[1])
		for i, a := range args {
			if a == "--policy-document" {
				ok := false
				for _, s := range rec.RecommendedSteps {
					ok = ok || s.Step.RecommendedPolicy == args[i+1]
				}
				if !ok {
					t.Errorf("%s: the document is not one of the recommendation's: %.80s…", args[1], args[i+1])
				}
			}
		}
	}
	if got := strings.Join(verbs, " "); got != "put-role-policy detach-role-policy create-policy attach-role-policy detach-role-policy" {
		t.Errorf("the commands ran: %s\n%s", got, script)
	}
	// Download: what the page hands to the browser as a file.
	eval[bool](p, `(() => {
		window.saved = null;
		const make = URL.createObjectURL;
		URL.createObjectURL = (blob) => { blob.text().then(t => window.saved = t); return make(blob); };
		HTMLAnchorElement.prototype.click = function () { window.savedName = this.download; };
		return true;
	})()`)
	eval[bool](p, testid("download-button")+`.click() || true`)
	p.waitFor("the download", `window.saved !== null`)
	if got := eval[string](p, `window.savedName`); got != "recommendation.json" {
		t.Errorf("downloaded as %q", got)
	}
	body, _ := json.Marshal(map[string]any{"policies": read(t, roleDir+"authorization-details.json"),
		"findings": read(t, roleDir+"last-accessed-action-level.json")})
	body = []byte(strings.Replace(string(body), `"findings"`, `"options":{"principal":"OrdersApiRole"},"findings"`, 1))
	want, e := engine.HandleRecommendation(body)
	if e != nil {
		t.Fatal(e)
	}
	times := regexp.MustCompile(`"(startedAt|completedAt)": "[^"]*"`)
	if got := eval[string](p, `window.saved`); times.ReplaceAllString(got, "") != times.ReplaceAllString(string(want), "") {
		t.Errorf("the download differs from POST /api/v1/recommendation's answer:\n%.600s", got)
	}
}

// TestBrowserCLIFollows: with the AWS CLI commands shown, a new result rewrites
// them, for a lone policy and for a principal, but does not copy them again:
// only a click writes the clipboard, and the status line keeps saying where
// the result was made.
func TestBrowserCLIFollows(t *testing.T) {
	p := open(t)
	eval[bool](p, testid("copy-cli")+`.click() || true`)
	p.waitFor("the CLI command", testid("cli-command")+`.hidden === false`)
	// From now on, count what the page writes to the clipboard.
	eval[bool](p, `(() => {
		window.__writes = 0;
		const cb = navigator.clipboard;
		if (cb) { const w = cb.writeText.bind(cb); cb.writeText = (s) => { window.__writes++; return w(s); }; }
		return true;
	})()`)
	check := func(what, want string, before string) {
		t.Helper()
		// A copy would say so in the status line once the clipboard answers:
		// give it the time a copy takes.
		time.Sleep(300 * time.Millisecond)
		got := p.text("cli-command")
		if got == before || !strings.Contains(got, want) {
			t.Errorf("%s: the commands shown did not follow the result (want %q in them): %.300q", what, want, got)
		}
		if n := eval[int](p, `window.__writes`); n != 0 {
			t.Errorf("%s: the page wrote the clipboard %d times without a click", what, n)
		}
		if s := eval[string](p, `document.getElementById("status").textContent`); !strings.HasPrefix(s, "Refined in") {
			t.Errorf("%s: status %q, want where the result was made", what, s)
		}
	}
	before := p.text("cli-command")
	p.setSelect("granularity-select", "char")
	check("the article at character granularity", `s3:GetAcces*`, before)

	p.selectExample("role-action-level")
	eval[bool](p, testid("copy-cli")+`.click() || true`)
	p.waitFor("the role's CLI commands", testid("cli-command")+`.textContent.includes("OrdersApiRole")`)
	eval[bool](p, `(window.__writes = 0) === 0`)
	before = p.text("cli-command")
	p.setSelect("principal-select", "arn:aws:iam::123456789012:user/alice")
	check("another principal", "alice", before)
}
