package engine

import (
	"fmt"
	"time"
)

// This file answers POST /api/v1/recommendation: every policy of one principal
// refined against the same findings, in the shape of
// `aws accessanalyzer get-finding-recommendation`, with Whittle's own detail
// under one extra field.

// RecommendationType is the recommendationType of every answer, spelled as the
// service returns it.
const RecommendationType = "UNUSED_PERMISSION_RECOMMENDATION"

// RecommendationRequest is a parsed recommendation request.
type RecommendationRequest struct {
	Set      *PolicySet
	Findings *Findings
	Catalog  *Catalog
	Options  Options
}

// Recommendation is the answer of POST /api/v1/recommendation: the fields of
// get-finding-recommendation, in its order, then Whittle's detail.
type Recommendation struct {
	StartedAt          string            `json:"startedAt"`
	CompletedAt        string            `json:"completedAt"`
	Error              *struct{}         `json:"error"` // always null: a refusal is an *Error instead
	ResourceArn        string            `json:"resourceArn,omitempty"`
	RecommendationType string            `json:"recommendationType"`
	Status             string            `json:"status"`
	RecommendedSteps   []RecommendedStep `json:"recommendedSteps"`
	Whittle            WhittleDetail     `json:"whittle"`
}

// RecommendedStep is one step of a recommendation, as AWS nests it.
type RecommendedStep struct {
	Step UnusedPermissionsStep `json:"unusedPermissionsRecommendedStep"`
}

// UnusedPermissionsStep is CREATE_POLICY (with the refined document as minified
// JSON) or DETACH_POLICY for one existing policy.
type UnusedPermissionsStep struct {
	PolicyUpdatedAt   string `json:"policyUpdatedAt,omitempty"` // managed policies only
	RecommendedAction string `json:"recommendedAction"`
	RecommendedPolicy string `json:"recommendedPolicy,omitempty"`
	ExistingPolicyID  string `json:"existingPolicyId,omitempty"`
}

// WhittleDetail is what Whittle says beyond AWS's fields.
type WhittleDetail struct {
	Input     string         `json:"input"`               // how the policies were given: InputPolicy, InputPolicies, InputAuthorizationDetails
	Principal *PrincipalInfo `json:"principal,omitempty"` // picked from a dump
	// Principals lists every role and user of a dump, for a picker.
	Principals []PrincipalInfo `json:"principals,omitempty"`
	Findings   FindingsInfo    `json:"findings"`
	Catalog    CatalogInfo     `json:"catalog"`
	Policies   []PolicyDetail  `json:"policies"` // every policy, in the order given, unchanged ones included
	Warnings   []Warning       `json:"warnings"` // about the principal as a whole
}

// PolicyDetail is the refinement of one policy of the principal.
type PolicyDetail struct {
	ExistingPolicyID string `json:"existingPolicyId"`
	Kind             string `json:"kind"` // PolicyManaged or PolicyInline
	PolicyUpdatedAt  string `json:"policyUpdatedAt,omitempty"`
	Path             string `json:"path,omitempty"`    // where its document stands in the input
	Missing          string `json:"missing,omitempty"` // why it was not refined
	// Answer is what POST /api/v1/refine answers for this document with the same
	// findings, catalog and options.
	Answer *Response `json:"answer,omitempty"`
}

// ParseRecommendationRequest reads a recommendation request body: policies
// (a list, an authorization-details dump, or the text of either), findings,
// catalog and options.
func ParseRecommendationRequest(body []byte) (*RecommendationRequest, *Error) {
	top, err := parseBody(body, "policies", "findings", "catalog", "options")
	if err != nil {
		return nil, err
	}
	return readRecommendation(body, top, "policies", Options{}, false)
}

// RecommendationFromTexts is [ParseRecommendationRequest] for texts, as a
// page's editors hold them: errors in the policies name the field "policy",
// the editor's. Where a dump holds several principals and opt.Principal names
// none, it picks the first (a page's picker starts there) where the API asks
// which.
func RecommendationFromTexts(policies, findings, catalog string, opt Options) (*RecommendationRequest, *Error) {
	if err := opt.Check(); err != nil {
		return nil, err
	}
	top := &Value{Kind: KindObject, Off: -1, Obj: []Member{{Key: "policies", Val: strValue(policies)}, {Key: "findings", Val: strValue(findings)}}}
	if catalog != "" {
		top.Obj = append(top.Obj, Member{Key: "catalog", Val: strValue(catalog)})
	}
	return readRecommendation(nil, top, "policy", opt, true)
}

// readRecommendation reads a recommendation request from the members of top;
// field names the policies in errors.
func readRecommendation(body []byte, top *Value, field string, opt Options, firstIfMany bool) (*RecommendationRequest, *Error) {
	rr := &RecommendationRequest{Options: opt}
	if err := readTopOptions(body, top, &rr.Options); err != nil {
		return nil, err
	}
	pv := top.Get("policies")
	if pv == nil {
		return nil, &Error{Code: CodeInvalidRequest, Field: "body", Offset: -1,
			Message: `the request has no "policies" (a list of {"existingPolicyId", "document"}, or the output of aws iam get-account-authorization-details)`}
	}
	text, v, err := input(body, pv, field)
	if err != nil {
		return nil, err
	}
	if rr.Set, err = readPolicySet(text, v, field, rr.Options.Principal, firstIfMany); err != nil {
		return nil, err
	}
	if rr.Findings, rr.Catalog, err = readFindingsCatalog(body, top, rr.Options.age()); err != nil {
		return nil, err
	}
	return rr, nil
}

// JSON is the answer as the API writes it.
func (r *Recommendation) JSON() []byte { return marshalIndent(r) }

// Request is the refinement request of the i-th policy.
func (rr *RecommendationRequest) Request(i int) *Request {
	return &Request{Policy: rr.Set.Policies[i].Policy, Findings: rr.Findings, Catalog: rr.Catalog, Options: rr.Options}
}

// HandleRecommendation answers POST /api/v1/recommendation in the shape of
// aws accessanalyzer get-finding-recommendation; its times are the clock's.
func HandleRecommendation(body []byte) ([]byte, *Error) {
	return handleRecommendation(body, time.Now)
}

func handleRecommendation(body []byte, now func() time.Time) ([]byte, *Error) {
	rr, err := ParseRecommendationRequest(body)
	if err != nil {
		return nil, err
	}
	// The policies share MaxWork: many small ones cost what one large one does.
	var budget sharedBudget
	rec, err := recommend(rr, now, func(req *Request) (*Response, *Error) {
		res, err := budget.refine(req)
		if err != nil {
			return nil, err
		}
		return respond(req, res), nil
	})
	if err != nil {
		return nil, err
	}
	return rec.JSON(), nil
}

// Recommend refines every policy of rr and shapes the answer; now gives
// startedAt and completedAt.
func Recommend(rr *RecommendationRequest, now func() time.Time) *Recommendation {
	rec, _ := recommend(rr, now, func(req *Request) (*Response, *Error) { return Respond(req), nil })
	return rec
}

// Recommend is [Recommend] within the session.
func (s *Session) Recommend(rr *RecommendationRequest, now func() time.Time) *Recommendation {
	rec, _ := recommend(rr, now, func(req *Request) (*Response, *Error) { return s.Respond(req), nil })
	return rec
}

// recommend refines every policy of rr with respond; a refusal of one (past
// the budget) refuses the request, naming the policy.
func recommend(rr *RecommendationRequest, now func() time.Time, respond func(*Request) (*Response, *Error)) (*Recommendation, *Error) {
	started := now()
	set := rr.Set
	out := &Recommendation{RecommendationType: RecommendationType, Status: "SUCCEEDED", RecommendedSteps: []RecommendedStep{}}
	w := &out.Whittle
	w.Input, w.Principal, w.Principals = set.Form, set.Principal, set.Principals
	w.Catalog = rr.Catalog.Info()
	w.Policies = []PolicyDetail{}
	w.Warnings = append([]Warning{}, set.Warnings...)
	if set.Principal != nil {
		out.ResourceArn = set.Principal.Arn
	}
	var refined []*Policy
	inline := 0 // characters of the inline policies after refinement
	for i, in := range set.Policies {
		d := PolicyDetail{ExistingPolicyID: in.ID, Kind: in.Kind, Path: in.Path, Missing: in.Missing}
		if in.Kind == PolicyManaged {
			d.PolicyUpdatedAt = in.UpdatedAt
		}
		if in.Policy == nil {
			w.Policies = append(w.Policies, d)
			continue
		}
		refined = append(refined, in.Policy)
		var err *Error
		if d.Answer, err = respond(rr.Request(i)); err != nil {
			err.Field = "policies"
			if in.Path != "" {
				err.Message = in.Path + ": " + err.Message
				err.Path = join(in.Path, err.Path)
			}
			return nil, err
		}
		w.Policies = append(w.Policies, d)
		step := UnusedPermissionsStep{PolicyUpdatedAt: d.PolicyUpdatedAt, ExistingPolicyID: in.ID}
		switch d.Answer.RecommendedAction {
		case ActionCreate:
			step.RecommendedAction = ActionCreate
			step.RecommendedPolicy = string(d.Answer.RecommendedPolicy)
			out.RecommendedSteps = append(out.RecommendedSteps, RecommendedStep{step})
			step.RecommendedPolicy = ""
			fallthrough
		case ActionDetach:
			step.RecommendedAction = ActionDetach
			out.RecommendedSteps = append(out.RecommendedSteps, RecommendedStep{step})
		}
		if in.Kind == PolicyInline {
			inline += d.Answer.Size.After
		}
	}
	w.Findings = rr.Findings.info(rr.Catalog, refined...)
	if p := set.Principal; p != nil {
		quota := QuotaRoleInline
		if p.Kind == "user" {
			quota = QuotaUserInline
		}
		if inline > quota {
			w.Warnings = append(w.Warnings, Warning{Code: WarnOverQuota, Message: fmt.Sprintf(
				"the refined inline policies of %s %s have %d characters without whitespace in all, over the quota of %d for a %s's inline policies",
				p.Kind, p.Name, inline, quota, p.Kind)})
		}
	}
	out.StartedAt = started.UTC().Format(timeLayout)
	out.CompletedAt = now().UTC().Format(timeLayout)
	return out, nil
}
