package engine

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var prettyTests = []struct{ in, want string }{
	{`{}`, "{}\n"},
	{`[]`, "[]\n"},
	{`"a<b>&"`, "\"a<b>&\"\n"},
	{` {"b":1,"a":[1.50,"x",null,true,false,{}]} `, "{\n  \"b\": 1,\n  \"a\": [\n    1.50,\n    \"x\",\n    null,\n    true,\n    false,\n    {}\n  ]\n}\n"},
	{`{"k":"\u0041\n","k":2}`, "{\n  \"k\": \"A\\n\",\n  \"k\": 2\n}\n"},
	{`"\u2028\ud800é"`, "\"\\u2028\ufffdé\"\n"},
	{`[[{"a":[]}]]`, "[\n  [\n    {\n      \"a\": []\n    }\n  ]\n]\n"},
}

// prettyRefused: not JSON, and JSON the engine refuses (invalid UTF-8,
// nesting deeper than MaxJSONDepth), which encoding/json would accept.
var prettyRefused = []string{
	``, `{`, `{"a":1}x`, `[1,]`, `01`,
	"[\"\xff\"]",
	strings.Repeat("[", MaxJSONDepth+1) + strings.Repeat("]", MaxJSONDepth+1),
}

func TestPretty(t *testing.T) {
	for _, tt := range prettyTests {
		got, err := Pretty([]byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("Pretty(%#q) = %#q, %v, want %#q", tt.in, got, err, tt.want)
		}
	}
	deepest := strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth)
	if _, err := Pretty([]byte(deepest)); err != nil {
		t.Errorf("Pretty(%d nested arrays): %v, want them accepted", MaxJSONDepth, err)
	}
	for _, bad := range prettyRefused {
		if got, err := Pretty([]byte(bad)); err == nil || err.Code != CodeInvalidJSON || err.Line < 1 {
			t.Errorf("Pretty(%.80q) = %#q, %v, want an INVALID_JSON error with its place", bad, got, err)
		}
	}
}

// depth is the deepest nesting of arrays and objects in the valid JSON text src.
func depth(src []byte) int {
	d := json.NewDecoder(bytes.NewReader(src))
	n, deepest := 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			return deepest
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			n++
			deepest = max(deepest, n)
		case json.Delim(']'), json.Delim('}'):
			n--
		}
	}
}

// FuzzPretty checks Pretty against encoding/json: it accepts exactly the valid
// JSON texts that are UTF-8 and nest at most MaxJSONDepth deep (what the engine
// reads), its output decodes to the same value with the keys in the same
// order, and it is idempotent.
func FuzzPretty(f *testing.F) {
	for _, tt := range prettyTests {
		f.Add([]byte(tt.in))
	}
	for _, bad := range prettyRefused {
		f.Add([]byte(bad))
	}
	f.Add([]byte(`{"a":"\u2028\ud800 <>&é","b":-0.5e+10,"c":[[],{}]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		got, err := Pretty(src)
		accept := json.Valid(src) && utf8.Valid(src) && depth(src) <= MaxJSONDepth
		if accept != (err == nil) {
			t.Fatalf("Pretty(%q): error %v, but json.Valid = %v, utf8.Valid = %v, depth %d",
				src, err, json.Valid(src), utf8.Valid(src), depth(src))
		}
		if err != nil {
			return
		}
		decode := func(text []byte) (any, error) {
			d := json.NewDecoder(bytes.NewReader(text))
			d.UseNumber()
			var v any
			return v, d.Decode(&v)
		}
		a, _ := decode(src)
		if b, err := decode(got); err != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("Pretty(%q) = %q: not the same value (%v)", src, got, err)
		}
		if want, serr := stdTokens(src); serr == nil {
			if have, _ := stdTokens(got); !tokensEqual(have, want) {
				t.Fatalf("Pretty(%q) = %q: not the same keys and values in order", src, got)
			}
		}
		if again, _ := Pretty(got); !bytes.Equal(again, got) {
			t.Fatalf("Pretty is not idempotent on %q", src)
		}
	})
}

// TestPrettyAnswers: the refined policy of every golden refinement, as the
// engine answers it, is laid out alike by Response.PrettyPolicy (from the
// refined document), by Pretty (from the compact text) and by json.Indent.
func TestPrettyAnswers(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.request.json")
	n := 0
	for _, file := range files {
		name := filepath.Base(file)
		if strings.HasPrefix(name, "error-") || strings.HasPrefix(name, "check-") || strings.HasPrefix(name, "recommendation-") {
			continue
		}
		req, err := ParseRequest(mustRead(t, file))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		resp := Respond(req)
		if resp.RecommendedAction == ActionDetach {
			if p := resp.PrettyPolicy(); p != nil {
				t.Errorf("%s: PrettyPolicy() = %s for %s, want nil", name, p, ActionDetach)
			}
			continue
		}
		got, err := Pretty(resp.RecommendedPolicy)
		var want bytes.Buffer
		if jerr := json.Indent(&want, resp.RecommendedPolicy, "", "  "); err != nil || jerr != nil || string(got) != want.String()+"\n" {
			t.Errorf("%s: Pretty(%s) = %s, %v, want %s (%v)", name, resp.RecommendedPolicy, got, err, want.String(), jerr)
		}
		if p := resp.PrettyPolicy(); !bytes.Equal(p, got) {
			t.Errorf("%s: PrettyPolicy() = %s, want %s", name, p, got)
		}
		n++
	}
	if n < 5 {
		t.Fatalf("%d golden refinements, want the whole set", n)
	}
	var decoded Response
	if err := json.Unmarshal([]byte(`{"recommendedPolicy":{"Statement":[]}}`), &decoded); err != nil || decoded.PrettyPolicy() != nil {
		t.Errorf("PrettyPolicy of a decoded answer = %s, %v; want nil", decoded.PrettyPolicy(), err)
	}
}
