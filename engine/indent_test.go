package engine

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestIndentCompact checks indentCompact against json.Indent on a table of
// shapes: empty containers, nesting, strings holding the structural bytes
// and escaped quotes, and what follows the value.
func TestIndentCompact(t *testing.T) {
	for _, src := range []string{
		`{}`, `[]`, `{"a":[]}`, `{"a":{},"b":[{}]}`, `[1,2,[3,[]]]`, `"x"`, `12.5e3`, `null`,
		`{"k,:{}[]":"v\"]}\\","e":"\\"}`, `[{"a":{"b":{"c":[true,false,null]}}}]` + "\n",
		`{"a":"\u00e9<>&"}`, `[[],[[]],{}]`,
	} {
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(src), "", "  "); err != nil {
			t.Fatalf("json.Indent(%#q): %v", src, err)
		}
		if got := indentCompact(nil, []byte(src)); string(got) != want.String() {
			t.Errorf("indentCompact(%#q) =\n%s\nwant\n%s", src, got, want.String())
		}
	}
}

// FuzzIndentCompact checks that indentCompact indents every compact JSON
// text exactly as json.Indent does.
func FuzzIndentCompact(f *testing.F) {
	for _, s := range []string{`{"a":[1,{}],"b":"\"}"}`, `[]`, `[[{"":""}]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var compact, want bytes.Buffer
		if json.Compact(&compact, in) != nil {
			return
		}
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatalf("json.Indent of a compacted text: %v", err)
		}
		if got := indentCompact(nil, compact.Bytes()); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("indentCompact(%#q) =\n%s\nwant\n%s", compact.Bytes(), got, want.Bytes())
		}
	})
}

func BenchmarkMarshalIndent(b *testing.B) {
	p, f := articleInputs(b)
	res := Respond(&Request{Policy: p, Findings: f, Catalog: catalog2024(b)})
	b.ReportAllocs()
	for b.Loop() {
		marshalIndent(res)
	}
}
