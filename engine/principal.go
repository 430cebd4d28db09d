package engine

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// This file reads the policies of one principal: the recommendation request's
// list of policies, or the output of `aws iam get-account-authorization-details`
// with the role or user picked by name or ARN.

// Kinds of a principal's policies ([PolicyInput.Kind]).
const (
	PolicyManaged = "managed" // attached by ARN: existingPolicyId is the ARN
	PolicyInline  = "inline"  // embedded in the principal: existingPolicyId is its name
)

// Forms of a policies input ([PolicySet.Form]).
const (
	InputPolicy               = "policy"                // one policy document
	InputPolicies             = "policies"              // [{"existingPolicyId", "document", "policyUpdatedAt"?}] or {"policies": [...]}
	InputAuthorizationDetails = "authorization-details" // aws iam get-account-authorization-details
)

// MaxPrincipalPolicies bounds the policies of one principal refined in one
// request. IAM attaches at most 20 managed policies to a role or user, and
// its inline policies share 10,240 characters (a role) or 2,048 (a user):
// 64 holds every real principal with room, and bounds a request's work to
// 64 refinements of at most [MaxPolicyBytes] each.
const MaxPrincipalPolicies = 64

// PrincipalInfo names a role or user of an authorization-details dump.
type PrincipalInfo struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // "role" or "user"
	Arn  string `json:"arn,omitempty"`
}

// PolicyInput is one policy of a principal, as read from the input.
type PolicyInput struct {
	ID        string  // existingPolicyId: a managed policy's ARN, an inline policy's name
	Kind      string  // PolicyManaged or PolicyInline
	UpdatedAt string  // a managed policy's default version date, "" if not known
	Path      string  // where its document stands in the input
	Offset    int     // the document's byte offset in the input text; -1 when given as a string (its offsets are the string's)
	Policy    *Policy // nil when the input lacks its document (see Missing)
	Missing   string  // why there is no document
}

// PolicySet is the policies of one principal.
type PolicySet struct {
	Form       string          // InputPolicy, InputPolicies or InputAuthorizationDetails
	Principal  *PrincipalInfo  // the principal picked from a dump (nil for other forms)
	Principals []PrincipalInfo // every role and user of a dump, roles first, in its order
	Policies   []PolicyInput
	Warnings   []Warning // about the principal as a whole (group policies, missing documents)
}

// isDump reports whether v has the shape of get-account-authorization-details output.
func isDump(v *Value) bool {
	if v.Kind != KindObject {
		return false
	}
	for _, k := range []string{"RoleDetailList", "UserDetailList", "GroupDetailList", "Policies"} {
		if v.Get(k) != nil {
			return true
		}
	}
	return false
}

// isPolicyList reports whether v is the recommendation request's form of
// policies: an array, or {"policies": [...]}.
func isPolicyList(v *Value) bool {
	return v.Kind == KindArray || v.Kind == KindObject && v.Get("policies") != nil && v.Get("Statement") == nil
}

// setReader reads a policies input; errors are located in text and name field.
type setReader struct {
	text  []byte
	field string
	set   *PolicySet
	bytes int // document bytes read so far
}

// fail is policyError in the reader's field, located in its text.
func (r *setReader) fail(v *Value, path, format string, args ...any) *Error {
	e := policyError(v, path, format, args...)
	e.Field = r.field
	return e.Locate(r.text)
}

// readPolicySet reads the policies of one principal from v, parsed from text:
// a policy document, the recommendation form, or an authorization-details dump
// with the principal picked by name or ARN ("" picks the only one; with
// firstIfMany, the first one when there are several, as a page's picker starts).
func readPolicySet(text []byte, v *Value, field, principal string, firstIfMany bool) (*PolicySet, *Error) {
	r := &setReader{text: text, field: field, set: &PolicySet{}}
	var err *Error
	switch {
	case isDump(v):
		r.set.Form = InputAuthorizationDetails
		err = r.dump(v, principal, firstIfMany)
	case isPolicyList(v):
		r.set.Form = InputPolicies
		err = r.list(v)
	default:
		r.set.Form = InputPolicy
		var p *Policy
		if p, err = r.document(v, ""); err == nil {
			r.set.Policies = []PolicyInput{{Kind: PolicyInline, Policy: p, Offset: v.Off}}
		}
	}
	if err != nil {
		return nil, err
	}
	return r.set, nil
}

// document reads the policy document v standing at path: a JSON object, or a
// string of JSON text, URL-encoded or not (IAM's raw API encodes documents).
func (r *setReader) document(v *Value, path string) (*Policy, *Error) {
	if v.Kind == KindString {
		n := len(v.Str)
		if n > MaxPolicyBytes {
			return nil, r.tooLarge(v, path, n)
		}
		r.bytes += n
		src := v.Str
		if t := strings.TrimSpace(src); strings.HasPrefix(t, "%") {
			dec, uerr := url.PathUnescape(t)
			if uerr != nil {
				return nil, r.fail(v, path, "the document is neither JSON nor URL-encoded JSON: %v", uerr)
			}
			src = dec
		}
		inner := []byte(src)
		doc, err := ParseJSON(inner)
		if err == nil {
			var p *Policy
			if p, err = policyFromValue(doc); err == nil {
				return p, nil
			}
			err.Locate(inner)
		}
		// The place inside the string is the string's, in the input.
		where := err.Error()
		return nil, r.fail(v, path, "the document text: %s", where)
	}
	if n := v.End - v.Off; n > MaxPolicyBytes {
		return nil, r.tooLarge(v, path, n)
	}
	r.bytes += v.End - v.Off
	p, err := policyFromValue(v)
	if err != nil {
		if path != "" {
			if err.Path != "" {
				err.Message = path + "." + err.Message
			} else {
				err.Message = path + ": " + err.Message
			}
			err.Path = join(path, err.Path)
		}
		err.Field = r.field
		return nil, err.Locate(r.text)
	}
	return p, nil
}

func (r *setReader) tooLarge(v *Value, path string, n int) *Error {
	e := r.fail(v, path, "the document has %d bytes, more than the %d accepted (MaxPolicyBytes)", n, MaxPolicyBytes)
	e.Code = CodeTooLarge
	return e
}

// add appends a policy, within the bounds. doc is its document value (nil when missing).
func (r *setReader) add(v *Value, in PolicyInput, doc *Value) *Error {
	in.Offset = -1
	if doc != nil && doc.Kind == KindObject {
		in.Offset = doc.Off
	}
	if len(r.set.Policies) == MaxPrincipalPolicies {
		e := r.fail(v, in.Path, "more than %d policies for one principal (MaxPrincipalPolicies)", MaxPrincipalPolicies)
		e.Code = CodeTooLarge
		return e
	}
	r.set.Policies = append(r.set.Policies, in)
	return nil
}

// list reads [{"existingPolicyId": ..., "document": ..., "policyUpdatedAt": ...}]
// or {"policies": [...]}.
func (r *setReader) list(v *Value) *Error {
	path := ""
	if v.Kind == KindObject {
		for _, m := range v.Obj {
			if m.Key != "policies" {
				return r.fail(m.Val, m.Key, "unknown key %q (a list of policies is {\"policies\": [...]})", m.Key)
			}
		}
		v, path = v.Get("policies"), "policies"
		if v.Kind != KindArray {
			return r.fail(v, path, "must be an array of {\"existingPolicyId\", \"document\"}, not %s", v.describe())
		}
	}
	for i, item := range v.Arr {
		ip := path + "[" + strconv.Itoa(i) + "]"
		if item.Kind != KindObject {
			return r.fail(item, ip, "want {\"existingPolicyId\": ..., \"document\": ...}, not %s", item.describe())
		}
		in := PolicyInput{Kind: PolicyInline, Path: join(ip, "document")}
		for _, m := range item.Obj {
			switch m.Key {
			case "existingPolicyId", "policyUpdatedAt":
				if m.Val.Kind != KindString {
					return r.fail(m.Val, join(ip, m.Key), "must be a string, not %s", m.Val.describe())
				}
			case "document":
			default:
				return r.fail(m.Val, join(ip, m.Key), "unknown key %q (want existingPolicyId, document, policyUpdatedAt)", m.Key)
			}
		}
		if id := item.Get("existingPolicyId"); id != nil {
			in.ID = id.Str
		}
		if strings.HasPrefix(in.ID, "arn:") {
			in.Kind = PolicyManaged
			if at := item.Get("policyUpdatedAt"); at != nil {
				in.UpdatedAt = at.Str
			}
		}
		doc := item.Get("document")
		if doc == nil {
			return r.fail(item, ip, "the policy has no \"document\"")
		}
		var err *Error
		if in.Policy, err = r.document(doc, in.Path); err != nil {
			return err
		}
		if err := r.add(item, in, doc); err != nil {
			return err
		}
	}
	return nil
}

// principalLists are the members of a dump that hold principals, and the keys
// of their fields.
var principalLists = []struct {
	list, kind, name, inline string
}{
	{"RoleDetailList", "role", "RoleName", "RolePolicyList"},
	{"UserDetailList", "user", "UserName", "UserPolicyList"},
}

// dump reads the policies of one principal of an authorization-details dump.
func (r *setReader) dump(v *Value, principal string, firstIfMany bool) *Error {
	type found struct {
		v    *Value
		path string
		kind int // index in principalLists
	}
	var all []found
	for k, pl := range principalLists {
		list := v.Get(pl.list)
		if list == nil || list.Kind == KindNull {
			continue
		}
		if list.Kind != KindArray {
			return r.fail(list, pl.list, "must be an array, not %s", list.describe())
		}
		for i, p := range list.Arr {
			pp := pl.list + "[" + strconv.Itoa(i) + "]"
			name := p.Get(pl.name)
			if p.Kind != KindObject || name == nil || name.Kind != KindString {
				return r.fail(p, pp, "want a %s with %s", pl.kind, pl.name)
			}
			info := PrincipalInfo{Name: name.Str, Kind: pl.kind}
			if arn := p.Get("Arn"); arn != nil && arn.Kind == KindString {
				info.Arn = arn.Str
			}
			r.set.Principals = append(r.set.Principals, info)
			all = append(all, found{p, pp, k})
		}
	}
	pick := -1
	for i, info := range r.set.Principals {
		if principal != "" && (strings.EqualFold(info.Name, principal) || info.Arn == principal) {
			pick = i
			break
		}
	}
	if principal == "" && (len(all) == 1 || firstIfMany && len(all) > 0) {
		pick = 0
	}
	if pick < 0 {
		var b strings.Builder
		for i, p := range r.set.Principals {
			if i == 10 {
				fmt.Fprintf(&b, ", and %d more", len(r.set.Principals)-10)
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.Kind + " " + p.Name)
		}
		switch {
		case len(all) == 0:
			return r.fail(v, "", "the authorization details hold no role or user (RoleDetailList and UserDetailList are empty)")
		case principal != "":
			return optionsError("principal", -1, "no role or user named %q in the authorization details; they hold %s", principal, b.String())
		}
		return optionsError("principal", -1, "the authorization details hold %d principals: name one (%s)", len(all), b.String())
	}
	r.set.Principal = &r.set.Principals[pick]
	return r.principal(v, all[pick].v, all[pick].path, all[pick].kind)
}

// principal reads the policies of the principal picked, standing at
// pickedPath in the dump v, of the kind principalLists[pickedKind];
// r.set.Principal is set.
func (r *setReader) principal(v, picked *Value, pickedPath string, pickedKind int) *Error {
	pl := principalLists[pickedKind]
	// Inline policies: the name is the id.
	if list := picked.Get(pl.inline); list != nil && list.Kind != KindNull {
		lp := join(pickedPath, pl.inline)
		if list.Kind != KindArray {
			return r.fail(list, lp, "must be an array, not %s", list.describe())
		}
		for i, item := range list.Arr {
			ip := lp + "[" + strconv.Itoa(i) + "]"
			name, doc := item.Get("PolicyName"), item.Get("PolicyDocument")
			if name == nil || name.Kind != KindString || doc == nil {
				return r.fail(item, ip, "want {\"PolicyName\", \"PolicyDocument\"}")
			}
			in := PolicyInput{ID: name.Str, Kind: PolicyInline, Path: join(ip, "PolicyDocument")}
			var err *Error
			if in.Policy, err = r.document(doc, in.Path); err != nil {
				return err
			}
			if err := r.add(item, in, doc); err != nil {
				return err
			}
		}
	}
	// Attached managed policies: the ARN is the id, the document is the
	// default version in Policies.
	if list := picked.Get("AttachedManagedPolicies"); list != nil && list.Kind != KindNull {
		lp := join(pickedPath, "AttachedManagedPolicies")
		if list.Kind != KindArray {
			return r.fail(list, lp, "must be an array, not %s", list.describe())
		}
		for i, item := range list.Arr {
			ip := lp + "[" + strconv.Itoa(i) + "]"
			arn := item.Get("PolicyArn")
			if arn == nil || arn.Kind != KindString {
				return r.fail(item, ip, "want {\"PolicyName\", \"PolicyArn\"}")
			}
			in := PolicyInput{ID: arn.Str, Kind: PolicyManaged}
			doc, err := r.managed(v, &in)
			if err != nil {
				return err
			}
			if in.Policy == nil {
				r.set.Warnings = append(r.set.Warnings, Warning{Code: WarnMissingDocument, Path: ip, Message: in.Missing})
			}
			if err := r.add(item, in, doc); err != nil {
				return err
			}
		}
	}
	if groups := picked.Get("GroupList"); pl.kind == "user" && groups != nil && groups.Kind == KindArray && len(groups.Arr) > 0 {
		var gs []string
		for _, g := range groups.Arr {
			gs = append(gs, g.Str)
		}
		r.set.Warnings = append(r.set.Warnings, Warning{Code: WarnGroupPolicies, Path: join(pickedPath, "GroupList"), Message: fmt.Sprintf(
			"user %s is in the groups %s: their policies grant the user permissions too, but they are the groups' policies, shared with every member; they are not refined here",
			r.set.Principal.Name, strings.Join(gs, ", "))})
	}
	return nil
}

// managed finds the default version of the managed policy in.ID in the dump's
// Policies and returns its document, or says in in.Missing why there is none.
func (r *setReader) managed(dump *Value, in *PolicyInput) (*Value, *Error) {
	pols := dump.Get("Policies")
	if pols != nil && pols.Kind != KindArray && pols.Kind != KindNull {
		return nil, r.fail(pols, "Policies", "must be an array, not %s", pols.describe())
	}
	if pols != nil && pols.Kind == KindArray {
		for i, p := range pols.Arr {
			if arn := p.Get("Arn"); arn == nil || arn.Kind != KindString || arn.Str != in.ID {
				continue
			}
			pp := "Policies[" + strconv.Itoa(i) + "]"
			def := ""
			if d := p.Get("DefaultVersionId"); d != nil && d.Kind == KindString {
				def = d.Str
			}
			versions := p.Get("PolicyVersionList")
			if versions == nil || versions.Kind != KindArray {
				break
			}
			for j, ver := range versions.Arr {
				isDefault := ver.Get("IsDefaultVersion")
				id := ver.Get("VersionId")
				if !(isDefault != nil && isDefault.Str == "true" || def != "" && id != nil && id.Str == def) {
					continue
				}
				doc := ver.Get("Document")
				if doc == nil {
					break
				}
				in.Path = pp + ".PolicyVersionList[" + strconv.Itoa(j) + "].Document"
				if at := ver.Get("CreateDate"); at != nil && at.Kind == KindString {
					in.UpdatedAt = at.Str
				}
				var err *Error
				in.Policy, err = r.document(doc, in.Path)
				return doc, err
			}
			break
		}
	}
	in.Missing = fmt.Sprintf("the authorization details have no document for the attached policy %s: it is not refined. "+
		"Fetch them with aws iam get-account-authorization-details and no --filter (or a --filter that includes LocalManagedPolicy and AWSManagedPolicy)", in.ID)
	return nil, nil
}
