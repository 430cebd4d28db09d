package engine

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxJSONDepth is the deepest nesting of arrays and objects accepted. A policy
// nests about six levels (Statement, a statement, Condition, an operator, a key,
// its values) and a request adds two; 64 leaves room for anything real while a
// hostile "[[[[…" cannot exhaust the stack.
const MaxJSONDepth = 64

// Kind is the kind of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindArray
	KindObject
)

var kindNames = [...]string{"null", "boolean", "number", "string", "array", "object"}

func (k Kind) String() string { return kindNames[k] }

// Value is a parsed JSON value that remembers where it came from and keeps the
// order of object keys, so a policy can be written back as the user wrote it.
type Value struct {
	Kind Kind
	Str  string   // a string's value, a number's text, "true"/"false"
	Arr  []*Value // array items
	Obj  []Member // object members, in input order
	Off  int      // byte offset of the value in the parsed text (-1 for made values)
	End  int      // byte offset just past the value
	// skipped: an array or object left unread because its text is known to
	// be valid (see jsonParser.skip); Arr and Obj are empty.
	skipped bool
}

// Member is one key and value of an object.
type Member struct {
	Key    string
	KeyOff int
	Val    *Value
}

// Get returns the value of the first member named key, or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != KindObject {
		return nil
	}
	for _, m := range v.Obj {
		if m.Key == key {
			return m.Val
		}
	}
	return nil
}

// describe names a value for messages: `string "x"`, `number 3`, `array`.
func (v *Value) describe() string {
	switch v.Kind {
	case KindString:
		return fmt.Sprintf("string %q", clip(v.Str, 60))
	case KindNumber, KindBool:
		return v.Kind.String() + " " + v.Str
	}
	return v.Kind.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ParseJSON parses text as one JSON value. Errors are *Error with code
// INVALID_JSON, the byte offset of the problem, its line and column, and the JSON
// path of the value being read. Input must be UTF-8; nesting deeper than
// [MaxJSONDepth] is refused.
func ParseJSON(text []byte) (*Value, *Error) {
	return (&jsonParser{text: text}).parse()
}

// parse reads p.text as one JSON value.
func (p *jsonParser) parse() (*Value, *Error) {
	text := p.text
	p.skipSpace()
	v := p.value(0)
	if p.err == nil {
		p.skipSpace()
		if p.pos < len(p.text) {
			p.fail("unexpected %s after the end of the JSON value", p.what())
		}
	}
	if p.err != nil {
		return nil, p.err.Locate(text)
	}
	return v, nil
}

type jsonParser struct {
	text []byte
	pos  int
	path []pathSeg
	err  *Error
	// skip, when set, is asked about each member of the top object whose
	// value is an array or an object: when it returns the end of the value
	// (past at), the value is known to be valid JSON and is not read (see
	// parseBody).
	skip func(key string, text []byte, at int) (end int)

	// The values, members and items of one parse are cut from a few large
	// blocks instead of one allocation each (and an object's members from
	// growing slices): a 55 KB request made about 3,000 allocations for its
	// tree, which in the Worker's WebAssembly cost time and collections.
	// members and items are stacks of the objects and arrays being read.
	values  []Value
	members []Member
	items   []*Value
	memberB []Member
	itemB   []*Value
}

// pop returns the top of stack, from base, as a list cut from block, and takes
// it off the stack (cleared: no stale pointers kept there).
func pop[T any](stack *[]T, base int, block *[]T) []T {
	list := cutFrom(block, (*stack)[base:])
	clear((*stack)[base:])
	*stack = (*stack)[:base]
	return list
}

// parseBlock is the most values, members or items a block holds.
const parseBlock = 256

// newValue returns a new value of the parse, set to v.
func (p *jsonParser) newValue(v Value) *Value {
	if len(p.values) == cap(p.values) {
		p.values = make([]Value, 0, min(2*cap(p.values)+8, parseBlock))
	}
	p.values = append(p.values, v)
	return &p.values[len(p.values)-1]
}

// cutFrom returns a copy of list from block (made anew when full), capped at its
// length, so that an append to it copies it rather than overwrite the next.
func cutFrom[T any](block *[]T, list []T) []T {
	if len(list) == 0 {
		return nil
	}
	if cap(*block)-len(*block) < len(list) {
		*block = make([]T, 0, max(len(list), min(2*cap(*block)+8, parseBlock)))
	}
	at := len(*block)
	*block = append(*block, list...)
	return (*block)[at:len(*block):len(*block)]
}

type pathSeg struct {
	key   string
	index int // -1 for keys
}

// formatPath writes a JSON path the way messages show it: Statement[1].Action[0].
func formatPath(segs []pathSeg) string {
	var b strings.Builder
	for _, s := range segs {
		if s.index >= 0 {
			fmt.Fprintf(&b, "[%d]", s.index)
			continue
		}
		if isPlainKey(s.key) {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		} else {
			b.WriteString("[" + strconv.Quote(s.key) + "]")
		}
	}
	return b.String()
}

func isPlainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c == '-' || c == ':' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func (p *jsonParser) fail(format string, args ...any) {
	if p.err != nil {
		return
	}
	p.err = errorAt(CodeInvalidJSON, "", formatPath(p.path), p.pos, format, args...)
}

// what names the input at p.pos for an error message.
func (p *jsonParser) what() string {
	if p.pos >= len(p.text) {
		return "end of input"
	}
	r, size := utf8.DecodeRune(p.text[p.pos:])
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("byte 0x%02x (not UTF-8)", p.text[p.pos])
	}
	return fmt.Sprintf("character %q", r)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.text) {
		switch p.text[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) *Value {
	v := p.value1(depth)
	if v != nil {
		v.End = p.pos
	}
	return v
}

func (p *jsonParser) value1(depth int) *Value {
	if p.pos >= len(p.text) {
		p.fail("unexpected end of input, want a value")
		return nil
	}
	start := p.pos
	switch c := p.text[p.pos]; {
	case c == '{':
		if depth >= MaxJSONDepth {
			p.fail("nested deeper than %d levels", MaxJSONDepth)
			return nil
		}
		return p.object(depth + 1)
	case c == '[':
		if depth >= MaxJSONDepth {
			p.fail("nested deeper than %d levels", MaxJSONDepth)
			return nil
		}
		return p.array(depth + 1)
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil
		}
		return p.newValue(Value{Kind: KindString, Str: s, Off: start})
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true", KindBool)
	case c == 'f':
		return p.literal("false", KindBool)
	case c == 'n':
		return p.literal("null", KindNull)
	}
	p.fail("unexpected %s, want a value", p.what())
	return nil
}

func (p *jsonParser) literal(word string, k Kind) *Value {
	if !strings.HasPrefix(string(p.text[p.pos:min(len(p.text), p.pos+len(word))]), word) {
		p.fail("unexpected %s, want a value", p.what())
		return nil
	}
	v := p.newValue(Value{Kind: k, Str: word, Off: p.pos})
	if k == KindNull {
		v.Str = ""
	}
	p.pos += len(word)
	return v
}

func (p *jsonParser) number() *Value {
	start := p.pos
	t := p.text
	i := p.pos
	if i < len(t) && t[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(t) && t[i] == '0':
		i++
	case digits() == 0:
		p.pos = i
		p.fail("malformed number")
		return nil
	}
	if i < len(t) && t[i] == '.' {
		i++
		if digits() == 0 {
			p.pos = i
			p.fail("malformed number")
			return nil
		}
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		if digits() == 0 {
			p.pos = i
			p.fail("malformed number")
			return nil
		}
	}
	p.pos = i
	return p.newValue(Value{Kind: KindNumber, Str: string(t[start:i]), Off: start})
}

// str reads a string at p.pos (which holds '"').
func (p *jsonParser) str() (string, bool) {
	t := p.text
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes (and UTF-8 checked apart only past ASCII).
	var high byte
	for i := start; i < len(t); i++ {
		c := t[i]
		if c == '"' {
			if high >= utf8.RuneSelf && !utf8.Valid(t[start:i]) {
				break
			}
			p.pos = i + 1
			return string(t[start:i]), true
		}
		if c == '\\' || c < 0x20 {
			break
		}
		high |= c
	}
	var b strings.Builder
	for {
		if p.pos >= len(t) {
			p.fail("unterminated string")
			return "", false
		}
		c := t[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), true
		case c < 0x20:
			p.fail("control character 0x%02x in string (escape it)", c)
			return "", false
		case c == '\\':
			if p.pos+1 >= len(t) {
				p.pos++
				p.fail("unterminated string")
				return "", false
			}
			e := t[p.pos+1]
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, n, ok := p.unicodeEscape(p.pos)
				if !ok {
					return "", false
				}
				b.WriteRune(r)
				p.pos += n
				continue
			default:
				p.pos++
				p.fail("invalid escape \\%c in string", e)
				return "", false
			}
			p.pos += 2
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(t[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				p.fail("invalid UTF-8 byte 0x%02x in string", c)
				return "", false
			}
			b.WriteRune(r)
			p.pos += size
		}
	}
}

// unicodeEscape decodes \uXXXX (and a following low surrogate) at i.
func (p *jsonParser) unicodeEscape(i int) (rune, int, bool) {
	hex := func(at int) (rune, bool) {
		if at+6 > len(p.text) || p.text[at] != '\\' || p.text[at+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(p.text[at+2:at+6]), 16, 16)
		return rune(v), err == nil
	}
	r, ok := hex(i)
	if !ok {
		p.pos = i
		p.fail("invalid \\u escape in string")
		return 0, 0, false
	}
	if utf16.IsSurrogate(r) {
		if r2, ok := hex(i + 6); ok {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, 12, true
			}
		}
		return utf8.RuneError, 6, true
	}
	return r, 6, true
}

func (p *jsonParser) object(depth int) *Value {
	v := p.newValue(Value{Kind: KindObject, Off: p.pos})
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.text) && p.text[p.pos] == '}' {
		p.pos++
		return v
	}
	base := len(p.members)
	for {
		if p.pos >= len(p.text) || p.text[p.pos] != '"' {
			p.fail("unexpected %s, want a quoted key", p.what())
			return nil
		}
		keyOff := p.pos
		key, ok := p.str()
		if !ok {
			return nil
		}
		p.skipSpace()
		if p.pos >= len(p.text) || p.text[p.pos] != ':' {
			p.fail("unexpected %s after key %q, want ':'", p.what(), clip(key, 40))
			return nil
		}
		p.pos++
		p.skipSpace()
		p.path = append(p.path, pathSeg{key: key, index: -1})
		val := p.skipped(key, depth)
		if val == nil {
			val = p.value(depth)
		}
		if p.err != nil {
			return nil
		}
		p.path = p.path[:len(p.path)-1]
		p.members = append(p.members, Member{Key: key, KeyOff: keyOff, Val: val})
		p.skipSpace()
		if p.pos < len(p.text) && p.text[p.pos] == ',' {
			p.pos++
			p.skipSpace()
			continue
		}
		if p.pos < len(p.text) && p.text[p.pos] == '}' {
			p.pos++
			v.Obj = pop(&p.members, base, &p.memberB)
			return v
		}
		p.fail("unexpected %s in object, want ',' or '}'", p.what())
		return nil
	}
}

// skipped returns the value of the top object's member key, at p.pos, unread
// if p.skip knows it, and moves past it; nil otherwise.
func (p *jsonParser) skipped(key string, depth int) *Value {
	if p.skip == nil || depth != 1 || p.pos >= len(p.text) {
		return nil
	}
	kind := KindObject
	switch p.text[p.pos] {
	case '{':
	case '[':
		kind = KindArray
	default:
		return nil
	}
	end := p.skip(key, p.text, p.pos)
	if end <= p.pos {
		return nil
	}
	v := p.newValue(Value{Kind: kind, Off: p.pos, End: end, skipped: true})
	p.pos = end
	return v
}

// bracketEnd returns the end of the array or object that starts at text[at],
// found by matching brackets outside strings without checking anything else:
// the end the parser finds for the value when the value is valid JSON. It
// returns -1 when the brackets do not close.
func bracketEnd(text []byte, at int) int {
	depth := 0
	for i := at; i < len(text); i++ {
		switch text[i] {
		case '"':
			for i++; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

func (p *jsonParser) array(depth int) *Value {
	v := p.newValue(Value{Kind: KindArray, Off: p.pos})
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.text) && p.text[p.pos] == ']' {
		p.pos++
		return v
	}
	base := len(p.items)
	for i := 0; ; i++ {
		p.path = append(p.path, pathSeg{index: i})
		item := p.value(depth)
		if p.err != nil {
			return nil
		}
		p.path = p.path[:len(p.path)-1]
		p.items = append(p.items, item)
		p.skipSpace()
		if p.pos < len(p.text) && p.text[p.pos] == ',' {
			p.pos++
			p.skipSpace()
			continue
		}
		if p.pos < len(p.text) && p.text[p.pos] == ']' {
			p.pos++
			v.Arr = pop(&p.items, base, &p.itemB)
			return v
		}
		p.fail("unexpected %s in array, want ',' or ']'", p.what())
		return nil
	}
}

// AppendJSON appends v as JSON: compact when indent is "", otherwise pretty with
// that indent per level, the way encoding/json's MarshalIndent lays it out. Strings
// are escaped as encoding/json does with HTML escaping off, so <, > and & stay.
func AppendJSON(dst []byte, v *Value, indent string) []byte {
	return appendValue(dst, v, indent, 0)
}

// Pretty writes v as the playground shows, diffs and formats documents:
// two spaces an indentation level, one member or element a line, keys in
// their order (duplicates kept), numbers as written, strings as [AppendJSON]
// writes them, and a final newline. This is the layout of encoding/json's
// MarshalIndent(v, "", "  ").
func (v *Value) Pretty() []byte {
	return append(AppendJSON(nil, v, "  "), '\n')
}

// Pretty returns the JSON text src laid out as [Value.Pretty] lays it out. It
// reads src with [ParseJSON], so it accepts what the engine accepts (UTF-8,
// nesting up to [MaxJSONDepth]) and refuses the rest with ParseJSON's error.
func Pretty(src []byte) ([]byte, *Error) {
	v, err := ParseJSON(src)
	if err != nil {
		return nil, err
	}
	return v.Pretty(), nil
}

func appendValue(dst []byte, v *Value, indent string, level int) []byte {
	switch v.Kind {
	case KindNull:
		return append(dst, "null"...)
	case KindBool, KindNumber:
		return append(dst, v.Str...)
	case KindString:
		return appendString(dst, v.Str)
	case KindArray:
		if len(v.Arr) == 0 {
			return append(dst, "[]"...)
		}
		dst = append(dst, '[')
		for i, item := range v.Arr {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = newline(dst, indent, level+1)
			dst = appendValue(dst, item, indent, level+1)
		}
		dst = newline(dst, indent, level)
		return append(dst, ']')
	}
	if len(v.Obj) == 0 {
		return append(dst, "{}"...)
	}
	dst = append(dst, '{')
	for i, m := range v.Obj {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = newline(dst, indent, level+1)
		dst = appendString(dst, m.Key)
		dst = append(dst, ':')
		if indent != "" {
			dst = append(dst, ' ')
		}
		dst = appendValue(dst, m.Val, indent, level+1)
	}
	dst = newline(dst, indent, level)
	return append(dst, '}')
}

func newline(dst []byte, indent string, level int) []byte {
	if indent == "" {
		return dst
	}
	dst = append(dst, '\n')
	for range level {
		dst = append(dst, indent...)
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendString appends s quoted the way encoding/json does without HTML escaping.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// strValue makes a string Value with no place in any text.
func strValue(s string) *Value { return &Value{Kind: KindString, Str: s, Off: -1} }
