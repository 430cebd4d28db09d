package engine

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
)

// encodingJSON is what encoding/json writes for v: json.Encoder with
// SetEscapeHTML(false) and SetIndent("", "  "), the answers' form.
func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Strings that exercise escaping: quotes, backslashes, control characters,
// HTML characters (not escaped), U+2028 and U+2029, invalid UTF-8, non-ASCII.
var fillStrings = []string{"", "s3:GetObject", `a"b`, `back\slash`, "line\nfeed\ttab\r\b\f\x01\x1f", "<a&b>", "\u2028\u2029",
	"\xff\xfebad", "é ü 漢字", "Statement[1].Action[0]", "ec2:Describe*", "{}", " spaced out "}

// Raw JSON texts for json.RawMessage fields: compact as the engine makes
// them, and indented as a decoded answer holds them.
var fillRaw = []string{"null", "{}", "[]", `"x"`, "12", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*"],"Resource":"*"}]}`,
	`{"a":{},"b":[],"c":[{"d":"e\"f"},1,true,null]}`, "{\n  \"a\": [1, 2],\n  \"b\": \"c d\"\n}", `[{"k":"v:w, x"}]`}

// fill sets every exported field reachable from v to random values: nil and
// empty slices, maps and pointers as well as full ones.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		if r.IntN(4) == 0 {
			b := make([]byte, r.IntN(12))
			for i := range b {
				b[i] = byte(r.IntN(256))
			}
			v.SetString(string(b))
			return
		}
		v.SetString(fillStrings[r.IntN(len(fillStrings))])
	case reflect.Int:
		v.SetInt(int64(r.IntN(200_000) - 100_000))
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			if k := r.IntN(len(fillRaw) + 1); k < len(fillRaw) {
				v.SetBytes([]byte(fillRaw[k]))
			}
			return
		}
		switch k := r.IntN(4); {
		case k == 0 || depth > 4:
			v.SetZero() // nil
		case k == 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			n := 1 + r.IntN(3)
			s := reflect.MakeSlice(v.Type(), n, n)
			for i := range n {
				fill(r, s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Map:
		switch k := r.IntN(3); k {
		case 0:
			v.SetZero()
		default:
			m := reflect.MakeMap(v.Type())
			for range r.IntN(4) {
				key, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fill(r, key, depth+1)
				fill(r, val, depth+1)
				m.SetMapIndex(key, val)
			}
			v.Set(m)
		}
	case reflect.Pointer:
		if r.IntN(3) == 0 || depth > 4 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(r, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth)
			}
		}
	default:
		panic("fill: " + v.Type().String())
	}
}

// TestWriteJSONAsEncodingJSON: every answer type writes what encoding/json
// writes for it, byte for byte, on random values (and a field added to a type
// but not to its writeJSON shows here).
func TestWriteJSONAsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, typ := range []reflect.Type{reflect.TypeFor[Response](), reflect.TypeFor[Recommendation](),
		reflect.TypeFor[CheckResponse](), reflect.TypeFor[CatalogInfo]()} {
		for i := range 3000 {
			p := reflect.New(typ)
			if i > 0 { // the first: the zero value
				fill(r, p.Elem(), 0)
			}
			v := p.Interface()
			if typ == reflect.TypeFor[CatalogInfo]() {
				v = p.Elem().Interface() // as HandleCatalog passes it
			}
			if _, ok := v.(writable); !ok {
				t.Fatalf("%s does not write itself", typ)
			}
			got, want := marshalIndent(v), encodingJSON(t, v)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, value %d: writeJSON wrote\n%s\nencoding/json writes\n%s", typ, i, got, want)
			}
		}
	}
}

// BenchmarkAnswerJSON is the answer of the role's recommendation written by
// writeJSON and by encoding/json (with indentCompact, as marshalIndent was).
func BenchmarkAnswerJSON(b *testing.B) {
	body, err := os.ReadFile("testdata/golden/recommendation-role-action-level.request.json")
	if err != nil {
		b.Fatal(err)
	}
	rr, perr := ParseRecommendationRequest(body)
	if perr != nil {
		b.Fatal(err)
	}
	rec := (&Session{}).Recommend(rr, goldenClock)
	b.Run("writeJSON", func(b *testing.B) {
		for b.Loop() {
			marshalIndent(rec)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(rec); err != nil {
				b.Fatal(err)
			}
			indentCompact(nil, buf.Bytes())
		}
	})
}
