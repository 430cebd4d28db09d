package engine

import (
	"encoding/json"
	"fmt"
	"strconv"
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
	resp, err := respondBounded(req)
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
		Findings:          req.Findings.info(req.Catalog, req.Policy),
		Catalog:           req.Catalog.Info(),
		Tries:             res.Tries,
	}
	if res.Policy != nil {
		resp.RecommendedPolicy, resp.policy = res.Text, res.Policy
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
	return readRequest(body, top, "policy", Options{})
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
	if err := opt.Check(); err != nil {
		return nil, err
	}
	req, err := readRequest(nil, top, "policy", opt)
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
	// A catalog kept from an earlier request is not read again (see
	// overlayCached): its text was valid JSON then.
	p := &jsonParser{text: body, skip: skipKeptCatalog}
	top, err := p.parse()
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

// readRequest reads a request from the members of top: the policy at
// policyKey, findings, catalog and options (opt when top has no options).
func readRequest(body []byte, top *Value, policyKey string, opt Options) (*Request, *Error) {
	req := &Request{Options: opt}
	if err := readTopOptions(body, top, &req.Options); err != nil {
		return nil, err
	}
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
	if isDump(v) || isPolicyList(v) {
		what := "a list of policies"
		if isDump(v) {
			what = "the output of get-account-authorization-details"
		}
		return nil, (&Error{Code: CodeInvalidPolicy, Field: "policy", Offset: v.Off, Message: "this is " + what +
			", not one policy document: POST it as \"policies\" to /api/v1/recommendation, which refines every policy of a principal"}).Locate(text)
	}
	if req.Policy, err = policyFromValue(v); err != nil {
		return nil, err.Locate(text)
	}
	if req.Findings, req.Catalog, err = readFindingsCatalog(body, top, req.Options.age()); err != nil {
		return nil, err
	}
	return req, nil
}

// readTopOptions reads the options of top, if any, into opt.
func readTopOptions(body []byte, top *Value, opt *Options) *Error {
	if ov := top.Get("options"); ov != nil && ov.Kind != KindNull {
		var err *Error
		if *opt, err = readOptions(ov); err != nil {
			return err.Locate(body)
		}
	}
	return nil
}

// readFindingsCatalog reads the findings (a last-accessed report with a window
// of age days) and the catalog of top: what every route's request shares.
func readFindingsCatalog(body []byte, top *Value, age int) (f *Findings, cat *Catalog, err *Error) {
	fv := top.Get("findings")
	if fv == nil {
		return nil, nil, &Error{Code: CodeInvalidRequest, Field: "body", Offset: -1, Message: `the request has no "findings" (send [] when nothing is unused)`}
	}
	text, v, err := input(body, fv, "findings")
	if err != nil {
		err.Code = CodeInvalidFindings
		return nil, nil, err
	}
	if f, err = findingsFromValue(v, age); err != nil {
		return nil, nil, err.Locate(text)
	}
	cat = BuiltinCatalog()
	if cv := top.Get("catalog"); cv != nil && cv.Kind != KindNull && !(cv.Kind == KindString && strings.TrimSpace(cv.Str) == "") {
		if cv.Kind == KindString {
			cat, err = overlayCached(cv.Str, func() (*Catalog, *Error) { return ParseCatalog([]byte(cv.Str)) })
		} else {
			cat, err = overlayCached(string(body[cv.Off:cv.End]), func() (*Catalog, *Error) {
				if cv.skipped { // kept when the body was read, gone since: read it now
					p := &jsonParser{text: body, pos: cv.Off}
					cv = p.value(1)
				}
				user, err := catalogFromValue(cv)
				if err != nil {
					err.Locate(body)
				}
				return user, err
			})
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return f, cat, nil
}

func readOptions(v *Value) (Options, *Error) {
	var o Options
	fail := func(at *Value, path, format string, args ...any) (Options, *Error) {
		return o, optionsError(path, at.Off, format, args...)
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
		case "unusedAccessAge":
			days, err := strconv.Atoi(m.Val.Str)
			if m.Val.Kind != KindNumber || err != nil {
				return fail(m.Val, m.Key, "want a whole number of days from %d to %d, not %s", MinUnusedAccessAge, MaxUnusedAccessAge, m.Val.describe())
			}
			if msg := checkAge(days); msg != "" {
				return fail(m.Val, m.Key, "%s", msg)
			}
			o.UnusedAccessAge = days
		case "principal":
			if m.Val.Kind != KindString || strings.TrimSpace(m.Val.Str) == "" {
				return fail(m.Val, m.Key, "want the name or ARN of a role or user, not %s", m.Val.describe())
			}
			o.Principal = m.Val.Str
		default:
			return fail(m.Val, m.Key, "unknown option (want granularity, trie, triePath, unusedAccessAge, principal)")
		}
	}
	return o, nil
}

// Check validates options a wrapper made itself, with the messages the API
// gives for its own (a share link's options, for the playground).
func (o Options) Check() *Error {
	if o.Granularity != "" && o.Granularity != GranularityWord && o.Granularity != GranularityChar && o.Granularity != GranularityAction {
		return optionsError("granularity", -1, "want \"word\", \"char\" or \"action\", not string %q", o.Granularity)
	}
	if o.UnusedAccessAge != 0 {
		if msg := checkAge(o.UnusedAccessAge); msg != "" {
			return optionsError("unusedAccessAge", -1, "%s", msg)
		}
	}
	return nil
}

// HandleCatalog answers GET /api/v1/catalog: the built-in catalog's metadata.
func HandleCatalog() []byte {
	return marshalIndent(BuiltinCatalog().Info())
}
