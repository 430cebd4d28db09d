//go:build e2e

package e2e

// Browser tests of the page as a newcomer meets it (issue 14): grouped
// warnings, an error where the eye is, dark editors, a phone, the first
// visit, the size line, and an automated accessibility check (axe-core).

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core that scripts/test installs into .cache/npm.
const axeVersion = "4.14.1"

// axeScript is axe-core's browser script: WHITTLE_AXE, or where scripts/test
// installs it. Missing, the test fails: it never skips.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("WHITTLE_AXE")
	if path == "" {
		path = filepath.Join("..", ".cache", "npm", "axe-core@"+axeVersion, "package", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): scripts/test installs it; or npm pack axe-core@%s and set WHITTLE_AXE to its axe.min.js", err, axeVersion)
	}
	return string(b)
}

// axe runs axe-core on the page (injected through the DevTools protocol, as
// the page's Content-Security-Policy admits no other script) and returns its
// serious and critical violations, one line each.
func (p *page) axe(script string) []string {
	p.t.Helper()
	if !eval[bool](p, `!!window.axe`) {
		eval[bool](p, script+"\n;true")
	}
	out := eval[string](p, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
			v.impact + " " + v.id + ": " + v.help + " — " + v.nodes.slice(0, 4).map(n => n.target.join(" ")).join(", ") +
			(v.nodes.length > 4 ? " and " + (v.nodes.length - 4) + " more" : ""))))`, chromedp.EvalAwaitPromise)
	var list []string
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		p.t.Fatal(err)
	}
	return list
}

// dark switches the page to prefers-color-scheme: dark (or back).
func (p *page) dark(on bool) {
	p.t.Helper()
	v := "light"
	if on {
		v = "dark"
	}
	err := chromedp.Do(p.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}},
		})
		return err
	}))
	if err != nil {
		p.t.Fatal(err)
	}
}

// screenshot saves the page to dir/name when WHITTLE_SCREENSHOTS names a folder.
func (p *page) screenshot(name string) {
	p.t.Helper()
	dir := os.Getenv("WHITTLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// screenshotOf saves the element selector to dir/name when WHITTLE_SCREENSHOTS
// names a folder.
func (p *page) screenshotOf(selector, name string) {
	p.t.Helper()
	dir := os.Getenv("WHITTLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.Screenshot(chromedp.CSS(selector)))
	if err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// TestBrowserAccessibility: axe-core finds no serious or critical issue on the
// article example and on the large example, in light and dark mode.
func TestBrowserAccessibility(t *testing.T) {
	script := axeScript(t)
	p := open(t)
	eval[bool](p, `document.getElementById("intro-close").click() || true`)
	for _, example := range []string{"article-2024", "readonly-half"} {
		if example != "article-2024" {
			p.selectExample(example)
		}
		for _, dark := range []bool{false, true} {
			p.dark(dark)
			for _, v := range p.axe(script) {
				t.Errorf("%s, dark %v: %s", example, dark, v)
			}
		}
		p.dark(false)
	}
}

// TestBrowserDarkEditors: in dark mode the editors are dark too.
func TestBrowserDarkEditors(t *testing.T) {
	p := open(t)
	bg := `(() => { const [r, g, b] = getComputedStyle(document.querySelector("#policy-editor .cm-editor")).backgroundColor.match(/\d+/g).map(Number); return r + g + b; })()`
	if lum := eval[int](p, bg); lum < 600 {
		t.Errorf("light mode: the policy editor's background sums to %d, want light", lum)
	}
	p.screenshot("playground-light.png")
	p.dark(true)
	p.waitFor("dark editors", bg+` < 150`)
	fg := `(() => { const [r, g, b] = getComputedStyle(document.querySelector("#policy-editor .cm-content")).color.match(/\d+/g).map(Number); return r + g + b; })()`
	if lum := eval[int](p, fg); lum < 450 {
		t.Errorf("dark mode: the policy editor's text sums to %d, want light text", lum)
	}
	p.screenshot("playground-dark.png")
}

// TestBrowserWarningsGrouped: the large example's warnings take one line a
// code, the retired services named, and the refined policy starts on the
// first screen.
func TestBrowserWarningsGrouped(t *testing.T) {
	p := open(t)
	eval[bool](p, `document.getElementById("intro-close").click() || true`)
	p.selectExample("readonly-half")
	lines := eval[[]string](p, `Array.from(document.querySelectorAll("#warnings > li"), li => li.getAttribute("data-code"))`)
	seen := map[string]bool{}
	for _, c := range lines {
		if seen[c] {
			t.Errorf("warnings: code %s has more than one line: %q", c, lines)
		}
		seen[c] = true
	}
	if !seen["UNKNOWN_PATTERN"] {
		t.Fatalf("warnings: no UNKNOWN_PATTERN line: %q", lines)
	}
	summary := eval[string](p, `document.querySelector('#warnings > li[data-code="UNKNOWN_PATTERN"] summary').textContent`)
	if !regexp.MustCompile(`^UNKNOWN_PATTERN · \d+ patterns match no action in the catalog and are kept as written; \d+ services are not in the catalog of \d{4}-\d\d-\d\d \(retired or renamed\?\): .*deepcomposer`).MatchString(summary) {
		t.Errorf("UNKNOWN_PATTERN line: %q", summary)
	}
	if n := eval[int](p, `document.querySelectorAll('#warnings li[data-code="UNKNOWN_PATTERN"] details li').length`); n < 10 {
		t.Errorf("the UNKNOWN_PATTERN group holds %d warnings", n)
	}
	for _, id := range []string{"verification", "size", "refined-output"} {
		if top := eval[float64](p, testid(id)+`.getBoundingClientRect().top`); top >= eval[float64](p, `innerHeight`) {
			t.Errorf("%s starts at %.0f px, below the first screen (%v px)", id, top, eval[float64](p, `innerHeight`))
		}
	}
	// Larger than the original: the size line says why, and compares.
	size := p.text("size")
	if !strings.Contains(size, "larger, because each partly unused wildcard is replaced by its safe prefixes") {
		t.Errorf("size line: %q", size)
	}
	eval[bool](p, testid("compare-sizes")+`.click() || true`)
	p.waitFor("the sizes compared", testid("size-compare")+`.hidden === false`)
	m := regexp.MustCompile(`^Sizes by granularity: words ([\d,]+), characters ([\d,]+), exact names ([\d,]+) characters`).FindStringSubmatch(p.text("size-compare"))
	if m == nil || !strings.Contains(size, "→ "+m[1]+" characters") {
		t.Errorf("size-compare %q does not match the size line %q", p.text("size-compare"), size)
	}
}

// TestBrowserErrorPlace: a refused input's whole message stands above the
// dimmed last result, and its button puts the cursor at the place.
func TestBrowserErrorPlace(t *testing.T) {
	p := open(t)
	broken := strings.Replace(read(t, "../web/examples/article/policy.json"), `"s3:Get*",`, `"s3:Get*"`, 1)
	p.paste("policy-input", broken)
	p.waitFor("the error", testid("error")+`.hidden === false`)
	msg, result := testid("error-box")+`.getBoundingClientRect()`, testid("refined-output")+`.getBoundingClientRect()`
	if !eval[bool](p, msg+`.bottom <= `+result+`.top && `+testid("error-box")+`.closest("#outputs") !== null`) {
		t.Errorf("the error box is not above the result in the output column")
	}
	if top := eval[float64](p, msg+`.top`); top < 0 || top > eval[float64](p, `innerHeight`) {
		t.Errorf("the error box is out of view (top %.0f)", top)
	}
	if got := p.text("error-goto"); got != "Go to line 23, column 9 of the policy" {
		t.Errorf("error-goto = %q", got)
	}
	eval[bool](p, testid("error-goto")+`.click() || true`)
	if got := eval[[]any](p, `WhittleEditor.editors["policy-input"].cursor()`); fmt.Sprint(got) != "[23 9 true]" {
		t.Errorf("after the button, the policy editor's cursor is %v, want line 23, column 9, focused", got)
	}
	if !strings.HasPrefix(p.text("verdict-line"), "Input refused: policy: 23:9:") {
		t.Errorf("verdict-line = %q", p.text("verdict-line"))
	}
}

// TestBrowserPhone: at 390 px nothing is wider than the screen outside
// scrollable panes, and the Refine button and a one-line verdict are in view
// without scrolling.
func TestBrowserPhone(t *testing.T) {
	p := open(t)
	err := chromedp.Do(p.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: 390, Height: 844, DeviceScaleFactor: 2, Mobile: true})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	p.waitFor("the narrow layout", `document.documentElement.clientWidth === 390 || (console.log("width", innerWidth, document.documentElement.clientWidth), false)`)
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 390 {
		wide := eval[[]string](p, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 391 &&
			!e.closest(".code, .cm-editor, .trie, .diff")).slice(0, 5).map(e => e.tagName + "#" + e.id + "." + e.className)`)
		t.Errorf("the page is %d px wide at 390: %q", w, wide)
	}
	inView := func(id string) bool {
		return eval[bool](p, `(() => { const r = `+testid(id)+`.getBoundingClientRect(); return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; })()`)
	}
	for _, id := range []string{"refine-button", "verdict-bar"} {
		if !inView(id) {
			t.Errorf("%s is not in view at 390 px", id)
		}
	}
	if got := p.text("verdict-line"); !strings.HasPrefix(got, "CREATE_POLICY · ✓ verified") {
		t.Errorf("verdict-line = %q", got)
	}
	p.screenshot("playground-phone.png")
	eval[bool](p, `document.querySelector("[data-testid=verdict-bar] a").click() || true`)
	p.waitFor("the result in view", `document.getElementById("outputs").getBoundingClientRect().top < innerHeight / 2`)
}

// TestBrowserFirstVisit: a first visit says what goes where, in at most three
// lines; dismissed, it stays away.
func TestBrowserFirstVisit(t *testing.T) {
	srv := freshSite(t)
	p := openAt(t, browser, srv.URL+"/") // a new origin: nothing stored
	if eval[bool](p, testid("intro")+`.hidden`) {
		t.Fatal("no first-visit note")
	}
	text := p.text("intro")
	for _, want := range []string{"Policy", "Unused permissions", "Catalog", "optional", "last-accessed"} {
		if !strings.Contains(text, want) {
			t.Errorf("the note does not say %q: %s", want, text)
		}
	}
	lines := eval[float64](p, `Array.from(`+testid("intro")+`.querySelectorAll("p"), e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)).reduce((a, b) => a + b, 0)`)
	if lines > 3.6 {
		t.Errorf("the note takes %.1f lines", lines)
	}
	eval[bool](p, testid("intro-close")+`.click() || true`)
	if !eval[bool](p, testid("intro")+`.hidden`) {
		t.Errorf("the note stays after Got it")
	}
	if err := chromedp.Do(p.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the page again", `(window.whittleStats && whittleStats.refines) > 0`)
	if !eval[bool](p, testid("intro")+`.hidden`) {
		t.Errorf("the note is back after a reload")
	}
}
