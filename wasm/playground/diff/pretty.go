package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Pretty rewrites the JSON text src with two-space indentation, one member or
// element a line, keeping object keys in their order (duplicates included),
// numbers as written and strings re-encoded without HTML escaping. Its layout is
// that of json.MarshalIndent(v, "", "  "), followed by a newline. Both sides of a
// diff go through Pretty, so that only real changes show up as changed lines.
func Pretty(src []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var b bytes.Buffer
	if err := writeValue(&b, dec, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("pretty: text after the JSON value")
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func writeValue(b *bytes.Buffer, dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("pretty: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		closing := byte('}')
		if t == '[' {
			closing = ']'
		}
		b.WriteByte(byte(t))
		n := 0
		for dec.More() {
			if n > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
			indent(b, depth+1)
			if t == '{' {
				key, err := dec.Token()
				if err != nil {
					return fmt.Errorf("pretty: %w", err)
				}
				writeString(b, key.(string))
				b.WriteString(": ")
			}
			if err := writeValue(b, dec, depth+1); err != nil {
				return err
			}
			n++
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return fmt.Errorf("pretty: %w", err)
		}
		if n > 0 {
			b.WriteByte('\n')
			indent(b, depth)
		}
		b.WriteByte(closing)
	case string:
		writeString(b, t)
	case json.Number:
		b.WriteString(t.String())
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	}
	return nil
}

func indent(b *bytes.Buffer, depth int) {
	for range depth {
		b.WriteString("  ")
	}
}

// writeString writes s as a JSON string the way encoding/json does with
// SetEscapeHTML(false).
func writeString(b *bytes.Buffer, s string) {
	var sb bytes.Buffer
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(sb.Bytes(), []byte("\n")))
}
