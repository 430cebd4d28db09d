package engine

import (
	"bytes"
	"encoding/json"
)

// marshalIndent encodes v as 2-space indented JSON without escaping <, >, &,
// with a final newline: the one output form of every answer.
//
// It is json.Encoder's output with SetIndent("", "  "), byte for byte. The
// answer types write themselves (writeJSON, encode.go;
// TestWriteJSONAsEncodingJSON); any other value goes through encoding/json
// and is indented by indentCompact (FuzzIndentCompact): encoding/json indents
// by running its validating scanner over every byte it has just written,
// which was about half the cost of an answer in WebAssembly; indentCompact
// only copies.
func marshalIndent(v any) []byte {
	if x, ok := v.(writable); ok { // the answers: without reflection (encode.go)
		w := jsonWriter{b: make([]byte, 0, 4<<10)}
		x.writeJSON(&w)
		return append(w.b, '\n')
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only our own types reach here
	}
	compact := b.Bytes() // ends with the Encoder's newline
	return indentCompact(make([]byte, 0, len(compact)+len(compact)/2), compact)
}

// indentCompact appends to dst the JSON text src, which must be valid and
// compact (no white space outside strings, as json.Marshal writes it),
// indented as json.Indent(dst, src, "", "  ") would: a member or an element
// per line, "{}" and "[]" kept on one line, and the bytes after the value
// (a newline) copied.
func indentCompact(dst, src []byte) []byte { return indentCompactAt(dst, src, 0) }

// indentCompactAt is indentCompact for a value that stands depth levels deep.
func indentCompactAt(dst, src []byte, depth int) []byte {
	open := false // the last byte was { or [: the line break waits for what follows
	for i := 0; i < len(src); i++ {
		c := src[i]
		if open && c != '}' && c != ']' {
			open = false
			depth++
			dst = newLine(dst, depth)
		}
		switch c {
		case '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			dst = append(dst, src[i:min(j+1, len(src))]...)
			i = j
		case '{', '[':
			open = true
			dst = append(dst, c)
		case ',':
			dst = newLine(append(dst, c), depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if open {
				open = false
			} else {
				depth--
				dst = newLine(dst, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// newLine appends a line break and depth levels of indentation.
func newLine(dst []byte, depth int) []byte {
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}
