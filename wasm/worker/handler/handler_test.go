package handler_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"whittle/engine"
	"whittle/wasm/worker/handler"
)

// articleRequest is the refine request of the article's worked example, with the
// 2024-08-31 catalog fixture as "catalog".
func articleRequest(t testing.TB) []byte {
	t.Helper()
	return refineRequest(t, "testdata/article-policy.json", "testdata/article-findings.json", "../../../engine/testdata/catalog-2024-08-31.json")
}

func refineRequest(t testing.TB, policy, findings, catalog string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`{"policy": `)
	b.Write(readFile(t, policy))
	b.WriteString(`, "findings": `)
	b.Write(readFile(t, findings))
	if catalog != "" {
		b.WriteString(`, "catalog": `)
		b.Write(readFile(t, catalog))
	}
	b.WriteString("}")
	return b.Bytes()
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// do serves one request with h and returns the recorded answer.
func do(h http.Handler, method, path string, body []byte) *httptest.ResponseRecorder {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// apiError is the error body of api.md.
type apiError struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		Path    string `json:"path"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
	} `json:"error"`
}

// checkError checks that w is the JSON error answer of api.md with status and code
// (any code when code is ""), and returns its code.
func checkError(t *testing.T, call string, w *httptest.ResponseRecorder, status int, code string) string {
	t.Helper()
	if w.Code != status {
		t.Errorf("%s: status %d, want %d; body %s", call, w.Code, status, clip(w.Body.Bytes()))
	}
	checkJSONHeaders(t, call, w.Result().Header)
	var e apiError
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == nil {
		t.Errorf("%s: body is not an API error (%v): %s", call, err, clip(w.Body.Bytes()))
		return ""
	}
	if code != "" && e.Error.Code != code {
		t.Errorf("%s: code %q, want %q (message %q)", call, e.Error.Code, code, e.Error.Message)
	}
	if e.Error.Message == "" {
		t.Errorf("%s: error without a message", call)
	}
	if strings.Contains(w.Body.String(), "goroutine ") || strings.Contains(w.Body.String(), ".go:") {
		t.Errorf("%s: the body looks like a stack trace: %s", call, clip(w.Body.Bytes()))
	}
	return e.Error.Code
}

func checkJSONHeaders(t *testing.T, call string, h http.Header) {
	t.Helper()
	if got := h.Get("Content-Type"); got != handler.JSONContentType {
		t.Errorf("%s: Content-Type %q, want %q", call, got, handler.JSONContentType)
	}
	if got := h.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("%s: Access-Control-Allow-Origin %q, want *", call, got)
	}
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// Routes and methods: every answer that does not depend on the engine.
var routeTests = []struct {
	method, path string
	status       int
	code         string // error code, "" for a success
	allow        string // Allow header, when the answer has one
}{
	{"GET", "/api/v1/catalog", 200, "", ""},
	{"HEAD", "/api/v1/catalog", 200, "", ""},
	{"POST", "/api/v1/catalog", 405, engine.CodeMethod, "GET, HEAD, OPTIONS"},
	{"DELETE", "/api/v1/catalog", 405, engine.CodeMethod, "GET, HEAD, OPTIONS"},
	{"GET", "/api/v1/refine", 405, engine.CodeMethod, "POST, OPTIONS"},
	{"PUT", "/api/v1/refine", 405, engine.CodeMethod, "POST, OPTIONS"},
	{"HEAD", "/api/v1/refine", 405, engine.CodeMethod, "POST, OPTIONS"},
	{"GET", "/api/v1/recommendation", 405, engine.CodeMethod, "POST, OPTIONS"},
	{"PATCH", "/api/v1/recommendation", 405, engine.CodeMethod, "POST, OPTIONS"},
	{"GET", "/api/v1/check", 405, engine.CodeMethod, "POST, OPTIONS"},
	{"OPTIONS", "/api/v1/check", 204, "", "POST, OPTIONS"},
	{"OPTIONS", "/api/v1/refine", 204, "", "POST, OPTIONS"},
	{"OPTIONS", "/api/v1/recommendation", 204, "", "POST, OPTIONS"},
	{"OPTIONS", "/api/v1/catalog", 204, "", "GET, HEAD, OPTIONS"},
	{"GET", "/", 404, engine.CodeNotFound, ""},
	{"GET", "/index.html", 404, engine.CodeNotFound, ""},
	{"GET", "/api/", 404, engine.CodeNotFound, ""},
	{"GET", "/api/v1", 404, engine.CodeNotFound, ""},
	{"GET", "/api/v1/", 404, engine.CodeNotFound, ""},
	{"POST", "/api/v1/refine/", 404, engine.CodeNotFound, ""},
	{"POST", "/api/v1/Refine", 404, engine.CodeNotFound, ""},
	{"POST", "/api/v2/refine", 404, engine.CodeNotFound, ""},
	{"GET", "/api/v1/catalog/s3", 404, engine.CodeNotFound, ""},
	{"OPTIONS", "/api/v1/nothing", 404, engine.CodeNotFound, ""},
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	h := handler.New(nil)
	for _, tt := range routeTests {
		call := fmt.Sprintf("%s %s", tt.method, tt.path)
		w := do(h, tt.method, tt.path, nil)
		switch {
		case tt.code != "" && tt.method == "HEAD":
			if w.Code != tt.status || w.Body.Len() != 0 {
				t.Errorf("%s: status %d with %d body bytes, want %d and none", call, w.Code, w.Body.Len(), tt.status)
			}
			checkJSONHeaders(t, call, w.Result().Header)
		case tt.code != "":
			checkError(t, call, w, tt.status, tt.code)
		case w.Code != tt.status:
			t.Errorf("%s: status %d, want %d; body %s", call, w.Code, tt.status, clip(w.Body.Bytes()))
		}
		if got := w.Header().Get("Allow"); got != tt.allow {
			t.Errorf("%s: Allow %q, want %q", call, got, tt.allow)
		}
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want *", call, got)
		}
	}
}

func TestCatalog(t *testing.T) {
	t.Parallel()
	h := handler.New(nil)
	w := do(h, "GET", "/api/v1/catalog", nil)
	if w.Code != 200 {
		t.Fatalf("GET /api/v1/catalog: status %d; body %s", w.Code, clip(w.Body.Bytes()))
	}
	checkJSONHeaders(t, "GET /api/v1/catalog", w.Result().Header)
	if want := engine.HandleCatalog(); !bytes.Equal(w.Body.Bytes(), want) {
		t.Errorf("GET /api/v1/catalog = %s, want engine.HandleCatalog() = %s", clip(w.Body.Bytes()), clip(want))
	}
	var info engine.CatalogInfo
	if err := json.Unmarshal(w.Body.Bytes(), &info); err != nil {
		t.Errorf("GET /api/v1/catalog: %v", err)
	}
	head := do(h, "HEAD", "/api/v1/catalog", nil)
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Type") != handler.JSONContentType {
		t.Errorf("HEAD /api/v1/catalog: status %d, %d body bytes, Content-Type %q; want 200, none, %q",
			head.Code, head.Body.Len(), head.Header().Get("Content-Type"), handler.JSONContentType)
	}
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	h := handler.New(nil)
	req := httptest.NewRequest("OPTIONS", "/api/v1/refine", nil)
	req.Header.Set("Origin", "https://example.org")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Errorf("preflight: status %d with %d body bytes, want 204 and none", w.Code, w.Body.Len())
	}
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "POST, OPTIONS",
		"Access-Control-Allow-Headers": "Content-Type",
		"Access-Control-Max-Age":       "86400",
	} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("preflight: %s %q, want %q", k, got, want)
		}
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	h := handler.New(nil)
	big := bytes.Repeat([]byte(" "), engine.MaxRequestBytes+1)
	for _, path := range []string{"/api/v1/refine", "/api/v1/recommendation"} {
		// with a Content-Length: refused before reading
		checkError(t, "POST "+path+" (Content-Length over the limit)", do(h, "POST", path, big), 413, engine.CodeTooLarge)

		// without one (chunked): refused after MaxRequestBytes+1 bytes
		req := httptest.NewRequest("POST", path, io.MultiReader(bytes.NewReader(big), strings.NewReader("never read")))
		req.ContentLength = -1
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		checkError(t, "POST "+path+" (chunked, over the limit)", w, 413, engine.CodeTooLarge)
	}
	// exactly at the limit the engine decides (whitespace only: not JSON, a 400 —
	// anything but 413)
	w := do(h, "POST", "/api/v1/refine", big[:engine.MaxRequestBytes])
	if w.Code == 413 {
		t.Errorf("POST /api/v1/refine with exactly MaxRequestBytes: 413, want the engine's answer")
	}
}

// TestLargestManagedPolicy: the size limit admits the largest AWS managed policy.
func TestLargestManagedPolicy(t *testing.T) {
	t.Parallel()
	h := handler.New(nil)
	body := refineRequest(t, "../../../engine/testdata/policies/AWSSupportServiceRolePolicy.json", "testdata/article-findings.json", "")
	w := do(h, "POST", "/api/v1/refine", body)
	if w.Code != 200 {
		t.Errorf("POST /api/v1/refine with AWSSupportServiceRolePolicy (%d bytes): status %d, want 200; body %s", len(body), w.Code, clip(w.Body.Bytes()))
	}
}

// TestPanic: a panic in the engine is a 500 INTERNAL JSON answer without the
// panic's text or a stack; a panic after the answer started leaves it alone.
func TestPanic(t *testing.T) {
	t.Parallel()
	var logged []string
	var mu sync.Mutex
	h := handler.New(nil)
	h.Log = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, fmt.Sprintf(format, args...))
	}
	h.Refine = func([]byte) ([]byte, *engine.Error) { panic("secret detail in panic") }
	h.Recommendation = func([]byte) ([]byte, *engine.Error) {
		var m map[string]int
		//lint:ignore SA5000 a deliberate runtime error (not a string panic) that the handler must recover
		m["x"]++
		return nil, nil
	}
	h.Catalog = func() []byte { panic(fmt.Errorf("catalog broken")) }
	for _, c := range []struct{ method, path string }{
		{"POST", "/api/v1/refine"}, {"POST", "/api/v1/recommendation"}, {"GET", "/api/v1/catalog"},
	} {
		call := c.method + " " + c.path + " (panicking engine)"
		w := do(h, c.method, c.path, []byte("{}"))
		checkError(t, call, w, 500, engine.CodeInternal)
		if strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "broken") || strings.Contains(w.Body.String(), "nil map") {
			t.Errorf("%s: the panic value reached the client: %s", call, w.Body.String())
		}
	}
	if len(logged) != 3 {
		t.Errorf("logged %d panics, want 3: %q", len(logged), logged)
	}

	// a static handler that panics after writing: the answer is not rewritten
	h2 := handler.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		io.WriteString(w, "partial")
		panic(http.ErrAbortHandler)
	}))
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("static handler's ErrAbortHandler: recovered %v, want it passed on to net/http", v)
			}
		}()
		do(h2, "GET", "/x", nil)
	}()
}

// TestPanicAfterWrite: an engine answer already under way is not followed by a
// second, error answer.
func TestPanicAfterWrite(t *testing.T) {
	t.Parallel()
	h := handler.New(nil)
	h.Log = func(string, ...any) {}
	h.Catalog = func() []byte { return []byte("{}\n") }
	// Panic in the writer itself, after the header went out.
	w := &panickyWriter{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/catalog", nil))
	if w.Code != 200 || w.headers != 1 {
		t.Errorf("panic while writing the body: status %d after %d WriteHeader calls, want 200 after 1", w.Code, w.headers)
	}
}

type panickyWriter struct {
	*httptest.ResponseRecorder
	headers int
}

func (p *panickyWriter) WriteHeader(code int) {
	p.headers++
	p.ResponseRecorder.WriteHeader(code)
}

func (p *panickyWriter) Write([]byte) (int, error) { panic("connection exploded") }

// TestArticle: the refine route answers the article's example with the engine's
// bytes (the contract's worked example).
func TestArticle(t *testing.T) {
	t.Parallel()
	body := articleRequest(t)
	want, e := engine.HandleRefine(body)
	if e != nil {
		t.Fatalf("engine.HandleRefine(article) = %s", e.JSON())
	}
	w := do(handler.New(nil), "POST", "/api/v1/refine", body)
	if w.Code != 200 {
		t.Fatalf("POST /api/v1/refine (article): status %d; body %s", w.Code, clip(w.Body.Bytes()))
	}
	checkJSONHeaders(t, "POST /api/v1/refine", w.Result().Header)
	if !bytes.Equal(w.Body.Bytes(), want) {
		t.Errorf("POST /api/v1/refine (article) differs from engine.HandleRefine:\n%s\nwant\n%s", w.Body.Bytes(), want)
	}
	var resp struct {
		RecommendedAction string `json:"recommendedAction"`
		RecommendedPolicy struct {
			Statement []struct {
				Action []string `json:"Action"`
			} `json:"Statement"`
		} `json:"recommendedPolicy"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.RecommendedAction != "CREATE_POLICY" {
		t.Errorf("recommendedAction %q, want CREATE_POLICY", resp.RecommendedAction)
	}
	wantActions := [][]string{
		{"lambda:Invoke*"},
		{"s3:GetAccess*", "s3:GetAccountPublicAccessBlock", "s3:GetDataAccess", "s3:GetJobTagging",
			"s3:GetMulti*", "s3:GetObject*", "s3:GetStorage*", "s3:List*"},
	}
	if got := resp.RecommendedPolicy.Statement; len(got) != 2 ||
		fmt.Sprint(got[0].Action) != fmt.Sprint(wantActions[0]) || fmt.Sprint(got[1].Action) != fmt.Sprint(wantActions[1]) {
		t.Errorf("recommended statements %v, want actions %v", got, wantActions)
	}
}

// TestCheck: the check route answers with the engine's bytes: an edit of the
// article's refinement that lets an unused action back in is caught.
func TestCheck(t *testing.T) {
	t.Parallel()
	refined, e := engine.HandleRefine([]byte(`{"policy": ` + string(readFile(t, "testdata/article-policy.json")) + `, "findings": ` + string(readFile(t, "testdata/article-findings.json")) + `}`))
	if e != nil {
		t.Fatal(e)
	}
	var answer struct {
		RecommendedPolicy json.RawMessage `json:"recommendedPolicy"`
	}
	if err := json.Unmarshal(refined, &answer); err != nil {
		t.Fatal(err)
	}
	candidate := bytes.Replace(answer.RecommendedPolicy, []byte(`"lambda:Invoke*"`), []byte(`"lambda:Invoke*", "lambda:AddPermission"`), 1)
	body := []byte(`{"policy": ` + string(readFile(t, "testdata/article-policy.json")) + `, "findings": ` + string(readFile(t, "testdata/article-findings.json")) + `, "candidate": ` + string(candidate) + `}`)
	w := do(handler.New(nil), "POST", "/api/v1/check", body)
	want, e := engine.HandleCheck(body)
	if e != nil || w.Code != 200 || !bytes.Equal(w.Body.Bytes(), want) {
		t.Fatalf("POST /api/v1/check: %d %s\nwant %s (%v)", w.Code, clip(w.Body.Bytes()), clip(want), e)
	}
	var got engine.CheckResponse
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if c := got.Checks[0]; c.Verdict != engine.VerdictNotExact || len(c.OverPermissive) != 1 || c.OverPermissive[0].Action != "lambda:AddPermission" || c.OverPermissive[0].Why != "unused" {
		t.Errorf("check = %+v", c)
	}
}

// TestRecommendation: the recommendation route answers in the shape of
// get-finding-recommendation, with the engine's bytes.
func TestRecommendation(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteString(`{"policies": [{"existingPolicyId": "arn:aws:iam::123456789012:policy/MyPolicy", "document": `)
	b.Write(readFile(t, "testdata/article-policy.json"))
	b.WriteString(`}], "findings": `)
	b.Write(readFile(t, "testdata/article-findings.json"))
	b.WriteString(`, "catalog": `)
	b.Write(readFile(t, "../../../engine/testdata/catalog-2024-08-31.json"))
	b.WriteString("}")
	body := b.Bytes()
	w := do(handler.New(nil), "POST", "/api/v1/recommendation", body)
	if w.Code != 200 {
		t.Fatalf("POST /api/v1/recommendation: status %d; body %s", w.Code, clip(w.Body.Bytes()))
	}
	want, _ := engine.HandleRecommendation(body)
	if !bytes.Equal(withoutTimes(w.Body.Bytes()), withoutTimes(want)) {
		t.Errorf("POST /api/v1/recommendation differs from engine.HandleRecommendation:\n%s\nwant\n%s", w.Body.Bytes(), want)
	}
	var resp struct {
		RecommendationType string `json:"recommendationType"`
		Status             string `json:"status"`
		RecommendedSteps   []struct {
			Step struct {
				RecommendedAction string `json:"recommendedAction"`
				ExistingPolicyID  string `json:"existingPolicyId"`
				RecommendedPolicy string `json:"recommendedPolicy"`
			} `json:"unusedPermissionsRecommendedStep"`
		} `json:"recommendedSteps"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.RecommendationType != "UNUSED_PERMISSION_RECOMMENDATION" || resp.Status != "SUCCEEDED" || len(resp.RecommendedSteps) != 2 {
		t.Fatalf("recommendation = %s", clip(w.Body.Bytes()))
	}
	step := resp.RecommendedSteps[0].Step
	if step.RecommendedAction != "CREATE_POLICY" || step.ExistingPolicyID != "arn:aws:iam::123456789012:policy/MyPolicy" || !json.Valid([]byte(step.RecommendedPolicy)) {
		t.Errorf("recommended step = %+v", step)
	}
	if step := resp.RecommendedSteps[1].Step; step.RecommendedAction != "DETACH_POLICY" || step.ExistingPolicyID != "arn:aws:iam::123456789012:policy/MyPolicy" || step.RecommendedPolicy != "" {
		t.Errorf("second step = %+v, want DETACH_POLICY of the same policy", step)
	}
}

// answerTimes matches the two times of a recommendation, the clock's own.
var answerTimes = regexp.MustCompile(`"(startedAt|completedAt)": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"`)

// withoutTimes blanks the times of a recommendation, so two answers made at
// different moments compare byte for byte.
func withoutTimes(b []byte) []byte { return answerTimes.ReplaceAll(b, []byte(`"$1": "…"`)) }

// nested returns a JSON text nested n arrays deep.
func nested(n int) []byte {
	return append(bytes.Repeat([]byte("["), n), bytes.Repeat([]byte("]"), n)...)
}

// Bad bodies: each is refused by the engine with a 4xx JSON error; the field
// errors with their own code (api.md: 400 for each).
var badBodyTests = []struct {
	name string
	body []byte
	code string // "" when any 4xx error code will do
}{
	{"empty", []byte(""), ""},
	{"malformed", []byte(`{"policy": {`), engine.CodeInvalidJSON},
	{"not an object", []byte(`[1, 2, 3]`), ""},
	{"null", []byte(`null`), ""},
	{"trailing garbage", []byte(`{"policy": {"Version": "2012-10-17", "Statement": []}, "findings": []} x`), ""},
	{"non-UTF-8 in a string", []byte("{\"policy\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:Get\xff\xfe\", \"Resource\": \"*\"}]}, \"findings\": []}"), ""},
	{"non-UTF-8 bytes", []byte{0xff, 0xfe, '{', '}'}, ""},
	{"UTF-16", []byte("\xff\xfe{\x00}\x00"), ""},
	{"deeply nested arrays", nested(1 << 20), ""},
	{"deeply nested policy", append(append([]byte(`{"policy": `), nested(100000)...), []byte(`, "findings": []}`)...), ""},
	{"deeply nested findings", append(append([]byte(`{"policy": {"Version": "2012-10-17", "Statement": []}, "findings": `), nested(100000)...), '}'), ""},
	{"missing policy", []byte(`{"findings": []}`), ""},
	{"policy not service:action", []byte(`{"policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3GetObject", "Resource": "*"}]}, "findings": []}`), engine.CodeInvalidPolicy},
	{"policy text broken", []byte(`{"policy": "{\"Version\": \"2012-10-17\", \"Statement\": [", "findings": []}`), ""},
	{"findings not a list", []byte(`{"policy": {"Version": "2012-10-17", "Statement": []}, "findings": 42}`), engine.CodeInvalidFindings},
	{"catalog not an object", []byte(`{"policy": {"Version": "2012-10-17", "Statement": []}, "findings": [], "catalog": ["s3"]}`), engine.CodeInvalidCatalog},
	{"unknown granularity", []byte(`{"policy": {"Version": "2012-10-17", "Statement": []}, "findings": [], "options": {"granularity": "syllable"}}`), engine.CodeInvalidOptions},
}

func TestBadBodies(t *testing.T) {
	t.Parallel()
	h := handler.New(nil)
	article := articleRequest(t)
	tests := badBodyTests
	for _, n := range []int{1, len(article) / 3, len(article) / 2, len(article) - 1} {
		tests = append(tests, struct {
			name string
			body []byte
			code string
		}{fmt.Sprintf("article truncated to %d bytes", n), article[:n], ""})
	}
	for _, tt := range tests {
		for _, path := range []string{"/api/v1/refine", "/api/v1/recommendation"} {
			if path == "/api/v1/recommendation" && tt.code != "" && tt.code != engine.CodeInvalidJSON {
				continue // a refine-shaped body: the recommendation route's codes differ
			}
			call := fmt.Sprintf("POST %s (%s)", path, tt.name)
			w := do(h, "POST", path, tt.body)
			if w.Code < 400 || w.Code > 499 {
				t.Errorf("%s: status %d, want 4xx; body %s", call, w.Code, clip(w.Body.Bytes()))
			}
			checkError(t, call, w, w.Code, tt.code)
		}
	}
}

// TestParallel: 200 concurrent requests over a real server get identical answers.
func TestParallel(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(handler.New(nil))
	defer srv.Close()
	body := articleRequest(t)
	const n = 200
	type answer struct {
		status int
		body   []byte
		err    error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := srv.Client().Post(srv.URL+"/api/v1/refine", "application/json", bytes.NewReader(body))
			if err != nil {
				answers[i].err = err
				return
			}
			defer resp.Body.Close()
			answers[i].status = resp.StatusCode
			answers[i].body, answers[i].err = io.ReadAll(resp.Body)
		})
	}
	wg.Wait()
	for i, a := range answers {
		if a.err != nil {
			t.Fatalf("request %d: %v", i, a.err)
		}
		if a.status != answers[0].status || !bytes.Equal(a.body, answers[0].body) {
			t.Fatalf("request %d: status %d, %d bytes; request 0: status %d, %d bytes", i, a.status, len(a.body), answers[0].status, len(answers[0].body))
		}
	}
	if answers[0].status != 200 {
		t.Errorf("the %d identical answers have status %d, want 200: %s", n, answers[0].status, clip(answers[0].body))
	}
}

// TestTooComplex: a request within the size limits whose refinement would
// cost more than engine.MaxWork is refused with 422 TOO_COMPLEX, naming the
// statement (engine/worstcase_test.go searches for such shapes).
func TestTooComplex(t *testing.T) {
	t.Parallel()
	var stmts []string
	for i := range 4000 {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["*:Get%d*","s?:Get*"]}`, i))
	}
	body := []byte(`{"policy":{"Statement":[` + strings.Join(stmts, ",") + `]},"findings":["s3:GetObject"]}`)
	w := do(handler.New(nil), "POST", "/api/v1/refine", body)
	var resp struct {
		Error engine.Error `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("POST /api/v1/refine (too complex): %v in %s", err, clip(w.Body.Bytes()))
	}
	if w.Code != 422 || resp.Error.Code != engine.CodeTooComplex || !strings.HasPrefix(resp.Error.Path, "Statement[") {
		t.Errorf("POST /api/v1/refine (too complex): status %d, error %+v; want 422 TOO_COMPLEX naming a statement", w.Code, resp.Error)
	}
}

// TestBodyLengths checks that the answer does not depend on the
// Content-Length the request states, which only sizes the buffer: missing,
// exact, too small (a chunked body, a lying client) or too large.
func TestBodyLengths(t *testing.T) {
	h := handler.New(nil)
	body := articleRequest(t)
	var want []byte
	for _, tt := range []struct {
		name   string
		length int64
	}{
		{"exact", int64(len(body))},
		{"unknown", -1},
		{"zero", 0},
		{"too small", 10},
		{"too large", int64(len(body)) * 3},
	} {
		r := httptest.NewRequest("POST", "/api/v1/refine", bytes.NewReader(body))
		r.ContentLength = tt.length
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("%s Content-Length: status %d: %s", tt.name, w.Code, w.Body.Bytes())
		}
		if want == nil {
			want = w.Body.Bytes()
		} else if !bytes.Equal(w.Body.Bytes(), want) {
			t.Errorf("%s Content-Length: the answer differs from the exact one's", tt.name)
		}
	}
}
