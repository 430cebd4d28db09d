package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file answers POST /api/v1/check: a candidate refinement — AWS's
// recommendation, a hand edit, anyone's — checked against the contract by
// the independent verifier ([verify]: it shares no code with the
// generalization), and compared with Whittle's own answer.

// CheckResponse is the answer of POST /api/v1/check: one check a policy.
type CheckResponse struct {
	Checks   []PolicyCheck `json:"checks"`
	Findings FindingsInfo  `json:"findings"`
	Catalog  CatalogInfo   `json:"catalog"`
}

// Verdicts of a check.
const (
	VerdictExact    = "EXACT"     // C1, C2, C3 and C5 hold
	VerdictNotExact = "NOT_EXACT" // something is wrong: see the lists
)

// PolicyCheck is the check of one candidate against one policy.
type PolicyCheck struct {
	ExistingPolicyID string `json:"existingPolicyId,omitempty"` // when the candidate is a recommendation
	Verdict          string `json:"verdict"`                    // EXACT or NOT_EXACT
	// CandidateAction is what the candidate does with the policy:
	// CREATE_POLICY (a refined document), DETACH_POLICY or NONE (kept as is).
	CandidateAction string `json:"candidateAction"`
	// C1: the actions the candidate allows that it should not (unused, or never
	// allowed by the original) and those it loses that are still used.
	OverPermissive  []ActionIssue `json:"overPermissive"`
	UnderPermissive []ActionIssue `json:"underPermissive"`
	// C2: each candidate pattern broader than the original patterns of its
	// statement, with a witness.
	Broader []BroaderPattern `json:"broader"`
	// C3: what changed besides actions; C5: entries covered by another.
	Structure []string    `json:"structure"`
	Redundant []string    `json:"redundant"`
	Whittle   WhittleDiff `json:"whittle"`
	Size      CheckSize   `json:"size"`
}

// ActionIssue is one action a candidate gets wrong (C1).
type ActionIssue struct {
	Statement   string `json:"statement"` // the original statement, Statement[1]
	Action      string `json:"action"`
	AccessLevel string `json:"accessLevel,omitempty"`
	// Why, for an over-permissive action: WhyUnused (the findings say so) or
	// WhyNotAllowed.
	Why string `json:"why,omitempty"`
}

// Why an over-permissive action is listed ([ActionIssue.Why]).
const (
	WhyUnused     = "unused"
	WhyNotAllowed = "not allowed by the original"
)

// BroaderPattern is a candidate pattern that allows what the original
// patterns of its statement do not (C2).
type BroaderPattern struct {
	Path    string `json:"path"` // in the candidate, Statement[1].Action[0]
	Pattern string `json:"pattern"`
	// Original is the patterns of the original statement it was checked against.
	Original []string `json:"original"`
	// Witness is an action name the pattern matches and no original pattern of
	// the statement does: an action of the catalog when one exists, else a
	// name that may not exist yet.
	Witness string `json:"witness"`
}

// WhittleDiff compares the candidate with Whittle's own refinement.
type WhittleDiff struct {
	RecommendedAction string `json:"recommendedAction"`
	// Entries (Statement[i]: pattern, by original statement) only in one of the two.
	OnlyInCandidate []string `json:"onlyInCandidate"`
	OnlyInWhittle   []string `json:"onlyInWhittle"`
	// SameActions: both allow the same actions of the universe (catalog and
	// unused actions), statement by statement.
	SameActions bool `json:"sameActions"`
}

// CheckSize is the size of the candidate and of Whittle's answer, in
// characters without whitespace, against the quotas.
type CheckSize struct {
	Original           int `json:"original"`
	Candidate          int `json:"candidate"`
	Whittle            int `json:"whittle"`
	ManagedPolicyQuota int `json:"managedPolicyQuota"`
	RoleInlineQuota    int `json:"roleInlineQuota"`
}

// candidate is what a candidate says of one policy.
type candidate struct {
	action string  // ActionCreate (doc), ActionDetach or ActionNone (the policy kept)
	doc    *Policy // the candidate document, for ActionCreate
	text   []byte  // its text (compact), for ActionCreate
}

// CheckRequest is a parsed check request: the policies, what the candidate
// says of each, and the findings, catalog and options of a refinement.
type CheckRequest struct {
	Set        *PolicySet
	candidates []candidate // one per policy of Set
	Findings   *Findings
	Catalog    *Catalog
	Options    Options
}

// HandleCheck answers POST /api/v1/check: body holds policy (one document) or
// policies (as the recommendation route takes them), findings, candidate (a
// policy document or its text, a recommendedPolicy string, or a whole
// get-finding-recommendation output), and optional catalog and options.
func HandleCheck(body []byte) ([]byte, *Error) {
	req, err := ParseCheckRequest(body)
	if err != nil {
		return nil, err
	}
	resp, err := checkWithin(req, &Session{}, MaxWork)
	if err != nil {
		return nil, err
	}
	return marshalIndent(resp), nil
}

// ParseCheckRequest reads a check request body.
func ParseCheckRequest(body []byte) (*CheckRequest, *Error) {
	top, err := parseBody(body, "policy", "policies", "findings", "candidate", "catalog", "options")
	if err != nil {
		return nil, err
	}
	return readCheck(body, top, "", Options{}, false)
}

// CheckFromTexts is [ParseCheckRequest] for the texts of a page's editors: the
// policy (one document, or a principal's policies as RecommendationFromTexts
// reads them), findings, catalog ("" for none) and candidate.
func CheckFromTexts(policy, findings, catalog, candidate string, opt Options) (*CheckRequest, *Error) {
	if err := opt.Check(); err != nil {
		return nil, err
	}
	top := &Value{Kind: KindObject, Off: -1, Obj: []Member{
		{Key: "policies", Val: strValue(policy)}, {Key: "findings", Val: strValue(findings)}, {Key: "candidate", Val: strValue(candidate)}}}
	if catalog != "" {
		top.Obj = append(top.Obj, Member{Key: "catalog", Val: strValue(catalog)})
	}
	return readCheck(nil, top, "policy", opt, true)
}

// readCheck reads a check request from the members of top; field names the
// policies in errors ("" for the name of the member that holds them), and
// firstIfMany picks a dump's first principal when none is named.
func readCheck(body []byte, top *Value, field string, opt Options, firstIfMany bool) (*CheckRequest, *Error) {
	req := &CheckRequest{Options: opt}
	if err := readTopOptions(body, top, &req.Options); err != nil {
		return nil, err
	}
	key := "policy"
	if top.Get("policies") != nil {
		key = "policies"
	}
	if field == "" {
		field = key
	}
	if top.Get("policy") != nil && top.Get("policies") != nil {
		return nil, &Error{Code: CodeInvalidRequest, Field: "body", Offset: -1, Message: `send "policy" (one document) or "policies", not both`}
	}
	pv := top.Get(key)
	if pv == nil {
		return nil, &Error{Code: CodeInvalidRequest, Field: "body", Offset: -1, Message: `the request has no "policy" (or "policies")`}
	}
	text, v, err := input(body, pv, field)
	if err != nil {
		return nil, err
	}
	if req.Set, err = readPolicySet(text, v, field, req.Options.Principal, firstIfMany); err != nil {
		return nil, err
	}
	cv := top.Get("candidate")
	if cv == nil {
		return nil, &Error{Code: CodeInvalidRequest, Field: "body", Offset: -1,
			Message: `the request has no "candidate" (a policy document, its text, or a get-finding-recommendation output)`}
	}
	if err := req.readCandidate(body, cv); err != nil {
		return nil, err
	}
	if req.Findings, req.Catalog, err = readFindingsCatalog(body, top, req.Options.age()); err != nil {
		return nil, err
	}
	return req, nil
}

func candidateError(v *Value, path, format string, args ...any) *Error {
	return errorAt(CodeInvalidCandidate, "candidate", path, v.Off, format, args...)
}

// readCandidate reads the candidate: a document (or its text) for a lone
// policy, or a recommendation's steps for each policy by existingPolicyId.
func (req *CheckRequest) readCandidate(body []byte, cv *Value) *Error {
	text, v, err := input(body, cv, "candidate")
	if err != nil {
		err.Code = CodeInvalidCandidate
		return err
	}
	pols := req.Set.Policies
	req.candidates = make([]candidate, len(pols))
	if v.Kind != KindObject || v.Get("recommendedSteps") == nil {
		if len(pols) != 1 {
			return candidateError(v, "", "the policies are %d: check them against a get-finding-recommendation output, whose steps name each one", len(pols)).Locate(text)
		}
		doc, err := policyFromValue(v)
		if err != nil {
			err.Code, err.Field = CodeInvalidCandidate, "candidate"
			return err.Locate(text)
		}
		req.candidates[0] = candidate{action: ActionCreate, doc: doc, text: AppendJSON(nil, doc.Doc, "")}
		return nil
	}
	steps := v.Get("recommendedSteps")
	if steps.Kind != KindArray {
		return candidateError(steps, "recommendedSteps", "must be an array, not %s", steps.describe()).Locate(text)
	}
	for i := range req.candidates {
		req.candidates[i].action = ActionNone // no step: AWS keeps the policy
	}
	loneID := "" // the id of the steps, for a lone document
	for i, s := range steps.Arr {
		sp := "recommendedSteps[" + strconv.Itoa(i) + "]"
		st := s.Get("unusedPermissionsRecommendedStep")
		if st == nil || st.Kind != KindObject {
			return candidateError(s, sp, "want {\"unusedPermissionsRecommendedStep\": {...}}").Locate(text)
		}
		sp += ".unusedPermissionsRecommendedStep"
		act, id := st.Get("recommendedAction"), st.Get("existingPolicyId")
		if act == nil || act.Kind != KindString || act.Str != ActionCreate && act.Str != ActionDetach {
			return candidateError(st, sp, "want recommendedAction CREATE_POLICY or DETACH_POLICY").Locate(text)
		}
		idText := ""
		if id != nil && id.Kind == KindString {
			idText = id.Str
		}
		k := -1
		for j, p := range pols {
			if p.ID == idText || len(pols) == 1 && p.ID == "" {
				k = j
				break
			}
		}
		if len(pols) == 1 && pols[0].ID == "" {
			// A lone document: the steps must all be of one policy, whatever its id.
			if i > 0 && idText != loneID {
				return candidateError(st, join(sp, "existingPolicyId"), "the candidate has steps for several policies (%q, %q): check them with \"policies\"", loneID, idText).Locate(text)
			}
			loneID = idText
		}
		if k < 0 {
			name := ""
			if id != nil {
				name = id.Str
			}
			return candidateError(st, join(sp, "existingPolicyId"), "no policy with existingPolicyId %q among the policies checked", name).Locate(text)
		}
		c := &req.candidates[k]
		if act.Str == ActionDetach {
			if c.action != ActionCreate {
				c.action = ActionDetach
			}
			continue
		}
		rp := st.Get("recommendedPolicy")
		if rp == nil || rp.Kind != KindString {
			return candidateError(st, sp, "a CREATE_POLICY step needs recommendedPolicy, the document as a JSON string").Locate(text)
		}
		inner := []byte(rp.Str)
		dv, err := ParseJSON(inner)
		if err == nil {
			var doc *Policy
			if doc, err = policyFromValue(dv); err == nil {
				*c = candidate{action: ActionCreate, doc: doc, text: AppendJSON(nil, doc.Doc, "")}
				continue
			}
			err.Locate(inner)
		}
		return candidateError(rp, join(sp, "recommendedPolicy"), "the document: %s", err.Error()).Locate(text)
	}
	return nil
}

// Check checks the candidate of each policy of req.
func Check(req *CheckRequest) *CheckResponse {
	resp, _ := checkWithin(req, &Session{}, 0)
	return resp
}

// Check is [Check] within the session.
func (s *Session) Check(req *CheckRequest) *CheckResponse {
	resp, _ := checkWithin(req, s, 0)
	return resp
}

// checkWithin checks within limit steps of work in all (0: no limit), the
// refinements and the verifications of every policy sharing it, as the
// recommendation route's policies do; past it, the answer is TOO_COMPLEX.
func checkWithin(req *CheckRequest, s *Session, limit int64) (*CheckResponse, *Error) {
	out := &CheckResponse{Checks: []PolicyCheck{}, Catalog: req.Catalog.Info()}
	var policies []*Policy
	var spent int64
	for i, in := range req.Set.Policies {
		if in.Policy == nil {
			continue
		}
		policies = append(policies, in.Policy)
		left := int64(0)
		if limit > 0 {
			left = max(limit-spent, 1)
		}
		c, used, err := s.checkOne(&Request{Policy: in.Policy, Findings: req.Findings, Catalog: req.Catalog, Options: req.Options}, req.candidates[i], left)
		if err != nil {
			if in.Path != "" {
				err.Message = in.Path + ": " + err.Message
			}
			return nil, err
		}
		spent += used
		if req.Set.Form != InputPolicy {
			c.ExistingPolicyID = in.ID
		}
		out.Checks = append(out.Checks, c)
	}
	out.Findings = req.Findings.info(req.Catalog, policies...)
	return out, nil
}

// checkOne checks one candidate against its policy with the verifier, over
// the universe of a refinement in session s (the whole catalog: a candidate
// may name services the policy does not), within limit steps of work (0: no
// limit); used is the work spent.
func (s *Session) checkOne(req *Request, cand candidate, limit int64) (pc PolicyCheck, used int64, err *Error) {
	s.mu.Lock()
	res, err := refineWithin(req.Policy, req.Findings, req.Catalog, req.Options, s, limit)
	s.mu.Unlock()
	if err != nil {
		return pc, 0, err
	}
	// The candidate's verification is metered with what is left.
	w := &work{}
	if limit > 0 {
		w.limit = max(limit-res.work.total(), 1)
	}
	defer func() {
		if v := recover(); v != nil {
			tc, ok := v.(tooComplex)
			if !ok {
				panic(v)
			}
			pc, used, err = PolicyCheck{}, 0, tc.err
			err.Field = "candidate"
		}
	}()
	u := res.universe
	orig := req.Policy
	pc = PolicyCheck{CandidateAction: cand.action, OverPermissive: []ActionIssue{}, UnderPermissive: []ActionIssue{},
		Broader: []BroaderPattern{}}
	var text []byte
	var doc *Policy
	var kept []int
	var pairing []string
	switch cand.action {
	case ActionCreate:
		text, doc = cand.text, cand.doc
		kept, pairing = pairStatements(orig, doc)
	case ActionNone:
		text, doc = AppendJSON(nil, orig.Doc, ""), orig
		for _, st := range orig.Statements {
			kept = append(kept, st.Index)
		}
	default: // detached: nothing is allowed any more
		doc = &Policy{}
	}
	w.at("", "checking the candidate")
	// With the refinement's memo: a candidate statement that is Whittle's
	// (AWS's answer mostly is) was checked already, over the same universe.
	s.mu.Lock()
	v := func() Verification {
		defer s.mu.Unlock()
		ref := doc // as parsed when the request was read
		if text == nil {
			ref = nil // detached
		}
		return verifyParsed(orig, ref, kept, u, res.memo, w)
	}()
	pc.Structure = append(append([]string{}, pairing...), v.Structure...)
	pc.Redundant = v.Redundant
	issue := func(entry string, over bool) ActionIssue {
		st, action, _ := strings.Cut(entry, ": ")
		ai := ActionIssue{Statement: st, Action: action, AccessLevel: req.Catalog.AccessLevel(action)}
		if over {
			ai.Why = WhyUnused
			if i := statementIndex(st); i >= 0 && i < len(orig.Statements) {
				if !allowsAction(orig.Statements[i], action) {
					ai.Why = WhyNotAllowed
				}
			}
		}
		return ai
	}
	for _, e := range v.OverPermissive {
		pc.OverPermissive = append(pc.OverPermissive, issue(e, true))
	}
	for _, e := range v.UnderPermissive {
		pc.UnderPermissive = append(pc.UnderPermissive, issue(e, false))
	}
	for _, e := range v.Broader {
		path, pat, _ := strings.Cut(e, ": ")
		b := BroaderPattern{Path: path, Pattern: pat}
		if j := statementIndex(path); j >= 0 && j < len(kept) {
			for _, p := range orig.Statements[kept[j]].Patterns {
				b.Original = append(b.Original, p.Text)
			}
			b.Witness, _ = witness(pat, b.Original, u, w)
		}
		pc.Broader = append(pc.Broader, b)
	}
	pc.Verdict = VerdictNotExact
	if v.Exact && len(pairing) == 0 {
		pc.Verdict = VerdictExact
	}
	pc.Whittle = whittleDiff(orig, doc, kept, res, u, w)
	pc.Size = CheckSize{Original: res.Size.Before, Candidate: policySize(text), Whittle: res.Size.After,
		ManagedPolicyQuota: QuotaManagedPolicy, RoleInlineQuota: QuotaRoleInline}
	return pc, res.work.total() + w.total(), nil
}

// allowsAction reports whether statement s (its Action or NotAction, whatever
// its Effect) takes in action.
func allowsAction(s *Statement, action string) bool {
	matched := slices.ContainsFunc(s.Patterns, func(p PatternRef) bool { return Match(p.Text, action) })
	return matched != (s.Key == "NotAction")
}

// statementIndex reads i from a path "Statement[i]…" ("Statement" alone: 0).
func statementIndex(path string) int {
	rest, ok := strings.CutPrefix(path, "Statement")
	if !ok {
		return -1
	}
	if !strings.HasPrefix(rest, "[") {
		return 0
	}
	end := strings.IndexByte(rest, ']')
	i, err := strconv.Atoi(rest[1:max(end, 1)])
	if end < 0 || err != nil {
		return -1
	}
	return i
}

// pairStatements pairs the candidate's statements with the original's, in
// order: each with the first original statement after the last one paired
// that has the same Sid, or (without Sids) the same keys and values but
// Action/NotAction and related patterns (one of the candidate's first few
// within the original's, or, for NotAction, an original entry kept); failing
// that, the first with the same keys. A candidate statement like none is
// paired with the next original one, so that the verifier says what
// differs; one past the original's last is noted.
func pairStatements(orig, cand *Policy) (kept []int, notes []string) {
	next := 0
	for ci, c := range cand.Statements {
		found, same := -1, -1
		for o := next; o < len(orig.Statements) && found < 0; o++ {
			os := orig.Statements[o]
			sidO, sidC := os.Obj.Get("Sid"), c.Obj.Get("Sid")
			switch {
			case sidO != nil && sidC != nil:
				if sidO.Kind == KindString && sidC.Kind == KindString && sidO.Str == sidC.Str {
					found = o
				}
			case sameExceptActions(os.Obj, c.Obj):
				if same < 0 {
					same = o
				}
				if related(os, c) {
					found = o
				}
			}
		}
		if found < 0 {
			found = same
		}
		if found < 0 {
			if next >= len(orig.Statements) {
				notes = append(notes, fmt.Sprintf("%s: the original has no statement left to pair it with", cand.statementPath(ci)))
				continue
			}
			found = next // the verifier says what differs
		}
		kept = append(kept, found)
		next = found + 1
	}
	// Statements left unpaired cannot be checked: the verifier counts them.
	return kept, notes
}

// relatedPatterns is how many of a candidate statement's patterns pairing
// tries: enough to tell statements apart, few enough to stay cheap.
const relatedPatterns = 4

// related reports whether candidate statement c may be a refinement of
// original statement o: of the same key, and (Action) one of its first
// patterns within o's patterns, or (NotAction) one of o's entries kept.
func related(o, c *Statement) bool {
	if o.Key != c.Key {
		return false
	}
	if o.Key == "NotAction" {
		for _, op := range o.Patterns {
			for _, cp := range c.Patterns {
				if equalFoldKey(op.Text, cp.Text) {
					return true
				}
			}
		}
		return false
	}
	var origs []string
	for _, p := range o.Patterns {
		origs = append(origs, p.Text)
	}
	for i, p := range c.Patterns {
		if i == relatedPatterns {
			break
		}
		if includesAny(p.Text, origs, nil) {
			return true
		}
	}
	return false
}

// whittleDiff compares the candidate's entries with Whittle's refinement,
// statement by original statement, and what each allows over u.
func whittleDiff(orig, cand *Policy, kept []int, res *Result, u *universe, w *work) WhittleDiff {
	d := WhittleDiff{RecommendedAction: res.Action, OnlyInCandidate: []string{}, OnlyInWhittle: []string{}, SameActions: true}
	mine := res.parsed // nil for DETACH_POLICY
	byOrig := func(p *Policy, idx []int) map[int]*Statement {
		m := map[int]*Statement{}
		if p == nil {
			return m
		}
		for i, st := range p.Statements {
			if i < len(idx) {
				m[idx[i]] = st
			}
		}
		return m
	}
	theirs, ours := byOrig(cand, kept), byOrig(mine, res.Kept)
	for _, o := range orig.Statements {
		if o.Effect != "Allow" {
			continue
		}
		path := orig.statementPath(o.Index)
		c, mineSt := theirs[o.Index], ours[o.Index]
		onlyC, onlyW := entryDiff(path, c, mineSt)
		d.OnlyInCandidate = append(d.OnlyInCandidate, onlyC...)
		d.OnlyInWhittle = append(d.OnlyInWhittle, onlyW...)
		// The same entries (as Match reads them: folded) under the same key
		// allow the same actions; only a difference needs the expansion.
		sameEntries := len(onlyC) == 0 && len(onlyW) == 0 &&
			(c == nil && mineSt == nil || c != nil && mineSt != nil && c.Key == mineSt.Key)
		if d.SameActions && !sameEntries && !sameAllowed(c, mineSt, u, w) {
			d.SameActions = false
		}
	}
	return d
}

// entryDiff returns the entries of a that b lacks and those of b that a lacks,
// compared folded (as Match reads them), each as "path: text", sorted.
func entryDiff(path string, a, b *Statement) (onlyA, onlyB []string) {
	ae, be := diffEntries(a), diffEntries(b)
	for i, j := 0, 0; i < len(ae) || j < len(be); {
		switch {
		case j == len(be) || i < len(ae) && ae[i].key < be[j].key:
			onlyA = append(onlyA, path+": "+ae[i].text)
			i++
		case i == len(ae) || be[j].key < ae[i].key:
			onlyB = append(onlyB, path+": "+be[j].text)
			j++
		default:
			i, j = i+1, j+1
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}

// diffEntry is an entry of a statement, by its folded text.
type diffEntry struct{ key, text string }

// diffEntries returns the entries of st (nil: none) sorted by their folded
// text, one for each folded text (the last written: as the entries of a map
// would be).
func diffEntries(st *Statement) []diffEntry {
	if st == nil {
		return nil
	}
	texts := make([]string, len(st.Patterns))
	for i, p := range st.Patterns {
		texts[i] = p.Text
	}
	keys := foldAll(texts, func(t string) string { return t })
	es := make([]diffEntry, len(keys))
	for i, k := range keys {
		es[i] = diffEntry{k, texts[i]}
	}
	slices.SortStableFunc(es, func(a, b diffEntry) int { return strings.Compare(a.key, b.key) })
	out := es[:0]
	for i, e := range es {
		if i+1 < len(es) && es[i+1].key == e.key {
			continue
		}
		out = append(out, e)
	}
	return out
}

// sameAllowed reports whether two statements (nil: removed) allow the same
// actions of u.
func sameAllowed(a, b *Statement, u *universe, w *work) bool {
	// none reports whether st allows no action of u.
	none := func(st *Statement) bool {
		if st == nil {
			return true
		}
		n := len(expand(u, st.Patterns, w))
		return st.Key == "Action" && n == 0 || st.Key == "NotAction" && n == u.len()
	}
	switch {
	case a == nil || b == nil:
		return none(a) && none(b)
	case a.Key != b.Key:
		return false
	}
	return slices.Equal(expand(u, a.Patterns, w), expand(u, b.Patterns, w))
}
