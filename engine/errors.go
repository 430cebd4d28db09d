package engine

import (
	"fmt"
	"strings"
)

// Error codes. Each maps to one HTTP status (see [Error.Status]).
const (
	CodeInvalidJSON      = "INVALID_JSON"
	CodeInvalidPolicy    = "INVALID_POLICY"
	CodeInvalidFindings  = "INVALID_FINDINGS"
	CodeInvalidCatalog   = "INVALID_CATALOG"
	CodeInvalidOptions   = "INVALID_OPTIONS"
	CodeInvalidRequest   = "INVALID_REQUEST"
	CodeInvalidCandidate = "INVALID_CANDIDATE"
	CodeTooLarge         = "TOO_LARGE"
	CodeTooComplex       = "TOO_COMPLEX" // the refinement would cost more than MaxWork (422)
	CodeNotFound         = "NOT_FOUND"
	CodeMethod           = "METHOD_NOT_ALLOWED"
	CodeInternal         = "INTERNAL"
)

// Error is a refusal of bad input. It names the input (Field), the place in it
// (Path, and Line/Column when the input was text) and what is wrong.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`         // "Statement[1].Action[0]: \"s3GetObject\" is not service:action"
	Field   string `json:"field,omitempty"` // policy, findings, catalog, options, body
	Path    string `json:"path,omitempty"`  // JSON path in that input, e.g. Statement[1].Action[0]
	Line    int    `json:"line,omitempty"`  // 1-based, when known
	Column  int    `json:"column,omitempty"`
	// Offset is the 0-based byte offset of the place in the text that was parsed
	// (-1 when unknown); Line and Column are derived from it by [Error.Locate].
	Offset int `json:"-"`
}

// Locate sets e.Line and e.Column from e.Offset within text (the text e.Offset
// refers to). Columns count characters, not bytes.
func (e *Error) Locate(text []byte) *Error {
	if e.Offset < 0 || e.Offset > len(text) {
		return e
	}
	e.Line, e.Column = LineColumn(text, e.Offset)
	return e
}

// LineColumn converts a byte offset of text into a 1-based line and column, the
// column counted in characters, as editors count them.
func LineColumn(text []byte, offset int) (line, col int) {
	line, col = 1, 1
	for _, r := range string(text[:offset]) {
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// Error formats e as "line:column: message" when the place is known.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Column)
	}
	b.WriteString(e.Message)
	return b.String()
}

// Status is the HTTP status that answers e.
func (e *Error) Status() int {
	switch e.Code {
	case CodeTooLarge:
		return 413
	case CodeTooComplex:
		return 422
	case CodeNotFound:
		return 404
	case CodeMethod:
		return 405
	case CodeInternal:
		return 500
	}
	return 400
}

// JSON is the error body {"error": {...}} of the API.
func (e *Error) JSON() []byte {
	return marshalIndent(struct {
		Error *Error `json:"error"`
	}{e})
}

// errorAt is the refusal of the input field (policy, findings, ...) at path,
// placed at byte offset off of the text (-1 when unknown). Its message reads
// "path: what is wrong", what is wrong being format with args.
func errorAt(code, field, path string, off int, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &Error{Code: code, Field: field, Path: path, Message: msg, Offset: off}
}

// optionsError is errorAt for the options, whose messages name the path
// from "options".
func optionsError(path string, off int, format string, args ...any) *Error {
	e := errorAt(CodeInvalidOptions, "options", join("options", path), off, format, args...)
	e.Path = path
	return e
}

// NewError makes an Error with no place, for wrappers (NOT_FOUND, TOO_LARGE, ...).
func NewError(code, message string) *Error { return &Error{Code: code, Message: message, Offset: -1} }
