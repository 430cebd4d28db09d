package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the built command after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// binary builds the whittle command once, its version set by -ldflags as a
// release sets it (without -trimpath and CGO_ENABLED=0, which would rebuild
// every package instead of reusing the test's build cache), and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "whittle-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "whittle")
		cmd := exec.Command("go", "build", "-ldflags", "-X main.version=v-test", "-o", binPath, "whittle/scripts/whittle")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New(err.Error() + ": " + string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build ./scripts/whittle: %v", buildErr)
	}
	return binPath
}

// exitCode runs the binary with stdin and returns its exit code and outputs
// (standard error a pipe, not a terminal).
func exitCode(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// TestBinary runs the built command for real: standard input from a pipe,
// exit codes as a shell sees them, no progress bar on a pipe.
func TestBinary(t *testing.T) {
	policy := "../../../engine/testdata/article/policy.json"
	findingsFile := "../../../engine/testdata/article/findings.json"
	findings := mustRead(t, findingsFile)
	_, want, _ := run(t, "", "refine", "--policy", policy, "--findings", findingsFile)

	// aws … | whittle refine --policy p.json --findings -
	if code, got, stderr := exitCode(t, findings, "refine", "--policy", policy, "--findings", "-"); code != ExitOK || got != want || stderr != "" {
		t.Errorf("refine --findings - (a pipe) = %d, %q; stdout differs from the in-process answer", code, stderr)
	}
	if code, _, _ := exitCode(t, findings, "refine", "--policy", policy, "--findings", "-", "--fail-on-unused"); code != ExitUnused {
		t.Errorf("refine --fail-on-unused = %d, want %d", code, ExitUnused)
	}
	if code, _, stderr := exitCode(t, `{"Version": "2012-10-17", "Statement": [`, "refine", "--policy", "-", "--findings", findingsFile); code != ExitBadInput || stderr != "<stdin>:1:41: Statement[0]: unexpected end of input, want a value\n" {
		t.Errorf("refine of a cut policy = %d, %q; want %d, <stdin>:1:41: …", code, stderr, ExitBadInput)
	}
	if code, _, stderr := exitCode(t, "", "refine", "--polcy", policy); code != ExitUsage || !strings.Contains(stderr, "flag provided but not defined: -polcy") {
		t.Errorf("refine --polcy = %d, %q; want %d", code, stderr, ExitUsage)
	}
	if code, got, _ := exitCode(t, "", "version"); code != ExitOK || !strings.HasPrefix(got, "whittle v-test (catalog ") {
		t.Errorf("version = %d, %q; want the -ldflags version", code, got)
	}

	// The batch on a pipe: no progress bar, the table on standard output.
	out := t.TempDir()
	code, stdout, stderr := exitCode(t, "", "recommend", "--authorization-details", roleDir+"/authorization-details.json",
		"--last-accessed", "testdata/last-accessed", "--out", out, "--fail-on-unused")
	if code != ExitUnused || stderr != "" || !strings.Contains(stdout, "3 principals: 2 answered") {
		t.Errorf("batch on a pipe = %d, stderr %q (want none), stdout:\n%s", code, stderr, stdout)
	}
}
