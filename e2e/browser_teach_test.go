//go:build e2e

package e2e

// Browser tests of the teaching and sharing features (issue 6): the
// granularity switch, the explanations, the AWS CLI command, share links,
// keyboard focus on the trie, dark mode, offline use.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"whittle/wasm/worker/handler"
)

// setSelect picks value in the <select> with data-testid id, as a person does
// (a change event), and waits for the refinement it starts.
func (p *page) setSelect(id, value string) {
	p.t.Helper()
	n := eval[int](p, `whittleStats.refines`)
	eval[bool](p, `(() => { const s = `+testid(id)+`; s.value = `+jsString(value)+`; return s.dispatchEvent(new Event("change")); })()`)
	p.waitFor(id+" = "+value, `whittleStats.refines > `+itoa(n))
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestBrowserGranularity switches the article example (2024 catalog) to
// characters: the result and the trie follow; back to words gives the article.
func TestBrowserGranularity(t *testing.T) {
	p := open(t)
	p.setSelect("granularity-select", "char")
	out := p.text("refined-output")
	for _, want := range []string{`"s3:GetAcces*"`, `"s3:GetMu*"`, `"s3:GetO*"`, `"s3:GetS*"`} {
		if !strings.Contains(out, want) {
			t.Errorf("refined-output at char granularity has no %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, `"s3:GetObject*"`) {
		t.Errorf("refined-output at char granularity still has s3:GetObject*:\n%s", out)
	}
	node := testid("trie-view") + `.querySelector('[data-prefix="s3:GetO"]')`
	if got := eval[string](p, `(`+node+` || {getAttribute: () => "missing"}).getAttribute("data-chosen")`); got != "true" {
		t.Errorf("trie node s3:GetO data-chosen = %q, want true", got)
	}
	p.setSelect("granularity-select", "word")
	if got, want := p.text("refined-output"), articleRefined(t); got != want {
		t.Errorf("back at word granularity, refined-output:\n%s\nwant the article's:\n%s", got, want)
	}
}

// TestBrowserExplanations checks the sentence of the article's s3:Get* change
// and that picking it highlights its diff lines and shows its trie.
func TestBrowserExplanations(t *testing.T) {
	p := open(t)
	text := p.text("explanations")
	for _, want := range []string{
		"s3:Get* allowed 58 actions; 22 are unused; the 36 still used are covered by 7 entries. Access removed: 22 Read.",
		"lambda:AddPermission allowed 1 action; it is unused, so the entry is removed. Access removed: 1 Permissions management.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("explanations have no %q; they read:\n%s", want, text)
		}
	}
	// Pick the s3:Get* sentence.
	btn := `Array.from(` + testid("explanations") + `.querySelectorAll("button")).find(b => b.textContent.includes("s3:Get* allowed"))`
	eval[bool](p, `(`+btn+`).click() || true`)
	if got := eval[string](p, `(`+btn+`).getAttribute("aria-pressed")`); got != "true" {
		t.Errorf("picked explanation aria-pressed = %q, want true", got)
	}
	hl := eval[[]string](p, `Array.from(`+testid("diff-view")+`.querySelectorAll(".hl")).flatMap(d => d.textContent.split("\n")).map(l => l.replace(/\s+/g, " ").trim())`)
	joined := strings.Join(hl, "\n")
	for _, want := range []string{`- "s3:Get*",`, `+ "s3:GetAccess*",`, `+ "s3:GetObject*",`, `+ "s3:GetStorage*",`} {
		if !strings.Contains(joined, want) {
			t.Errorf("highlighted diff lines have no %s; they are:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "lambda") || strings.Contains(joined, "s3:List*") {
		t.Errorf("highlighted diff lines include lines of other changes:\n%s", joined)
	}
	if len(hl) != 8 {
		t.Errorf("%d highlighted diff lines, want 8 (1 deleted, 7 inserted):\n%s", len(hl), joined)
	}
	if !eval[bool](p, testid("trie-view")+`.classList.contains("picked") && !!`+testid("trie-view")+`.querySelector('[data-prefix="s3:GetObject"]')`) {
		t.Errorf("the trie of s3:Get* is not shown as picked")
	}
	if got := eval[string](p, `WhittleEditor.editors["policy-input"].selectedText()`); got != `"s3:Get*"` {
		t.Errorf("policy editor selection after picking s3:Get* = %q, want the pattern", got)
	}
	// Another sentence moves the highlight.
	eval[bool](p, `Array.from(`+testid("explanations")+`.querySelectorAll("button")).find(b => b.textContent.includes("lambda:GetFunction allowed")).click() || true`)
	hl = eval[[]string](p, `Array.from(`+testid("diff-view")+`.querySelectorAll(".hl")).map(d => d.textContent.replace(/\s+/g, " ").trim())`)
	if len(hl) != 1 || hl[0] != `- "lambda:GetFunction",` {
		t.Errorf("after picking lambda:GetFunction, highlighted diff lines = %q", hl)
	}
	// Clicking a changed line in the diff picks its change too.
	eval[bool](p, `Array.from(`+testid("diff-view")+`.querySelectorAll("[data-change]")).find(d => d.textContent.includes("s3:GetObject*")).click() || true`)
	if got := eval[string](p, `(`+btn+`).getAttribute("aria-pressed")`); got != "true" {
		t.Errorf("after clicking the diff line of s3:GetObject*, the s3:Get* explanation has aria-pressed = %q, want true", got)
	}
	if hl = eval[[]string](p, `Array.from(`+testid("diff-view")+`.querySelectorAll(".hl")).flatMap(d => d.textContent.split("\n"))`); len(hl) != 8 {
		t.Errorf("after clicking the diff line of s3:GetObject*, %d highlighted diff lines, want 8: %q", len(hl), hl)
	}
}

// TestBrowserCopyCLI checks the AWS CLI command: run through a real shell (with
// aws standing for a function that prints its arguments), its policy document
// is exactly the refined policy, also when the policy holds single quotes.
func TestBrowserCopyCLI(t *testing.T) {
	p := open(t)
	check := func(what string) {
		t.Helper()
		eval[bool](p, testid("copy-cli")+`.click() || true`)
		p.waitFor("the CLI command", testid("cli-command")+`.hidden === false`)
		cmd := p.text("cli-command")
		var want bytes.Buffer
		if err := json.Compact(&want, []byte(p.text("refined-output"))); err != nil {
			t.Fatal(err)
		}
		const head = "aws iam create-policy-version --policy-arn arn:aws:iam::ACCOUNT-ID:policy/POLICY-NAME --policy-document '"
		if !strings.HasPrefix(cmd, head) || !strings.HasSuffix(cmd, "' --set-as-default") {
			t.Errorf("%s: command = %s", what, cmd)
		}
		out, err := exec.Command("sh", "-c", `aws() { printf '%s\n' "$@"; }; `+cmd).Output()
		if err != nil {
			t.Fatalf("%s: sh: %v", what, err)
		}
		args := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		want6 := []string{"iam", "create-policy-version", "--policy-arn", "arn:aws:iam::ACCOUNT-ID:policy/POLICY-NAME", "--policy-document", want.String(), "--set-as-default"}
		if strings.Join(args, "\n") != strings.Join(want6, "\n") {
			t.Errorf("%s: the shell reads the command as\n%q\nwant\n%q", what, args, want6)
		}
	}
	check("article")
	policy := strings.Replace(read(t, "../web/examples/article/policy.json"), `"Resource": "*"`, `"Resource": "arn:aws:s3:::it's-a-'quoted'-bucket/*"`, 1)
	p.paste("policy-input", policy)
	p.waitFor("the quoted policy", testid("refined-output")+`.textContent.includes("it's-a-'quoted'-bucket")`)
	p.waitFor("the command to follow", testid("cli-command")+`.textContent.includes("it'\\''s-a-'\\''quoted")`)
	check("single quotes")
}

// TestBrowserShare makes a share link of an edited state (policy, char
// granularity) and opens it in a fresh browser context (no shared storage):
// the same editors, options and refined policy come back, and the state never
// reaches the server. A state too large for a link is refused with a message.
func TestBrowserShare(t *testing.T) {
	p := open(t)
	policy := strings.Replace(read(t, "../web/examples/article/policy.json"), `"Resource": "*"`, `"Resource": "arn:aws:s3:::shared-bucket/*"`, 1)
	p.paste("policy-input", policy)
	p.waitFor("the edited policy", testid("refined-output")+`.textContent.includes("shared-bucket")`)
	p.setSelect("granularity-select", "char")
	want := p.text("refined-output")
	eval[bool](p, testid("share-button")+`.click() || true`)
	p.waitFor("the share link", testid("share-link")+`.hidden === false`)
	link := eval[string](p, testid("share-link")+`.value`)
	if !strings.HasPrefix(link, siteURL+"/#v1.") {
		t.Fatalf("share link = %q, want %s/#v1.…", link, siteURL)
	}
	if got := eval[string](p, `location.hash`); "#"+strings.SplitN(link, "#", 2)[1] != got {
		t.Errorf("the address bar's fragment is not the link's")
	}

	q := openAt(t, p.ctx, link, chromedp.WithNewBrowserContext())
	if got := q.text("refined-output"); got != want {
		t.Errorf("refined-output from the link:\n%s\nwant:\n%s", got, want)
	}
	if got := eval[string](q, testid("granularity-select")+`.value`); got != "char" {
		t.Errorf("granularity from the link = %q, want char", got)
	}
	if got := q.text("policy-input"); !strings.Contains(got, "shared-bucket") {
		t.Errorf("policy editor from the link lacks the edit: %q", got)
	}
	for _, id := range []string{"policy-input", "findings-input", "catalog-input"} {
		text := `WhittleEditor.editors["` + id + `"].getText()`
		got, want := eval[string](q, text), eval[string](p, text)
		if got != want {
			t.Errorf("%s from the link:\n%s\nwant:\n%s", id, got, want)
		}
	}
	data := strings.SplitN(link, "#v1.", 2)[1]
	for _, pg := range []*page{p, q} {
		pg.mu.Lock()
		for _, u := range pg.requests {
			if strings.Contains(u, data[:40]) {
				t.Errorf("a request carried the shared state: %s", u)
			}
		}
		pg.mu.Unlock()
	}

	// Too large for a link: ReadOnlyAccess with its findings.
	p.selectExample("readonly-half")
	eval[bool](p, testid("share-button")+`.click() || true`)
	p.waitFor("the refusal", testid("share-note")+`.textContent.startsWith("Not shared")`)
	if msg := p.text("share-note"); !strings.Contains(msg, "over the limit of 32,768") {
		t.Errorf("refusal = %q", msg)
	}
	if !eval[bool](p, testid("share-link")+`.hidden`) {
		t.Errorf("a refused state still shows a link")
	}
}

// TestBrowserKeyboardAndDark checks that every trie node takes the keyboard
// focus, and that the page turns dark when the system asks for it.
func TestBrowserKeyboardAndDark(t *testing.T) {
	p := open(t)
	nodes := eval[int](p, testid("trie-view")+`.querySelectorAll("[data-prefix]").length`)
	focusable := eval[int](p, testid("trie-view")+`.querySelectorAll('[data-prefix][tabindex="0"][aria-label]').length`)
	if nodes == 0 || focusable != nodes {
		t.Errorf("%d of %d trie nodes are focusable with a label", focusable, nodes)
	}
	got := eval[string](p, `(() => { `+testid("trie-view")+`.querySelector('[data-prefix="s3:GetBucket"]').focus(); return document.activeElement.getAttribute("data-prefix"); })()`)
	if got != "s3:GetBucket" {
		t.Errorf("focus on the trie node s3:GetBucket went to %q", got)
	}
	if lum := eval[int](p, `(() => { const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number); return r + g + b; })()`); lum < 600 {
		t.Errorf("light mode body background sums to %d, want light", lum)
	}
	err := chromedp.Do(p.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if lum := eval[int](p, `(() => { const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number); return r + g + b; })()`); lum > 150 {
		t.Errorf("dark mode body background sums to %d, want dark", lum)
	}
	if shot := os.Getenv("WHITTLE_DARK_SCREENSHOT"); shot != "" {
		png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowserOffline visits the page once, cuts the network (the server
// closes) and reloads: the service worker serves the page, the engine and the
// examples, and the article's result comes back.
func TestBrowserOffline(t *testing.T) {
	srv := freshSite(t)
	p := openAt(t, browser, srv.URL+"/")
	eval[bool](p, `navigator.serviceWorker.ready.then(() => true)`, chromedp.EvalAwaitPromise)
	p.waitFor("the service worker in control", `navigator.serviceWorker.controller`)
	eval[bool](p, `window.__beforeReload = true`)
	srv.Close()
	if _, err := http.Get(srv.URL + "/"); err == nil {
		t.Fatal("the server still answers after Close")
	}
	if err := chromedp.Do(p.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the first refinement offline", `!window.__beforeReload && (window.whittleStats && whittleStats.refines) > 0`)
	if got, want := p.text("refined-output"), articleRefined(t); got != want {
		t.Errorf("refined-output offline:\n%s\nwant the article's:\n%s", got, want)
	}
	p.selectExample("deny")
	if msg := p.text("error"); msg != "" {
		t.Errorf("example deny offline: error %q", msg)
	}
}

// TestBrowserLoadProgress checks that the engine's download is counted (the
// status line shows it while loading): every byte of whittle.wasm passed.
func TestBrowserLoadProgress(t *testing.T) {
	p := open(t)
	info, err := os.Stat(filepath.Join(webDir, "web/whittle.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[int64](p, `whittleStats.wasmBytes`); got != info.Size() {
		t.Errorf("progress counted %d bytes of whittle.wasm, want %d", got, info.Size())
	}
}

// TestBrowserShareRedacted shares with "redact account IDs and ARNs": the link
// holds neither the bucket name nor the account ID, and gives the same
// refinement with the resources replaced.
func TestBrowserShareRedacted(t *testing.T) {
	p := open(t)
	policy := strings.Replace(read(t, "../web/examples/article/policy.json"), `"Resource": "*"`, `"Resource": "arn:aws:s3:::secret-bucket/*"`, 1)
	policy = strings.Replace(policy, "123456789012", "210987654321", 1)
	p.paste("policy-input", policy)
	p.waitFor("the edited policy", testid("refined-output")+`.textContent.includes("secret-bucket")`)
	mine := p.text("refined-output")
	eval[bool](p, testid("share-redact")+`.click() || true`)
	eval[bool](p, testid("share-button")+`.click() || true`)
	p.waitFor("the share link", testid("share-link")+`.hidden === false`)
	link := eval[string](p, testid("share-link")+`.value`)
	if got := p.text("refined-output"); got != mine {
		t.Errorf("sharing redacted changed this page's result")
	}
	q := openAt(t, p.ctx, link, chromedp.WithNewBrowserContext())
	got := q.text("refined-output")
	for _, secret := range []string{"secret-bucket", "210987654321", "my-lambda"} {
		if strings.Contains(got, secret) || strings.Contains(q.text("policy-input"), secret) {
			t.Errorf("the redacted link still holds %q", secret)
		}
	}
	want := strings.NewReplacer(
		`arn:aws:s3:::secret-bucket/*`, `arn:aws:s3:::redacted`,
		`arn:aws:lambda:us-east-1:210987654321:function:my-lambda`, `arn:aws:lambda:us-east-1:111122223333:redacted`,
	).Replace(mine)
	if got != want {
		t.Errorf("refined-output from the redacted link:\n%s\nwant:\n%s", got, want)
	}
}

// TestBrowserUpdateNotice visits the page, then serves a new build (sw.js with
// another VERSION, as scripts/build-web stamps it) and reloads: the page comes
// from the old build's cache, the new service worker takes over, and the page
// says a new version is ready; its Reload button loads the new build, whose
// page has nothing to announce.
func TestBrowserUpdateNotice(t *testing.T) {
	site(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(webDir)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler.New(handler.Static(os.DirFS(dir))))
	t.Cleanup(srv.Close)
	p := openAt(t, browser, srv.URL+"/")
	eval[bool](p, `navigator.serviceWorker.ready.then(() => true)`, chromedp.EvalAwaitPromise)
	p.waitFor("the service worker in control", `navigator.serviceWorker.controller`)
	if !eval[bool](p, testid("update-note")+`.hidden`) {
		t.Fatal("the update note shows on a first visit")
	}

	sw := filepath.Join(dir, "sw.js")
	old := read(t, sw)
	stamped := regexp.MustCompile(`(?m)^const VERSION = ".*";$`)
	if !stamped.MatchString(old) {
		t.Fatalf("%s has no VERSION line", sw)
	}
	if err := os.WriteFile(sw, []byte(stamped.ReplaceAllString(old, `const VERSION = "a-new-build";`)), 0o644); err != nil {
		t.Fatal(err)
	}
	eval[bool](p, `window.__beforeReload = true`)
	if err := chromedp.Do(p.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the reloaded page's first refinement", `!window.__beforeReload && (window.whittleStats && whittleStats.refines) > 0`)
	p.waitFor("the update note", `!`+testid("update-note")+`.hidden`)
	// The new worker drops the old build's cache, and the old worker, which may
	// still finish a fetch, does not make it again.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got := eval[string](p, `caches.keys().then(k => k.join(" "))`, chromedp.EvalAwaitPromise)
		if got == "whittle-a-new-build" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("caches after the update: %q, want only whittle-a-new-build", got)
		}
	}

	eval[bool](p, `window.__beforeReload = true`)
	eval[bool](p, `(document.getElementById("update-reload").click(), true)`)
	p.waitFor("the new build's first refinement", `!window.__beforeReload && (window.whittleStats && whittleStats.refines) > 0`)
	if !eval[bool](p, testid("update-note")+`.hidden`) {
		t.Error("the update note shows after reloading into the new build")
	}
}
