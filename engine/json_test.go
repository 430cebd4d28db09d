package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// parseJSONErrorTests are inputs ParseJSON must refuse, with the place of the
// problem: line and column (1-based, in characters) and the JSON path of the value
// being read (a substring of the message as well).
var parseJSONErrorTests = []struct {
	in         string
	line, col  int
	path       string // the Error's Path, exactly
	msgContain string
}{
	{``, 1, 1, "", "end of input"},
	{`   `, 1, 4, "", "end of input"},
	// Truncated input: the error is at the end, inside the value being read.
	{`{"a": [1, 2`, 1, 12, "a", "end of input"},
	{`{"a": [1, 2,`, 1, 13, "a[2]", "end of input"},
	{`{"a"`, 1, 5, "", `want ':'`},
	{`{"a":`, 1, 6, "a", "end of input"},
	{`"abc`, 1, 5, "", "unterminated string"},
	{`["abc\`, 1, 7, "[0]", "unterminated string"},
	{`tru`, 1, 1, "", "want a value"},
	{`[nul]`, 1, 2, "[0]", "want a value"},
	// Trailing commas.
	{`[1,]`, 1, 4, "[1]", "character ']'"},
	{`{"a":1,}`, 1, 8, "", "want a quoted key"},
	{"{\n  \"Statement\": [\n    \"x\",\n  ]\n}", 4, 3, "Statement[1]", "character ']'"},
	// Missing separators.
	{`[1 2]`, 1, 4, "", "want ',' or ']'"},
	{`{"a":1 "b":2}`, 1, 8, "", "want ',' or '}'"},
	{`{a:1}`, 1, 2, "", "want a quoted key"},
	// Escapes.
	{`"\x"`, 1, 3, "", `invalid escape \x`},
	{`["ok", "\'"]`, 1, 10, "[1]", `invalid escape`},
	{`"\u12"`, 1, 2, "", `invalid \u escape`},
	{`"\uZZZZ"`, 1, 2, "", `invalid \u escape`},
	{`"\u+123"`, 1, 2, "", `invalid \u escape`},
	// Invalid UTF-8, inside and outside strings.
	{"\"a\xffb\"", 1, 3, "", "UTF-8"},
	{"{\"k\": \"\xc0\xaf\"}", 1, 8, "k", "UTF-8"}, // overlong '/'
	{"\"\xed\xa0\x80\"", 1, 2, "", "UTF-8"},       // an encoded surrogate
	{"\xff", 1, 1, "", "not UTF-8"},
	{"[1]\xfe", 1, 4, "", "after the end"},
	// Control characters must be escaped.
	{"\"a\tb\"", 1, 3, "", "control character 0x09"},
	{"{\"a\": \"x\ny\"}", 1, 9, "a", "control character 0x0a"},
	{"\"\x00\"", 1, 2, "", "control character 0x00"},
	// Numbers.
	{`-`, 1, 2, "", "malformed number"},
	{`[1.]`, 1, 4, "[0]", "malformed number"},
	{`1e`, 1, 3, "", "malformed number"},
	{`1e+`, 1, 4, "", "malformed number"},
	{`.5`, 1, 1, "", "want a value"},
	{`+1`, 1, 1, "", "want a value"},
	{`01`, 1, 2, "", "after the end"},
	{`[-01]`, 1, 4, "", "want ',' or ']'"},
	{`NaN`, 1, 1, "", "want a value"},
	// Trailing content.
	{`{} {}`, 1, 4, "", "after the end of the JSON value"},
	{"{}\n\n x", 3, 2, "", "after the end of the JSON value"},
	// Columns count characters, not bytes.
	{`{"é": "ü", "b": x}`, 1, 17, "b", "want a value"},
	{"[\"日本語\", tru]", 1, 9, "[1]", "want a value"},
	// Paths: keys that are not plain are quoted.
	{`{"a b": [tru]}`, 1, 10, `["a b"][0]`, "want a value"},
	{`{"Statement": [{}, {"Action": [1, }]}]`, 1, 35, "Statement[1].Action[1]", "want a value"},
}

func TestParseJSONErrors(t *testing.T) {
	for _, tt := range parseJSONErrorTests {
		v, err := ParseJSON([]byte(tt.in))
		if err == nil {
			t.Errorf("ParseJSON(%q) = %s, want an error", tt.in, AppendJSON(nil, v, ""))
			continue
		}
		if err.Code != CodeInvalidJSON || err.Line != tt.line || err.Column != tt.col || err.Path != tt.path ||
			!strings.Contains(err.Message, tt.msgContain) {
			t.Errorf("ParseJSON(%q) error = %s %d:%d path %q %q,\n\twant %s %d:%d path %q containing %q",
				tt.in, err.Code, err.Line, err.Column, err.Path, err.Message, CodeInvalidJSON, tt.line, tt.col, tt.path, tt.msgContain)
		}
		if tt.path != "" && !strings.HasPrefix(err.Message, tt.path+": ") {
			t.Errorf("ParseJSON(%q) message = %q, want it to start with the path %q", tt.in, err.Message, tt.path)
		}
		if err.Status() != 400 {
			t.Errorf("ParseJSON(%q) error status = %d, want 400", tt.in, err.Status())
		}
		if tt.in != "" && utf8.ValidString(tt.in) && json.Valid([]byte(tt.in)) {
			t.Errorf("test is wrong: encoding/json accepts %q", tt.in)
		}
	}
}

func TestParseJSONErrorString(t *testing.T) {
	_, err := ParseJSON([]byte("{\n  \"a\": [tru]\n}"))
	if err == nil {
		t.Fatal("ParseJSON accepted tru")
	}
	err.Field = "policy"
	if got, want := err.Error(), `policy: 2:9: a[0]: unexpected character 't', want a value`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseJSONDepth(t *testing.T) {
	for _, open := range []string{"[", `{"a":`} {
		close := "]"
		if open != "[" {
			close = "}"
		}
		ok := strings.Repeat(open, MaxJSONDepth) + "1" + strings.Repeat(close, MaxJSONDepth)
		if _, err := ParseJSON([]byte(ok)); err != nil {
			t.Errorf("ParseJSON(%d × %q) = %v, want success at the limit", MaxJSONDepth, open, err)
		}
		deep := strings.Repeat(open, MaxJSONDepth+1) + "1" + strings.Repeat(close, MaxJSONDepth+1)
		_, err := ParseJSON([]byte(deep))
		if err == nil {
			t.Errorf("ParseJSON(%d × %q) succeeded, want a depth error", MaxJSONDepth+1, open)
			continue
		}
		wantCol := MaxJSONDepth*len(open) + 1
		if err.Line != 1 || err.Column != wantCol || !strings.Contains(err.Message, "nested deeper") {
			t.Errorf("ParseJSON(%d × %q) error = %d:%d %q, want 1:%d nested deeper", MaxJSONDepth+1, open, err.Line, err.Column, err.Message, wantCol)
		}
	}
}

// hostileJSON are large hostile texts: deep nesting, and an unterminated
// string after 10 MB of escapes.
var hostileJSON = []struct {
	name    string
	in      []byte
	stopsAt int // the offset of the refusal: nesting stops at the limit
}{
	{"[", bytes.Repeat([]byte("["), 10<<20), MaxJSONDepth},
	{`{"a":`, bytes.Repeat([]byte(`{"a":`), 2<<20), MaxJSONDepth * 5},
	{"escapes", append([]byte(`"`), bytes.Repeat([]byte(`\\`), 5<<20)...), 1 + 10<<20},
}

// TestParseJSONHostile checks that hostile texts are refused where they go
// wrong: nesting at the depth limit, without reading the rest or exhausting
// the stack; an unterminated string at its end, in one pass
// (BenchmarkParseJSONHostile times it).
func TestParseJSONHostile(t *testing.T) {
	for _, h := range hostileJSON {
		_, err := ParseJSON(h.in)
		if err == nil {
			t.Errorf("ParseJSON(%s, %d bytes) succeeded, want an error", h.name, len(h.in))
			continue
		}
		if err.Offset != h.stopsAt {
			t.Errorf("ParseJSON(%s, %d bytes) refused at offset %d, want %d: %s", h.name, len(h.in), err.Offset, h.stopsAt, err.Message)
		}
	}
}

func BenchmarkParseJSONHostile(b *testing.B) {
	for _, h := range hostileJSON {
		b.Run(h.name, func(b *testing.B) {
			b.SetBytes(int64(len(h.in)))
			for b.Loop() {
				ParseJSON(h.in)
			}
		})
	}
}

// TestParseJSONOffsets checks the offsets of values and keys.
func TestParseJSONOffsets(t *testing.T) {
	in := `{"a": [1, "x"], "bé": {"c": null}}`
	v, err := ParseJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what     string
		got      int
		wantText string // the text at the offset
	}{
		{"doc.Off", v.Off, `{"a"`},
		{"a.Off", v.Get("a").Off, `[1, "x"]`},
		{"a[1].Off", v.Get("a").Arr[1].Off, `"x"]`},
		{"bé key", v.Obj[1].KeyOff, `"bé": {`},
		{"bé.c.Off", v.Get("bé").Get("c").Off, `null}`},
	}
	for _, c := range checks {
		if !strings.HasPrefix(in[c.got:], c.wantText) {
			t.Errorf("%s = %d (%q), want the offset of %q", c.what, c.got, in[c.got:], c.wantText)
		}
	}
	a := v.Get("a")
	if got := in[a.Off:a.End]; got != `[1, "x"]` {
		t.Errorf("a spans %q, want %q", got, `[1, "x"]`)
	}
	if got := in[v.Off:v.End]; got != in {
		t.Errorf("doc spans %q, want the whole input", got)
	}
	if v.Get("zz") != nil || v.Get("a").Get("a") != nil {
		t.Errorf("Get of a missing key or on an array is not nil")
	}
}

// TestAppendJSONIndent checks that the pretty form is what json.Indent makes of
// the same text, with the key order of the input.
func TestAppendJSONIndent(t *testing.T) {
	inputs := []string{
		`{"Version":"2012-10-17","Statement":[{"Sid":"z","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`,
		`{"z":1,"a":{"y":[],"b":{},"c":[[],[{}]]},"m":[true,false,null]}`,
		`[]`, `{}`, `"s"`, `0`, `[{"a":{"b":{"c":[1,2,3]}}}]`,
		`{"b":1,"a":2,"b":3}`, // duplicate keys are kept, in order
	}
	for _, in := range inputs {
		v, err := ParseJSON([]byte(in))
		if err != nil {
			t.Errorf("ParseJSON(%q): %v", in, err)
			continue
		}
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(in), "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := AppendJSON(nil, v, "  "); string(got) != want.String() {
			t.Errorf("AppendJSON(ParseJSON(%q), \"  \") =\n%s\nwant\n%s", in, got, want.String())
		}
		if got := AppendJSON(nil, v, ""); string(got) != in {
			t.Errorf("AppendJSON(ParseJSON(%q), \"\") = %s, want the input", in, got)
		}
	}
	// White space in the input goes; compact writing keeps the key order.
	v, err := ParseJSON([]byte(" {\n\t\"b\" : [ 1 , 2 ] ,\r\n \"a\" : { } }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(AppendJSON(nil, v, "")), `{"b":[1,2],"a":{}}`; got != want {
		t.Errorf("AppendJSON compact = %s, want %s", got, want)
	}
	if got, want := string(AppendJSON([]byte("x="), v, "")), `x={"b":[1,2],"a":{}}`; got != want {
		t.Errorf("AppendJSON appends: got %s, want %s", got, want)
	}
}

// TestAppendJSONNumbers checks that numbers are written as they were read.
func TestAppendJSONNumbers(t *testing.T) {
	for _, n := range []string{"0", "-0", "-0.0", "1e400", "-1E-400", "1.50", "0.1e+7", "123456789012345678901234567890", "2012"} {
		v, err := ParseJSON([]byte("[" + n + "]"))
		if err != nil {
			t.Errorf("ParseJSON([%s]): %v", n, err)
			continue
		}
		if v.Arr[0].Kind != KindNumber || v.Arr[0].Str != n {
			t.Errorf("ParseJSON([%s]) item = %v %q, want number %q", n, v.Arr[0].Kind, v.Arr[0].Str, n)
		}
		if got := string(AppendJSON(nil, v, "")); got != "["+n+"]" {
			t.Errorf("AppendJSON(ParseJSON([%s])) = %s, want [%s]", n, got, n)
		}
	}
}

// trickyStrings are strings whose JSON form takes care.
var trickyStrings = []string{
	"", "plain", `a"b`, `back\slash`, "/slash/",
	"<script>&amp;</script>", // not escaped: HTML escaping is off
	"\u2028 and \u2029",      // escaped, as encoding/json does
	"\x00\x01\x07\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f", "\x7f",
	"é ü 日本語 😀", "\ufffd", "\ufeffbom",
	"\xff", "a\xc0\xafb", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\xe2\x82", // invalid UTF-8
}

// TestAppendJSONStrings compares the escaping with encoding/json (HTML escaping off).
func TestAppendJSONStrings(t *testing.T) {
	for _, s := range trickyStrings {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(b.String(), "\n")
		got := string(AppendJSON(nil, strValue(s), ""))
		if got != want {
			t.Errorf("AppendJSON(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestParseJSONStrings checks decoding against encoding/json, including escapes
// and lone surrogates (which become U+FFFD).
func TestParseJSONStrings(t *testing.T) {
	for _, in := range []string{
		`"plain"`, `"\"\\\/\b\f\n\r\t"`, `"\u0041\u00e9\u65e5"`, `"\uD83D\uDE00"`, `"\ud83d\ude00"`,
		`"\ud800"`, `"\udc00x"`, `"\ud800\u0041"`, `"\ud800\ud800"`, `"\ude00\ud83d"`, `"\u0000"`,
		`"\u2028"`, `"é日本"`, `"\uFFFF"`,
	} {
		var want string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("encoding/json refuses %s: %v", in, err)
		}
		v, err := ParseJSON([]byte(in))
		if err != nil {
			t.Errorf("ParseJSON(%s): %v", in, err)
			continue
		}
		if v.Kind != KindString || v.Str != want {
			t.Errorf("ParseJSON(%s) = %v %q, want string %q", in, v.Kind, v.Str, want)
		}
	}
}

// jsonTokens lists the tokens of v the way encoding/json's Decoder.Token with
// UseNumber gives them, to compare the two parsers.
func jsonTokens(v *Value, out []json.Token) []json.Token {
	switch v.Kind {
	case KindNull:
		return append(out, nil)
	case KindBool:
		return append(out, v.Str == "true")
	case KindNumber:
		return append(out, json.Number(v.Str))
	case KindString:
		return append(out, v.Str)
	case KindArray:
		out = append(out, json.Delim('['))
		for _, item := range v.Arr {
			out = jsonTokens(item, out)
		}
		return append(out, json.Delim(']'))
	}
	out = append(out, json.Delim('{'))
	for _, m := range v.Obj {
		out = append(out, m.Key)
		out = jsonTokens(m.Val, out)
	}
	return append(out, json.Delim('}'))
}

// stdTokens reads all tokens of text with encoding/json.
func stdTokens(text []byte) ([]json.Token, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var out []json.Token
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, tok)
	}
}

func TestParseJSONAgreesWithEncodingJSON(t *testing.T) {
	in := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*"],"Condition":{"Bool":{"aws:SecureTransport":"true"},"NumericLessThan":{"n":[1.5e3,-0,null,false]}}}],"Id":"\u00e9\n"}`
	v, err := ParseJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want, serr := stdTokens([]byte(in))
	if serr != nil {
		t.Fatal(serr)
	}
	got := jsonTokens(v, nil)
	if !tokensEqual(got, want) {
		t.Errorf("ParseJSON tokens = %v,\nencoding/json gives %v", got, want)
	}
}

func tokensEqual(a, b []json.Token) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
