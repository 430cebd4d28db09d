package engine

// This file serves wrappers that answer for many principals of one input, such
// as the command line's `whittle recommend --authorization-details`: the input
// is parsed once, and each principal's request is read from the parsed value.

// Policies is a policies input parsed once: an authorization-details dump, a
// list of policies or one policy document. It is read-only and safe for
// concurrent use.
type Policies struct {
	text       []byte
	v          *Value
	form       string
	principals []PrincipalInfo
}

// ParsePolicies parses text, the policies of a recommendation request as JSON
// text, once, for [RecommendationFromPolicies]. Errors are located in text and
// name the field "policies".
func ParsePolicies(text string) (*Policies, *Error) {
	b := []byte(text)
	v, err := ParseJSON(b)
	if err != nil {
		err.Field = "policies"
		return nil, err
	}
	p := &Policies{text: b, v: v, form: InputPolicy}
	switch {
	case isDump(v):
		p.form = InputAuthorizationDetails
		for _, pl := range principalLists {
			list := v.Get(pl.list)
			if list == nil || list.Kind != KindArray {
				continue // reading a principal says what is wrong
			}
			for _, item := range list.Arr {
				if name := item.Get(pl.name); name != nil && name.Kind == KindString {
					info := PrincipalInfo{Name: name.Str, Kind: pl.kind}
					if arn := item.Get("Arn"); arn != nil && arn.Kind == KindString {
						info.Arn = arn.Str
					}
					p.principals = append(p.principals, info)
				}
			}
		}
	case isPolicyList(v):
		p.form = InputPolicies
	}
	return p, nil
}

// Form is how the policies were given: InputPolicy, InputPolicies or
// InputAuthorizationDetails.
func (p *Policies) Form() string { return p.form }

// Principals lists the roles and users of a dump, roles first, in its order
// (nil for the other forms).
func (p *Policies) Principals() []PrincipalInfo { return p.principals }

// RecommendationFromPolicies is [RecommendationFromTexts] for policies parsed
// by [ParsePolicies], with the API's rule for a dump of several principals:
// opt.Principal must name one. What it reads is what
// [ParseRecommendationRequest] reads from a body holding the same texts as
// JSON strings.
func RecommendationFromPolicies(p *Policies, findings, catalog string, opt Options) (*RecommendationRequest, *Error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	rr := &RecommendationRequest{Options: opt}
	var err *Error
	if rr.Set, err = readPolicySet(p.text, p.v, "policies", opt.Principal, false); err != nil {
		return nil, err
	}
	top := &Value{Kind: KindObject, Off: -1, Obj: []Member{{Key: "findings", Val: strValue(findings)}}}
	if catalog != "" {
		top.Obj = append(top.Obj, Member{Key: "catalog", Val: strValue(catalog)})
	}
	if rr.Findings, rr.Catalog, err = readFindingsCatalog(nil, top, opt.age()); err != nil {
		return nil, err
	}
	return rr, nil
}

// JSON is the answer as POST /api/v1/refine writes it.
func (r *Response) JSON() []byte { return marshalIndent(r) }
