package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// MaxRequestBytes is the largest request body a wrapper accepts; larger bodies get
// TOO_LARGE (413). The largest AWS managed policy is about 152 KB and a full custom
// catalog about 0.6 MB; 4 MiB holds both with room, and keeps a hostile body from
// costing more than a few milliseconds to refuse.
const MaxRequestBytes = 4 << 20

// MaxPolicyBytes is the largest policy document accepted, as JSON text (or as
// the span of the request it takes). IAM itself takes no policy over 10,240
// characters, and the largest AWS managed policy has about 152,000; 512 KiB
// holds three times that. The answer grows with the policy (every statement is
// refined, verified and written), so a bound on the policy bounds the work.
const MaxPolicyBytes = 512 << 10

// Request is a parsed refinement request.
type Request struct {
	Policy   *Policy
	Findings *Findings
	Catalog  *Catalog // the built-in catalog, overlaid by the user's if given
	Options  Options
}

// HandleRefine answers POST /api/v1/refine: body is the request JSON of api.md; the
// result is the response JSON (status 200) or an *Error.
func HandleRefine(body []byte) ([]byte, *Error) {
	req, err := ParseRequest(body)
	if err != nil {
		return nil, err
	}
	resp, err := RespondBounded(req)
	if err != nil {
		return nil, err
	}
	return marshalIndent(resp), nil
}

// Respond refines a parsed request and shapes the answer.
func Respond(req *Request) *Response {
	return respond(req, Refine(req.Policy, req.Findings, req.Catalog, req.Options))
}

func respond(req *Request, res *Result) *Response {
	resp := &Response{
		RecommendedAction: res.Action,
		RecommendedPolicy: json.RawMessage("null"),
		Changes:           res.Changes,
		Verification:      res.Verify,
		Size:              res.Size,
		Warnings:          res.Warnings,
		Catalog:           req.Catalog.Info(),
		Tries:             res.Tries,
	}
	if res.Policy != nil {
		resp.RecommendedPolicy = res.Text
	}
	return resp
}

// ParseRequest reads a refinement request body (for wrappers that want the
// parsed form, such as the playground).
func ParseRequest(body []byte) (*Request, *Error) {
	top, err := parseBody(body, "policy", "findings", "catalog", "options")
	if err != nil {
		return nil, err
	}
	return readRequest(body, top, "policy")
}

// RequestFromTexts is [ParseRequest] for a request whose policy, findings and
// catalog overlay ("" for none) are JSON texts, as a page's editors hold them:
// what ParseRequest reads from a body with the three as JSON strings, without
// writing and reading that body. Errors are located in the texts.
func RequestFromTexts(policy, findings, catalog string, opt Options) (*Request, *Error) {
	top := &Value{Kind: KindObject, Off: -1, Obj: []Member{{Key: "policy", Val: strValue(policy)}, {Key: "findings", Val: strValue(findings)}}}
	if catalog != "" {
		top.Obj = append(top.Obj, Member{Key: "catalog", Val: strValue(catalog)})
	}
	if opt.Granularity != "" { // checked as readOptions checks the API's options
		if _, err := readOptions(&Value{Kind: KindObject, Off: -1, Obj: []Member{{Key: "granularity", Val: strValue(opt.Granularity)}}}); err != nil {
			return nil, err
		}
	}
	req, err := readRequest(nil, top, "policy")
	if err != nil {
		return nil, err
	}
	req.Options = opt
	return req, nil
}

// parseBody parses a request body as a JSON object with only the given keys.
func parseBody(body []byte, keys ...string) (*Value, *Error) {
	if len(body) > MaxRequestBytes {
		return nil, &Error{Code: CodeTooLarge, Offset: -1, Message: fmt.Sprintf("the request body is larger than %d bytes", MaxRequestBytes)}
	}
	top, err := ParseJSON(body)
	if err != nil {
		err.Field = "body"
		return nil, err
	}
	if top.Kind != KindObject {
		return nil, (&Error{Code: CodeInvalidRequest, Field: "body", Offset: top.Off,
			Message: "the request must be a JSON object, not " + top.describe()}).Locate(body)
	}
	for _, m := range top.Obj {
		known := false
		for _, k := range keys {
			known = known || m.Key == k
		}
		if !known {
			return nil, (&Error{Code: CodeInvalidRequest, Field: "body", Path: m.Key, Offset: m.KeyOff,
				Message: fmt.Sprintf("unknown field %q (want %s)", m.Key, strings.Join(keys, ", "))}).Locate(body)
		}
	}
	return top, nil
}

// input returns the text and value of a request field that holds either a JSON
// value or a string of JSON text. Errors found later in the value carry offsets
// into text and are located against it.
func input(body []byte, v *Value, field string) ([]byte, *Value, *Error) {
	if v.Kind != KindString {
		return body, v, nil
	}
	text := []byte(v.Str)
	parsed, err := ParseJSON(text)
	if err != nil {
		err.Field = field
		return nil, nil, err
	}
	return text, parsed, nil
}

// policyBytes is the size of a policy given as text or as a JSON value.
func policyBytes(v *Value) int {
	if v.Kind == KindString {
		return len(v.Str)
	}
	return v.End - v.Off
}

func readRequest(body []byte, top *Value, policyKey string) (*Request, *Error) {
	req := &Request{}
	pv := top.Get(policyKey)
	if pv == nil {
		return nil, &Error{Code: CodeInvalidRequest, Field: "body", Offset: -1, Message: fmt.Sprintf("the request has no %q", policyKey)}
	}
	if n := policyBytes(pv); n > MaxPolicyBytes {
		return nil, (&Error{Code: CodeTooLarge, Field: "policy", Offset: pv.Off,
			Message: fmt.Sprintf("the policy has %d bytes, more than the %d accepted (MaxPolicyBytes)", n, MaxPolicyBytes)}).Locate(body)
	}
	text, v, err := input(body, pv, "policy")
	if err != nil {
		return nil, err
	}
	if req.Policy, err = policyFromValue(v); err != nil {
		return nil, err.Locate(text)
	}
	fv := top.Get("findings")
	if fv == nil {
		return nil, &Error{Code: CodeInvalidRequest, Field: "body", Offset: -1, Message: `the request has no "findings" (send [] when nothing is unused)`}
	}
	if text, v, err = input(body, fv, "findings"); err != nil {
		err.Code = CodeInvalidFindings
		return nil, err
	}
	if req.Findings, err = findingsFromValue(v); err != nil {
		return nil, err.Locate(text)
	}
	req.Catalog = BuiltinCatalog()
	if cv := top.Get("catalog"); cv != nil && cv.Kind != KindNull && !(cv.Kind == KindString && strings.TrimSpace(cv.Str) == "") {
		var user *Catalog
		text := []byte(cv.Str)
		if cv.Kind != KindString {
			text = body[cv.Off:cv.End]
		}
		if user, err = ParseCatalog(text); err != nil {
			if cv.Kind != KindString && err.Offset >= 0 {
				err.Offset += cv.Off
				err.Locate(body)
			}
			return nil, err
		}
		if over := req.Catalog.Overlay(user); over != req.Catalog {
			over.source = string(text) // the same text, the same catalog (see Session)
			req.Catalog = over
		}
	}
	if ov := top.Get("options"); ov != nil && ov.Kind != KindNull {
		if req.Options, err = readOptions(ov); err != nil {
			return nil, err.Locate(body)
		}
	}
	return req, nil
}

func readOptions(v *Value) (Options, *Error) {
	var o Options
	fail := func(at *Value, path, format string, args ...any) (Options, *Error) {
		return o, &Error{Code: CodeInvalidOptions, Field: "options", Path: path, Offset: at.Off,
			Message: join("options", path) + ": " + fmt.Sprintf(format, args...)}
	}
	if v.Kind != KindObject {
		return fail(v, "", "must be an object, not %s", v.describe())
	}
	for _, m := range v.Obj {
		switch m.Key {
		case "granularity":
			g := m.Val
			if g.Kind != KindString || g.Str != GranularityWord && g.Str != GranularityChar && g.Str != GranularityAction {
				return fail(g, m.Key, "want \"word\", \"char\" or \"action\", not %s", g.describe())
			}
			o.Granularity = g.Str
		case "trie":
			if m.Val.Kind != KindBool {
				return fail(m.Val, m.Key, "want true or false, not %s", m.Val.describe())
			}
			o.Trie = m.Val.Str == "true"
		case "triePath":
			if m.Val.Kind != KindString {
				return fail(m.Val, m.Key, "want the JSON path of a pattern, such as \"Statement[1].Action[0]\", not %s", m.Val.describe())
			}
			o.TriePath = m.Val.Str
		default:
			return fail(m.Val, m.Key, "unknown option (want granularity, trie, triePath)")
		}
	}
	return o, nil
}

// HandleRecommendation answers POST /api/v1/recommendation in the shape of
// aws accessanalyzer get-finding-recommendation: every policy of one principal
// refined against the same findings.
func HandleRecommendation(body []byte) ([]byte, *Error) {
	top, err := parseBody(body, "policies", "findings", "catalog", "options")
	if err != nil {
		return nil, err
	}
	pols := top.Get("policies")
	if pols == nil || pols.Kind != KindArray {
		return nil, &Error{Code: CodeInvalidRequest, Field: "body", Path: "policies", Offset: -1,
			Message: `"policies" must be an array of {"existingPolicyId", "document"}`}
	}
	type stepBody struct {
		RecommendedAction string `json:"recommendedAction"`
		ExistingPolicyID  string `json:"existingPolicyId,omitempty"`
		RecommendedPolicy string `json:"recommendedPolicy,omitempty"`
	}
	type step struct {
		Step stepBody `json:"unusedPermissionsRecommendedStep"`
	}
	out := struct {
		Type  string `json:"recommendationType"`
		State string `json:"status"`
		Steps []step `json:"recommendedSteps"`
	}{Type: "UnusedPermissionRecommendation", State: "SUCCEEDED", Steps: []step{}}
	var budget sharedBudget // MaxWork for all the policies
	for i, pv := range pols.Arr {
		where := fmt.Sprintf("policies[%d]", i)
		if pv.Kind != KindObject || pv.Get("document") == nil {
			return nil, (&Error{Code: CodeInvalidRequest, Field: "body", Path: where, Offset: pv.Off,
				Message: where + `: want {"existingPolicyId": ..., "document": ...}`}).Locate(body)
		}
		one := &Value{Kind: KindObject, Obj: []Member{{Key: "document", Val: pv.Get("document")}}}
		for _, k := range []string{"findings", "catalog", "options"} {
			if v := top.Get(k); v != nil {
				one.Obj = append(one.Obj, Member{Key: k, Val: v})
			}
		}
		req, err := readRequest(body, one, "document")
		if err != nil {
			if err.Field == "policy" {
				err.Message = where + ".document: " + err.Message
			}
			return nil, err
		}
		res, err := budget.refine(req)
		if err != nil {
			err.Message = where + ".document: " + err.Message
			return nil, err
		}
		s := stepBody{RecommendedAction: res.Action}
		if id := pv.Get("existingPolicyId"); id != nil && id.Kind == KindString {
			s.ExistingPolicyID = id.Str
		}
		if res.Action == ActionCreate {
			s.RecommendedPolicy = string(res.Text)
		}
		out.Steps = append(out.Steps, step{s})
	}
	return marshalIndent(out), nil
}

// HandleCatalog answers GET /api/v1/catalog: the built-in catalog's metadata.
func HandleCatalog() []byte {
	return marshalIndent(BuiltinCatalog().Info())
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
