package engine

import (
	"strconv"
	"strings"
)

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
	// found is where each principal stands in a dump whose lists are well
	// formed (nil otherwise): reading one principal then takes its own
	// policies, not a pass over every principal of the dump.
	found []foundPrincipal
}

// foundPrincipal is a principal of a dump: its value, path and kind (an
// index in principalLists).
type foundPrincipal struct {
	v    *Value
	path string
	kind int
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
		wellFormed := true // as readPolicySet's dump wants the lists
		for k, pl := range principalLists {
			list := v.Get(pl.list)
			if list == nil || list.Kind == KindNull {
				continue
			}
			if list.Kind != KindArray {
				wellFormed = false // reading a principal says what is wrong
				continue
			}
			for i, item := range list.Arr {
				name := item.Get(pl.name)
				if item.Kind != KindObject || name == nil || name.Kind != KindString {
					wellFormed = false
					continue
				}
				info := PrincipalInfo{Name: name.Str, Kind: pl.kind}
				if arn := item.Get("Arn"); arn != nil && arn.Kind == KindString {
					info.Arn = arn.Str
				}
				p.principals = append(p.principals, info)
				p.found = append(p.found, foundPrincipal{item, pl.list + "[" + strconv.Itoa(i) + "]", k})
			}
		}
		if !wellFormed {
			p.found = nil
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
	if err := opt.Check(); err != nil {
		return nil, err
	}
	rr := &RecommendationRequest{Options: opt}
	var err *Error
	if rr.Set, err = p.read(opt.Principal); err != nil {
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

// read reads the policies of the principal named (by name, in any case, or
// ARN) as readPolicySet does, without its pass over every principal of a
// dump: a batch over N principals would make it N² work.
func (p *Policies) read(principal string) (*PolicySet, *Error) {
	pick := -1
	if p.found != nil {
		for i, info := range p.principals {
			if principal != "" && (strings.EqualFold(info.Name, principal) || info.Arn == principal) {
				pick = i
				break
			}
		}
		if principal == "" && len(p.found) == 1 {
			pick = 0
		}
	}
	if pick < 0 { // the slow way, for its message
		return readPolicySet(p.text, p.v, "policies", principal, false)
	}
	info := p.principals[pick]
	r := &setReader{text: p.text, field: "policies", set: &PolicySet{Form: InputAuthorizationDetails, Principals: p.principals, Principal: &info}}
	f := p.found[pick]
	if err := r.principal(p.v, f.v, f.path, f.kind); err != nil {
		return nil, err
	}
	return r.set, nil
}

// JSON is the answer as POST /api/v1/refine writes it.
func (r *Response) JSON() []byte { return marshalIndent(r) }
