package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Pretty rewrites the JSON text src with two-space indentation, one member or
// element a line, keeping object keys in their order (duplicates included),
// numbers as written and strings in the form encoding/json writes them without
// HTML escaping. Its layout is that of json.MarshalIndent(v, "", "  "),
// followed by a newline. Both sides of a diff go through Pretty, so that only
// real changes show up as changed lines.
//
// It is a hand-written scanner rather than json.Decoder.Token, which is about
// forty times slower under WebAssembly.
func Pretty(src []byte) ([]byte, error) {
	p := &printer{src: src, out: make([]byte, 0, len(src)+len(src)/2)}
	p.space()
	if err := p.value(0); err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(src) {
		return nil, p.errorf("text after the JSON value")
	}
	return append(p.out, '\n'), nil
}

type printer struct {
	src []byte
	i   int
	out []byte
}

func (p *printer) errorf(format string, args ...any) error {
	return fmt.Errorf("pretty: offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *printer) space() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *printer) indent(depth int) {
	p.out = append(p.out, '\n')
	for range depth {
		p.out = append(p.out, ' ', ' ')
	}
}

func (p *printer) value(depth int) error {
	if p.i >= len(p.src) {
		return p.errorf("unexpected end of JSON input")
	}
	switch c := p.src[p.i]; {
	case c == '{' || c == '[':
		return p.container(depth, c)
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(p.src[p.i:], []byte(lit)) {
				p.out = append(p.out, lit...)
				p.i += len(lit)
				return nil
			}
		}
		return p.errorf("invalid character %q looking for a value", c)
	}
}

func (p *printer) container(depth int, open byte) error {
	closing := byte('}')
	if open == '[' {
		closing = ']'
	}
	p.out = append(p.out, open)
	p.i++
	p.space()
	if p.i < len(p.src) && p.src[p.i] == closing {
		p.out = append(p.out, closing)
		p.i++
		return nil
	}
	for {
		p.indent(depth + 1)
		if open == '{' {
			if p.i >= len(p.src) || p.src[p.i] != '"' {
				return p.errorf("want a quoted key")
			}
			if err := p.str(); err != nil {
				return err
			}
			p.space()
			if p.i >= len(p.src) || p.src[p.i] != ':' {
				return p.errorf("want ':' after a key")
			}
			p.i++
			p.space()
			p.out = append(p.out, ':', ' ')
		}
		if err := p.value(depth + 1); err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.src) {
			return p.errorf("unexpected end of JSON input")
		}
		switch p.src[p.i] {
		case ',':
			p.out = append(p.out, ',')
			p.i++
			p.space()
		case closing:
			p.i++
			p.indent(depth)
			p.out = append(p.out, closing)
			return nil
		default:
			return p.errorf("invalid character %q after a value", p.src[p.i])
		}
	}
}

// str copies a string: verbatim when encoding/json would write it the same way
// (no escapes, no control characters, valid UTF-8 without U+2028/U+2029),
// else decoded and re-encoded.
func (p *printer) str() error {
	start := p.i
	p.i++
	plain := true
	for {
		if p.i >= len(p.src) {
			return p.errorf("unterminated string")
		}
		c := p.src[p.i]
		if c == '"' {
			break
		}
		if c == '\\' {
			plain = false
			p.i += 2
			continue
		}
		if c < 0x20 {
			return p.errorf("control character in string")
		}
		if c >= 0x80 {
			r, n := utf8.DecodeRune(p.src[p.i:])
			if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				plain = false
			}
			p.i += n
			continue
		}
		p.i++
	}
	p.i++
	raw := p.src[start:p.i]
	if plain {
		p.out = append(p.out, raw...)
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return p.errorf("bad string: %v", err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	p.out = append(p.out, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
	return nil
}

// number copies a number after checking its syntax.
func (p *printer) number() error {
	start := p.i
	if p.src[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.src) && p.src[p.i] >= '0' && p.src[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	intStart := p.i
	if n := digits(); n == 0 || n > 1 && p.src[intStart] == '0' {
		return p.errorf("invalid number")
	}
	if p.i < len(p.src) && p.src[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return p.errorf("invalid number")
		}
	}
	if p.i < len(p.src) && (p.src[p.i] == 'e' || p.src[p.i] == 'E') {
		p.i++
		if p.i < len(p.src) && (p.src[p.i] == '+' || p.src[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return p.errorf("invalid number")
		}
	}
	p.out = append(p.out, p.src[start:p.i]...)
	return nil
}
