package engine

import (
	"slices"
	"strconv"
)

// Policy is a parsed IAM identity policy. The document is kept as a [Value] so
// that writing it back keeps the user's key order and forms (Statement as one
// object or an array, Action as a string or an array).
type Policy struct {
	Doc        *Value
	Statements []*Statement
	// StatementArray is false when the document gives Statement as one object.
	StatementArray bool
}

// Statement is one statement of a policy, with its action patterns read out.
type Statement struct {
	Index    int    // position in the Statement list
	Obj      *Value // the statement object itself
	Effect   string // "Allow" or "Deny"
	Key      string // "Action" or "NotAction"
	Array    bool   // the patterns were given as an array (not one string)
	Patterns []PatternRef
}

// PatternRef is one action pattern of a statement and where it stands.
type PatternRef struct {
	Text string
	Path string // Statement[1].Action[0]
	Off  int
}

// statementPath returns the JSON path of statement i: Statement[i], or Statement when
// the document gives one statement object.
func (p *Policy) statementPath(i int) string {
	if p.StatementArray {
		return "Statement[" + strconv.Itoa(i) + "]"
	}
	return "Statement"
}

// parsePolicy parses an IAM policy document from JSON text. Errors name the line,
// column and JSON path of the problem.
func parsePolicy(text []byte) (*Policy, *Error) {
	v, err := ParseJSON(text)
	if err != nil {
		err.Field = "policy"
		return nil, err
	}
	p, err := policyFromValue(v)
	if err != nil {
		return nil, err.Locate(text)
	}
	return p, nil
}

func policyError(v *Value, path, format string, args ...any) *Error {
	off := -1
	if v != nil {
		off = v.Off
	}
	return errorAt(CodeInvalidPolicy, "policy", path, off, format, args...)
}

// policyFromValue checks a parsed document against the policy grammar the
// engine needs. Errors carry offsets into the text v came from.
func policyFromValue(doc *Value) (*Policy, *Error) {
	if doc.Kind != KindObject {
		return nil, policyError(doc, "", "a policy must be a JSON object, not %s", doc.describe())
	}
	if err := noDuplicateKeys(doc, ""); err != nil {
		return nil, err
	}
	p := &Policy{Doc: doc}
	if v := doc.Get("Version"); v != nil && v.Kind != KindString {
		return nil, policyError(v, "Version", "must be a string, not %s", v.describe())
	}
	st := doc.Get("Statement")
	if st == nil {
		return nil, policyError(doc, "", "the policy has no Statement")
	}
	var items []*Value
	switch st.Kind {
	case KindObject:
		items = []*Value{st}
	case KindArray:
		p.StatementArray = true
		items = st.Arr
	default:
		return nil, policyError(st, "Statement", "must be an object or an array of objects, not %s", st.describe())
	}
	for i, item := range items {
		path := p.statementPath(i)
		s, err := parseStatement(item, path, i)
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

func noDuplicateKeys(obj *Value, path string) *Error {
	for i, m := range obj.Obj {
		for _, prev := range obj.Obj[:i] {
			if prev.Key == m.Key {
				return errorAt(CodeInvalidPolicy, "policy", join(path, m.Key), m.KeyOff, "the key %q appears twice", m.Key)
			}
		}
	}
	return nil
}

func parseStatement(v *Value, path string, index int) (*Statement, *Error) {
	if v.Kind != KindObject {
		return nil, policyError(v, path, "a statement must be an object, not %s", v.describe())
	}
	if err := noDuplicateKeys(v, path); err != nil {
		return nil, err
	}
	s := &Statement{Index: index, Obj: v}
	eff := v.Get("Effect")
	switch {
	case eff == nil:
		return nil, policyError(v, path, "the statement has no Effect")
	case eff.Kind != KindString || eff.Str != "Allow" && eff.Str != "Deny":
		return nil, policyError(eff, join(path, "Effect"), "want \"Allow\" or \"Deny\", not %s", eff.describe())
	}
	s.Effect = eff.Str
	act, notAct := v.Get("Action"), v.Get("NotAction")
	switch {
	case act != nil && notAct != nil:
		return nil, policyError(notAct, join(path, "NotAction"), "a statement has either Action or NotAction, not both")
	case act == nil && notAct == nil:
		return nil, policyError(v, path, "the statement has neither Action nor NotAction")
	case act != nil:
		s.Key = "Action"
	default:
		s.Key, act = "NotAction", notAct
	}
	kp := join(path, s.Key)
	add := func(item *Value, ip string) *Error {
		if item.Kind != KindString {
			return policyError(item, ip, "an action pattern must be a string, not %s", item.describe())
		}
		if why := validatePattern(item.Str); why != "" {
			return policyError(item, ip, "%q %s", clip(item.Str, 80), why)
		}
		s.Patterns = append(s.Patterns, PatternRef{Text: item.Str, Path: ip, Off: item.Off})
		return nil
	}
	switch act.Kind {
	case KindString:
		if err := add(act, kp); err != nil {
			return nil, err
		}
	case KindArray:
		s.Array = true
		for i, item := range act.Arr {
			if err := add(item, kp+"["+strconv.Itoa(i)+"]"); err != nil {
				return nil, err
			}
		}
	default:
		return nil, policyError(act, kp, "must be a string or an array of strings, not %s", act.describe())
	}
	return s, nil
}

// withStatements returns a copy of the document whose Statement is replaced by
// stmts (in the original form: one object stays one object). The original
// document is not changed.
func (p *Policy) withStatements(stmts []*Value) *Value {
	doc := &Value{Kind: KindObject, Obj: slices.Clone(p.Doc.Obj), Off: p.Doc.Off}
	for i, m := range doc.Obj {
		if m.Key != "Statement" {
			continue
		}
		if !p.StatementArray && len(stmts) == 1 {
			doc.Obj[i].Val = stmts[0]
		} else {
			doc.Obj[i].Val = &Value{Kind: KindArray, Arr: stmts, Off: -1}
		}
	}
	return doc
}

// withPatterns returns a copy of statement obj whose key (Action or NotAction)
// holds patterns: a string if asArray is false and there is exactly one.
func withPatterns(obj *Value, key string, patterns []string, asArray bool) *Value {
	out := &Value{Kind: KindObject, Obj: slices.Clone(obj.Obj), Off: obj.Off}
	var val *Value
	if !asArray && len(patterns) == 1 {
		val = strValue(patterns[0])
	} else {
		val = &Value{Kind: KindArray, Off: -1}
		for _, p := range patterns {
			val.Arr = append(val.Arr, strValue(p))
		}
	}
	for i, m := range out.Obj {
		if m.Key == key {
			out.Obj[i].Val = val
		}
	}
	return out
}
