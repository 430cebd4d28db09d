//go:build e2e

// Package e2e drives the playground in a real headless Chromium (chromedp):
// it builds the page with scripts/build-web, serves it with the Worker's own
// handler on a loopback port, and checks what a person would see.
//
//	go test -count=1 -tags e2e -run Browser ./e2e
//
// CHROMIUM names the browser binary (default /usr/lib/chromium/chromium);
// WHITTLE_SCREENSHOT=path saves a screenshot of the opened page there.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"whittle/engine"
	"whittle/wasm/worker/handler"
)

var (
	siteOnce sync.Once
	siteURL  string          // the test server's origin, http://127.0.0.1:port
	browser  context.Context // the allocator; each test opens its own tab
	webDir   string          // the built playground
	siteErr  error
)

// site builds the playground into build/e2e-web (git-ignored, rebuilt on every
// run), serves it with the Worker's handler on a loopback port and starts one
// headless Chromium for all tests of the run. The browser is killed with the
// test binary (chromedp starts it with a parent-death signal).
func site(t *testing.T) {
	t.Helper()
	siteOnce.Do(func() {
		top, err := filepath.Abs("..")
		if err != nil {
			siteErr = err
			return
		}
		webDir = filepath.Join(top, "build", "e2e-web")
		build := exec.Command(filepath.Join(top, "scripts", "build-web"), webDir)
		if out, err := build.CombinedOutput(); err != nil {
			siteErr = fmt.Errorf("scripts/build-web: %v\n%s", err, out)
			return
		}
		srv := httptest.NewServer(handler.New(handler.Static(os.DirFS(webDir))))
		siteURL = srv.URL

		exe := os.Getenv("CHROMIUM")
		if exe == "" {
			exe = "/usr/lib/chromium/chromium"
		}
		if _, err := os.Stat(exe); err != nil {
			siteErr = fmt.Errorf("no Chromium at %s (apt-get install -y chromium, or set CHROMIUM): %w", exe, err)
			return
		}
		profile := filepath.Join(top, "build", "e2e-chromium-profile")
		os.RemoveAll(profile)
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(exe),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.UserDataDir(profile),
			chromedp.WindowSize(1400, 1000),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
		)
		browser, _ = chromedp.NewExecAllocator(context.Background(), opts...)
	})
	if siteErr != nil {
		t.Fatal(siteErr)
	}
}

// freshSite serves the built playground on a new loopback port: a new origin,
// so no service worker or cache of earlier tests applies (a first visit), and
// one that the test can cut off by closing the server.
func freshSite(t *testing.T) *httptest.Server {
	t.Helper()
	site(t)
	srv := httptest.NewServer(handler.New(handler.Static(os.DirFS(webDir))))
	t.Cleanup(srv.Close)
	return srv
}

// page is one open tab of the playground with everything it logged and asked for.
type page struct {
	t        *testing.T
	ctx      context.Context
	origin   string // the server of the page, http://127.0.0.1:port
	mu       sync.Mutex
	console  []string // errors and exceptions
	requests []string // every URL the page requested
}

// open starts a tab, records its console errors and requests, loads the
// playground and waits for the first refined result.
func open(t *testing.T) *page {
	t.Helper()
	site(t)
	return openAt(t, browser, siteURL+"/")
}

// openAt is open with a given parent context (the allocator, or a tab to make
// a new browser context from, with opts) and page URL.
func openAt(t *testing.T, parent context.Context, url string, opts ...chromedp.ContextOption) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, opts...)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelT)
	p := &page{t: t, ctx: ctx, origin: siteURL}
	if u, err := neturl.Parse(url); err == nil {
		p.origin = u.Scheme + "://" + u.Host
	}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			p.mu.Lock()
			p.requests = append(p.requests, e.Request.URL)
			p.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				p.mu.Lock()
				p.console = append(p.console, m.String())
				p.mu.Unlock()
			}
		}
	}()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the first refinement", `(window.whittleStats && whittleStats.refines) > 0`)
	t.Cleanup(p.checkClean)
	return p
}

// checkClean fails the test on console errors and on requests that left the origin.
func (p *page) checkClean() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.console {
		p.t.Errorf("console: %s", c)
	}
	for _, u := range p.requests {
		if !strings.HasPrefix(u, p.origin+"/") && !strings.HasPrefix(u, "blob:"+p.origin+"/") && !strings.HasPrefix(u, "data:") {
			p.t.Errorf("request left the page's origin: %s", u)
		}
	}
}

func eval[T any](p *page, expr string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls the JavaScript condition cond until it is true.
func (p *page) waitFor(what, cond string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`!!(`+cond+`)`))
		if err == nil && v {
			return
		}
		if time.Now().After(deadline) {
			status := eval[string](p, `document.getElementById("status").textContent + " | " + document.querySelector("[data-testid=error]").textContent`)
			p.t.Fatalf("timed out waiting for %s (%v); page says: %s", what, err, status)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

func testid(id string) string { return `document.querySelector("[data-testid=` + id + `]")` }

func (p *page) text(id string) string { return eval[string](p, testid(id)+`.textContent`) }

// selectAll focuses the editor whose editable area has the data-testid id and
// selects its whole text with Ctrl+A.
func (p *page) selectAll(id string) {
	p.t.Helper()
	err := chromedp.Do(p.ctx,
		chromedp.Focus(chromedp.CSS(`[data-testid="`+id+`"]`)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
	)
	if err != nil {
		p.t.Fatal(err)
	}
}

// clear empties an editor as a person would: Ctrl+A, Backspace.
func (p *page) clear(id string) {
	p.t.Helper()
	p.selectAll(id)
	if err := chromedp.Do(p.ctx, chromedp.KeyEvent(kb.Backspace)); err != nil {
		p.t.Fatal(err)
	}
}

// typeInto replaces an editor's text with text, entered through the browser's
// text input (Input.insertText, as an input method does). The browser turns
// runs of spaces typed this way into no-break spaces, so text must be compact
// JSON; use paste for formatted text.
func (p *page) typeInto(id, text string) {
	p.t.Helper()
	p.selectAll(id)
	err := chromedp.Do(p.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
		return err
	}))
	if err != nil {
		p.t.Fatal(err)
	}
}

// paste replaces an editor's text with text as a clipboard paste does (a paste
// event carrying text/plain).
func (p *page) paste(id, text string) {
	p.t.Helper()
	p.selectAll(id)
	eval[bool](p, `(() => {
		const dt = new DataTransfer();
		dt.setData("text/plain", `+jsString(text)+`);
		return `+testid(id)+`.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
	})()`)
}

// compact is the JSON text of file name without insignificant whitespace.
func compact(t *testing.T, name string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(read(t, name))); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// articleRefined is the refined policy of the article's figure, as the page
// prints it.
func articleRefined(t *testing.T) string {
	b, err := engine.Pretty([]byte(read(t, "../wasm/playground/diff/testdata/article-refined.json")))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBrowserOpensWithArticle(t *testing.T) {
	p := open(t)
	want := articleRefined(t)
	if got := p.text("refined-output"); got != want {
		t.Errorf("refined-output on opening:\n%s\nwant the article's:\n%s", got, want)
	}
	if got := eval[string](p, testid("verification")+`.getAttribute("data-exact")`); got != "true" {
		t.Errorf("verification data-exact = %q (%s), want true", got, p.text("verification"))
	}
	if got := eval[string](p, testid("example-select")+`.value`); got != "article-2024" {
		t.Errorf("example-select = %q, want article-2024", got)
	}
	if shot := os.Getenv("WHITTLE_SCREENSHOT"); shot != "" {
		png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowserTypedArticle types the article's example (and the 2024 catalog)
// into emptied editors and expects exactly the article's policy.
func TestBrowserTypedArticle(t *testing.T) {
	p := open(t)
	for _, id := range []string{"policy-input", "findings-input", "catalog-input"} {
		p.clear(id)
	}
	p.waitFor("the error of an empty policy", testid("error")+`.hidden === false`)
	if !eval[bool](p, `!!`+testid("policy-input")+`.querySelector(".cm-placeholder")`) {
		t.Fatalf("policy editor not empty after Ctrl+A, Backspace: %q", p.text("policy-input"))
	}
	p.typeInto("catalog-input", compact(t, filepath.Join(webDir, "web/examples/catalog-2024-08-31.json")))
	p.typeInto("findings-input", compact(t, "../web/examples/article/findings.json"))
	p.typeInto("policy-input", compact(t, "../web/examples/article/policy.json"))
	want := articleRefined(t)
	p.waitFor("the article's refinement", testid("error")+`.hidden && `+testid("refined-output")+`.textContent === `+jsString(want))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestBrowserDiff(t *testing.T) {
	p := open(t)
	lines := eval[[]string](p, `Array.from(`+testid("diff-view")+`.querySelectorAll(".chunk > div")).flatMap(d => d.textContent.split("\n")).map(l => l.replace(/\s+/g, " ").trim())`)
	has := func(s string) bool {
		for _, l := range lines {
			if strings.TrimSuffix(l, ",") == s {
				return true
			}
		}
		return false
	}
	for _, want := range []string{`- "s3:Get*"`, `+ "s3:GetObject*"`, `+ "s3:GetAccess*"`, `- "lambda:AddPermission"`, `"lambda:Invoke*"`, `"s3:List*"`} {
		if !has(want) {
			t.Errorf("diff-view has no line %s; it shows:\n%s", want, strings.Join(lines, "\n"))
		}
	}
}

func TestBrowserTrie(t *testing.T) {
	p := open(t)
	for _, tt := range []struct {
		prefix       string
		safe, chosen string
	}{
		{"s3:Get", "false", ""},
		{"s3:GetBucket", "false", ""},
		{"s3:GetObject", "true", "true"},
		{"s3:GetAccess", "true", "true"},
	} {
		node := testid("trie-view") + `.querySelector('[data-prefix="` + tt.prefix + `"]')`
		if !eval[bool](p, `!!`+node) {
			t.Errorf("trie-view has no node %s", tt.prefix)
			continue
		}
		safe := eval[string](p, node+`.getAttribute("data-safe")`)
		chosen := eval[string](p, node+`.getAttribute("data-chosen") || ""`)
		if safe != tt.safe || chosen != tt.chosen {
			t.Errorf("trie node %s: data-safe=%q data-chosen=%q, want %q %q", tt.prefix, safe, chosen, tt.safe, tt.chosen)
		}
	}
}

// TestBrowserSyntaxError breaks the policy: the error names line:column and the
// last good result stays.
func TestBrowserSyntaxError(t *testing.T) {
	p := open(t)
	before := p.text("refined-output")
	broken := strings.Replace(read(t, "../web/examples/article/policy.json"), `"s3:Get*",`, `"s3:Get*"`, 1)
	p.paste("policy-input", broken)
	p.waitFor("the error", testid("error")+`.hidden === false`)
	msg := p.text("error")
	// The missing comma is noticed at the next string: line 23, column 9.
	if !regexp.MustCompile(`\b23:9\b`).MatchString(msg) {
		t.Errorf("error = %q, want it to name line:column 23:9", msg)
	}
	if got := p.text("refined-output"); got != before {
		t.Errorf("refined-output changed on broken input:\n%s\nwant the last result:\n%s", got, before)
	}
	if !eval[bool](p, `!!document.querySelector(".cm-lint-marker-error, .cm-lintRange-error")`) {
		t.Errorf("the policy editor marks no error")
	}
}

// TestBrowserNoMarkup puts an HTML payload in a policy string: the page shows
// it as text and never runs it.
func TestBrowserNoMarkup(t *testing.T) {
	p := open(t)
	payload := `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`
	policy := strings.Replace(read(t, "../web/examples/article/policy.json"), `"Resource": "*"`, `"Resource": "arn:aws:s3:::`+strings.ReplaceAll(payload, `"`, `\"`)+`"`, 1)
	p.paste("policy-input", policy)
	p.waitFor("the payload in refined-output", testid("refined-output")+`.textContent.includes("<img src=x onerror")`)
	time.Sleep(300 * time.Millisecond)
	if eval[bool](p, `window.__pwned !== undefined`) {
		t.Errorf("the payload ran")
	}
	// CodeMirror's own cm-widgetBuffer images (around a placeholder, in the
	// empty candidate editor) are not user text.
	if n := eval[int](p, `document.querySelectorAll("main img:not(.cm-widgetBuffer), main script").length`); n != 0 {
		t.Errorf("the page has %d img/script elements in main, want 0", n)
	}
	if n := eval[int](p, `document.querySelectorAll("main img.cm-widgetBuffer[src], main img.cm-widgetBuffer[onerror]").length`); n != 0 {
		t.Errorf("the page has %d CodeMirror buffer images with a source or handler", n)
	}
	if !eval[bool](p, testid("diff-view")+`.textContent.includes("<img src=x")`) {
		t.Errorf("diff-view does not show the payload as text")
	}
}

// selectExample picks an example in the menu and waits for its refinement.
func (p *page) selectExample(id string) {
	p.t.Helper()
	n := eval[int](p, `whittleStats.refines`)
	eval[bool](p, `(() => { const s = `+testid("example-select")+`; s.value = `+jsString(id)+`; return s.dispatchEvent(new Event("change")); })()`)
	p.waitFor("example "+id, fmt.Sprintf(`whittleStats.refines > %d`, n))
}

// TestBrowserExamples opens every example of the menu: each refines without an
// error and is verified exact.
func TestBrowserExamples(t *testing.T) {
	p := open(t)
	ids := eval[[]string](p, `Array.from(`+testid("example-select")+`.options, o => o.value)`)
	if len(ids) < 8 {
		t.Errorf("example-select has %d examples (%q), want 8", len(ids), ids)
	}
	for _, id := range ids {
		if id == "readonly-half" {
			continue // large: TestBrowserPerformance opens it
		}
		p.selectExample(id)
		if msg := p.text("error"); msg != "" {
			t.Errorf("example %s: error %q", id, msg)
		}
		if got := eval[string](p, testid("verification")+`.getAttribute("data-exact")`); got != "true" {
			t.Errorf("example %s: verification %q", id, p.text("verification"))
		}
	}
}

// TestBrowserLargeExample opens ReadOnlyAccess with half its actions unused:
// the refined policy shown (in chunks that the browser lays out only when in
// view) is exactly the engine's answer, chunked as the page says, and so is the
// diff; explanations come 200 more at a time, or for a change picked in the
// diff; a trie from the menu is drawn on demand.
func TestBrowserLargeExample(t *testing.T) {
	p := open(t)
	p.selectExample("readonly-half")
	want := refinedByEngine(t, read(t, filepath.Join(webDir, "web/examples/readonly-half/policy.json")),
		read(t, filepath.Join(webDir, "web/examples/readonly-half/findings.json")))
	if got := p.text("refined-output"); got != want {
		t.Fatalf("refined-output differs from the engine's answer (%d bytes shown, %d wanted)", len(got), len(want))
	}
	lines := strings.Count(want, "\n") + 1
	chunks := eval[[]int](p, `Array.from(`+testid("refined-output")+`.querySelectorAll(".chunk"), c => c.textContent.split("\n").length - (c.classList.contains("chunk-last") ? 0 : 1))`)
	if n := (lines + 63) / 64; len(chunks) != n {
		t.Errorf("refined-output of %d lines in %d chunks, want %d of 64 lines", lines, len(chunks), n)
	}
	for i, c := range chunks {
		if c != 64 && i < len(chunks)-1 || c > 64 {
			t.Errorf("chunk %d of refined-output has %d lines, want 64 (the last at most 64)", i, c)
		}
	}
	diffChunks := eval[[]int](p, `Array.from(`+testid("diff-view")+`.querySelectorAll(".chunk"), c => Array.from(c.children, d => d.textContent.split("\n").length).reduce((a, b) => a + b, 0))`)
	if len(diffChunks) < 2 {
		t.Errorf("the diff has %d chunks; a diff this long must have several", len(diffChunks))
	}
	for i, c := range diffChunks {
		if c != 64 && i < len(diffChunks)-1 || c > 64 {
			t.Errorf("diff chunk %d has %d lines, want 64 (the last at most 64)", i, c)
		}
	}
	if !strings.Contains(p.text("diff-view"), `"a4b:Get*"`) {
		t.Errorf("the diff does not show the first replaced pattern a4b:Get*")
	}
	// 40 changes are explained at first; a button explains 200 more, and
	// clicking a diff line of a change not explained yet explains it.
	explained := func() int { return eval[int](p, testid("explanations")+`.querySelectorAll("button.explain").length`) }
	total := eval[int](p, `Math.max(...Array.from(`+testid("diff-view")+`.querySelectorAll("[data-change]"), d => +d.getAttribute("data-change")))`) + 1
	if n := explained(); n != 40 || total < 1000 {
		t.Fatalf("%d changes explained at first, want 40; the diff tags %d changes, want all (over 1,000)", n, total)
	}
	eval[bool](p, `(`+testid("explanations")+`.querySelector("[data-more]").click(), true)`)
	if n := explained(); n != 240 {
		t.Errorf("after Explain more, %d changes explained, want 240", n)
	}
	lastChange := strconv.Itoa(total - 1)
	eval[bool](p, `(`+testid("diff-view")+`.querySelector('[data-change="`+lastChange+`"]').click(), true)`)
	if n := explained(); n != total {
		t.Errorf("after clicking the diff line of the last change, %d changes explained, want all %d", n, total)
	}
	if got := eval[string](p, testid("explanations")+`.querySelector('[data-change="`+lastChange+`"]').getAttribute("aria-pressed")`); got != "true" {
		t.Errorf("the last change's explanation has aria-pressed %q after clicking its diff line, want true", got)
	}
	if eval[bool](p, `!!`+testid("explanations")+`.querySelector("[data-more]")`) {
		t.Errorf("the Explain more button is still there with every change explained")
	}
	// Pick the last trie of the menu: it is asked of the engine when drawn.
	last := eval[string](p, `(() => { const s = document.getElementById("trie-select"); s.value = s.options[s.options.length - 1].value; s.dispatchEvent(new Event("change")); return s.options[s.options.length - 1].textContent })()`)
	pattern := last[strings.LastIndex(last, " ")+1:]
	prefix := strings.TrimSuffix(pattern, "*")
	// Its trie comes from the engine's worker: wait for it.
	p.waitFor("the trie of "+pattern, testid("trie-view")+`.querySelector("[data-prefix]") && `+testid("trie-view")+`.querySelector("[data-prefix]").getAttribute("data-prefix") === `+jsString(prefix))
}

// pickMS picks example id in the menu and returns the milliseconds until the
// frame after its result is drawn (the page's whittle-refined event).
func (p *page) pickMS(id string) float64 {
	p.t.Helper()
	return eval[float64](p, `new Promise(done => {
		const s = `+testid("example-select")+`;
		document.addEventListener("whittle-refined", () => {
			requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
		}, {once: true});
		const t0 = performance.now();
		s.value = `+jsString(id)+`;
		s.dispatchEvent(new Event("change"));
	})`, chromedp.EvalAwaitPromise)
}

// refineMS clicks Refine and returns the milliseconds until the next frame
// after the refinement is drawn (the page's whittle-refined event: a large
// input is refined in the engine's worker and drawn in several tasks; median
// of n runs).
func (p *page) refineMS(n int) float64 {
	p.t.Helper()
	var runs []float64
	for range n {
		ms := eval[float64](p, `new Promise(done => {
			const t0 = performance.now();
			document.addEventListener("whittle-refined", () => {
				requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
			}, {once: true});
			`+testid("refine-button")+`.click();
		})`, chromedp.EvalAwaitPromise)
		runs = append(runs, ms)
	}
	sort.Float64s(runs)
	return runs[len(runs)/2]
}

// editRefineMS edits the policy (outside the timing: pasted variants of text
// with a different Resource each run) and then returns the milliseconds from
// Refine to the frame after the redraw (median of n runs): a real edit, so the
// page cannot reuse its last diff.
func (p *page) editRefineMS(n int, policy string) float64 {
	return p.variantRefineMS(n, "policy-input", func(i int) string {
		return strings.Replace(policy, `"Resource": "*"`, fmt.Sprintf(`"Resource": "arn:aws:s3:::edit-%d/*"`, i), 1)
	})
}

// variantRefineMS pastes variant(i) into an editor (outside the timing) and
// then returns the milliseconds from Refine to the frame after the redraw
// (median of n runs).
func (p *page) variantRefineMS(n int, editor string, variant func(i int) string) float64 {
	p.t.Helper()
	var runs []float64
	for i := range n {
		p.paste(editor, variant(i))
		runs = append(runs, p.refineMS(1))
	}
	sort.Float64s(runs)
	return runs[len(runs)/2]
}

// dropLine removes the k-th line (from 0) that contains want from text.
func dropLine(text, want string, k int) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.Contains(l, want) {
			if k == 0 {
				return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
			}
			k--
		}
	}
	return text
}

// TestBrowserPerformance measures what the README's Performance section
// publishes, on this machine. The targets are checked only with
// WHITTLE_PERF_STRICT=1: on a shared, loaded machine the numbers vary by a
// factor of several, so a timed test would fail for the machine's sake. Every
// edit of ReadOnlyAccess counts against its target: a Resource, an action
// deleted, the findings.
func TestBrowserPerformance(t *testing.T) {
	srv := freshSite(t) // a first visit: nothing cached by a service worker
	p := openAt(t, browser, srv.URL+"/")
	first := eval[float64](p, `whittleStats.firstResultMs`)
	// The service worker fills its cache after the first result; let it finish
	// before timing refinements.
	eval[bool](p, `navigator.serviceWorker.ready.then(() => true)`, chromedp.EvalAwaitPromise)
	// The engine's Web Worker starts after the first result too, and refines
	// a small policy to warm up: let it, as a person reading the first result
	// would.
	p.waitFor("the engine's worker", `whittleStats.workerWarmMs > 0`)
	t.Logf("load: %s", eval[string](p, `JSON.stringify(whittleStats)`))
	article := p.refineMS(7)
	t.Logf("article, Refine on unchanged input: %s", eval[string](p, `whittleStats.breakdown`))
	articleEdit := p.editRefineMS(7, read(t, "../web/examples/article/policy.json"))
	t.Logf("article, after an edit: %s", eval[string](p, `whittleStats.breakdown`))
	p.selectExample("role-action-level")
	roleDump := read(t, "../engine/testdata/role/authorization-details.json")
	roleEdit := p.variantRefineMS(7, "policy-input", func(i int) string {
		return strings.Replace(roleDump, `"arn:aws:s3:::orders-prod/*"`, fmt.Sprintf(`"arn:aws:s3:::orders-prod/edit-%d/*"`, i), 1)
	})
	t.Logf("role of three policies, after an edit: %s", eval[string](p, `whittleStats.breakdown`))
	// Picking the large example: from the menu's change to the frame after
	// its result is drawn (the files fetched, the editors filled, the engine's
	// first refinement of a new policy and findings: nothing to reuse).
	pick := p.pickMS("readonly-half")
	t.Logf("large, first refinement (example picked): %.1f ms in the page's code (engine %.1f ms, drawing %.1f ms): %s",
		eval[float64](p, `whittleStats.lastRefineMs`), eval[float64](p, `whittleStats.lastEngineMs`),
		eval[float64](p, `whittleStats.lastRenderMs`), eval[string](p, `whittleStats.breakdown`))
	large := p.refineMS(3)
	t.Logf("large, Refine on unchanged input: %s", eval[string](p, `whittleStats.breakdown`))
	largePolicy := read(t, filepath.Join(webDir, "web/examples/readonly-half/policy.json"))
	largeEdit := p.editRefineMS(5, largePolicy)
	t.Logf("large, after an edit of a Resource: %s", eval[string](p, `whittleStats.breakdown`))
	engineMS := eval[float64](p, `whittleStats.lastEngineMs`)
	renderMS := eval[float64](p, `whittleStats.lastRenderMs`)
	// An action deleted: the large statement is verified again.
	largeAction := p.variantRefineMS(5, "policy-input", func(i int) string { return dropLine(largePolicy, `:Describe`, 7*i) })
	t.Logf("large, after deleting an action: %s", eval[string](p, `whittleStats.breakdown`))
	p.paste("policy-input", largePolicy)
	// New findings: nothing of the last refinement applies (engine.Session starts afresh).
	largeFindings := read(t, filepath.Join(webDir, "web/examples/readonly-half/findings.json"))
	largeNew := p.variantRefineMS(5, "findings-input", func(i int) string { return dropLine(largeFindings, `:`, 5*i) })
	t.Logf("large, after editing the findings: %s", eval[string](p, `whittleStats.breakdown`))

	req, _ := http.NewRequest("GET", srv.URL+"/web/whittle.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("whittle.wasm served without gzip (Content-Encoding %q)", resp.Header.Get("Content-Encoding"))
	}

	t.Logf("page load to first refined result: %.0f ms (target ≤ 1500)", first)
	t.Logf("re-refine and redraw, article example: after an edit %.1f ms, Refine on unchanged input %.1f ms (target ≤ 50)", articleEdit, article)
	t.Logf("re-refine and redraw, a role of three policies with an action-level report: after an edit of its dump %.1f ms (target ≤ 50)", roleEdit)
	t.Logf("re-refine and redraw, ReadOnlyAccess half unused: after an edit of a Resource %.1f ms (target ≤ 300, as for every edit; engine %.1f ms, drawing %.1f ms), after deleting an action %.1f ms, after editing the findings %.1f ms, Refine on unchanged input %.1f ms", largeEdit, engineMS, renderMS, largeAction, largeNew, large)
	t.Logf("picking ReadOnlyAccess half unused in the menu, to the drawn result: %.1f ms (target ≤ 300)", pick)
	t.Logf("whittle.wasm transferred gzip: %d bytes (target ≤ 2 MB)", wire)
	t.Logf("load average: %s", loadAverage())
	for _, c := range []struct {
		what        string
		got, target float64
	}{
		{"page load to first result (ms)", first, 1500},
		{"ReadOnlyAccess half unused picked in the menu, to the drawn result (ms)", pick, 300},
		{"article re-refine after an edit (ms)", articleEdit, 50},
		{"role of three policies re-refine after an edit (ms)", roleEdit, 50},
		{"ReadOnlyAccess half unused re-refine after an edit of a Resource (ms)", largeEdit, 300},
		{"ReadOnlyAccess half unused re-refine after deleting an action (ms)", largeAction, 300},
		{"ReadOnlyAccess half unused re-refine after editing the findings (ms)", largeNew, 300},
		{"wasm gzip (bytes)", float64(wire), 2 << 20},
	} {
		if c.got > c.target {
			if os.Getenv("WHITTLE_PERF_STRICT") == "1" {
				t.Errorf("%s = %.1f, over the target %.0f", c.what, c.got, c.target)
			} else {
				t.Logf("OVER TARGET: %s = %.1f, target %.0f (WHITTLE_PERF_STRICT=1 makes this fail)", c.what, c.got, c.target)
			}
		}
	}
}

// refinedByEngine is the refined policy the engine answers natively for
// policy and findings (what POST /api/v1/refine answers), laid out as the
// page shows it.
func refinedByEngine(t *testing.T, policy, findings string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"policy": policy, "findings": findings})
	answer, eerr := engine.HandleRefine(body)
	if eerr != nil {
		t.Fatal(eerr)
	}
	var resp struct {
		Policy json.RawMessage `json:"recommendedPolicy"`
	}
	if err := json.Unmarshal(answer, &resp); err != nil {
		t.Fatal(err)
	}
	want, err := engine.Pretty(resp.Policy)
	if err != nil {
		t.Fatal(err)
	}
	return string(want)
}
