package engine

import (
	"bytes"
	"encoding/json"
)

// MaxRequestBytes is the largest request body a wrapper accepts; larger bodies get
// TOO_LARGE (413). The largest AWS managed policy is about 152 KB and a full custom
// catalog about 0.6 MB; 4 MiB holds both with room, and keeps a hostile body from
// costing more than a few milliseconds to refuse.
const MaxRequestBytes = 4 << 20

// HandleRefine answers POST /api/v1/refine: body is the request JSON of api.md; the
// result is the response JSON (status 200) or an *Error.
func HandleRefine(body []byte) ([]byte, *Error) {
	return nil, &Error{Code: CodeInternal, Message: "not implemented yet"}
}

// HandleRecommendation answers POST /api/v1/recommendation in the shape of
// aws accessanalyzer get-finding-recommendation.
func HandleRecommendation(body []byte) ([]byte, *Error) {
	return nil, &Error{Code: CodeInternal, Message: "not implemented yet"}
}

// HandleCatalog answers GET /api/v1/catalog: the built-in catalog's metadata.
func HandleCatalog() []byte {
	return marshalIndent(CatalogInfo{})
}

// marshalIndent encodes v as 2-space indented JSON without escaping <, >, &,
// with a final newline: the one output form of every answer.
func marshalIndent(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // only our own types reach here
	}
	return b.Bytes()
}
