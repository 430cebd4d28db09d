package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Recommended actions.
const (
	ActionCreate = "CREATE_POLICY"
	ActionDetach = "DETACH_POLICY"
	ActionNone   = "NONE"
)

// AWS policy size quotas, in characters without whitespace.
const (
	QuotaManagedPolicy = 6144
	QuotaRoleInline    = 10240
	QuotaUserInline    = 2048
	QuotaGroupInline   = 5120
)

// Result is a refinement: the refined document and everything said about it.
type Result struct {
	Action   string // CREATE_POLICY, DETACH_POLICY or NONE
	Policy   *Value // the refined document; nil for DETACH_POLICY
	Text     []byte // Policy as compact JSON, the bytes every answer carries
	Kept     []int  // for each refined statement, its index in the original
	Changes  []Change
	Warnings []Warning
	Tries    []Trie
	Verify   Verification
	Size     Size

	universe *universe
	work     *work   // what the refinement and its verification cost
	memo     *memo   // what it computed; a session's, guarded by its lock
	parsed   *Policy // Text parsed again, for the verification
}

// Refine refines policy p given the findings, over catalog cat, per the
// refinement contract (rules C1–C5). It never fails: every problem of the input
// was refused while parsing. The result carries the independent verification.
//
// Refine does all the work the request asks, however much; a wrapper that
// answers untrusted requests calls [refineBounded].
func Refine(p *Policy, f *Findings, cat *Catalog, opt Options) *Result {
	return refineIn(p, f, cat, opt, nil)
}

// refineBounded is [Refine] within the budget MaxWork: a refinement that
// would cost more stops early, and the answer is an *Error with code
// TOO_COMPLEX naming the statement.
func refineBounded(p *Policy, f *Findings, cat *Catalog, opt Options) (*Result, *Error) {
	return refineWithin(p, f, cat, opt, nil, MaxWork)
}

// refineIn is Refine, reusing what session s (if not nil) kept.
func refineIn(p *Policy, f *Findings, cat *Catalog, opt Options, s *Session) *Result {
	res, _ := refineWithin(p, f, cat, opt, s, 0)
	return res
}

// refineWithin is refineIn within limit steps of work (0: no limit).
func refineWithin(p *Policy, f *Findings, cat *Catalog, opt Options, s *Session, limit int64) (res *Result, err *Error) {
	r := newRefiner(p, cat, opt, s)
	r.w.limit = limit
	defer func() {
		if v := recover(); v != nil {
			tc, ok := v.(tooComplex)
			if !ok {
				panic(v)
			}
			if s != nil {
				s.states = nil // memos may hold results made halfway
			}
			res, err = nil, tc.err
		}
	}()
	r.buildUniverse(f)
	r.run()
	res = r.res
	res.work, res.memo = r.w, r.memo
	if res.Policy != nil {
		res.Text = AppendJSON(nil, res.Policy, "")
	}
	// Verified from the bytes answered, parsed again (and once: the check
	// route compares them with a candidate).
	res.Verify, res.parsed = verify(p, res.Text, res.Kept, res.universe, r.memo, r.w)
	res.Size = Size{
		Before:             policySize(AppendJSON(nil, p.Doc, "")),
		ManagedPolicyQuota: QuotaManagedPolicy,
		RoleInlineQuota:    QuotaRoleInline,
		UserInlineQuota:    QuotaUserInline,
		GroupInlineQuota:   QuotaGroupInline,
	}
	res.Size.After = policySize(res.Text)
	if res.Action != ActionNone && slices.ContainsFunc(p.Statements, func(s *Statement) bool { return s.Effect == "Allow" && s.Key == "NotAction" }) {
		res.Warnings = append(res.Warnings, Warning{Code: WarnNotAction, Message: "Access Analyzer makes no recommendation for a policy with an Allow NotAction statement; " +
			"Whittle refines it by adding the unused actions to NotAction (checked like every answer), so AWS would not show this one"})
	}
	if res.Size.After > QuotaManagedPolicy {
		res.Warnings = append(res.Warnings, Warning{Code: WarnOverQuota, Message: fmt.Sprintf(
			"the refined policy has %d characters without whitespace, over the managed policy quota of %d", res.Size.After, QuotaManagedPolicy)})
	}
	return res, nil
}

// policySize counts the characters of the document without whitespace, as AWS
// does for its quotas.
func policySize(text []byte) int {
	n := 0
	for len(text) > 0 {
		r, size := utf8.DecodeRune(text)
		text = text[size:]
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

type refiner struct {
	p    *Policy
	cat  *Catalog
	gran string
	opt  Options
	u    *universe
	res  *Result
	sess *Session // nil: nothing is kept after the refinement
	w    *work
	memo *memo // what pattern, dropRedundant and verify have computed
}

func newRefiner(p *Policy, cat *Catalog, opt Options, s *Session) *refiner {
	gran := opt.Granularity
	if gran == "" {
		gran = GranularityWord
	}
	return &refiner{p: p, cat: cat, gran: gran, opt: opt, res: &Result{}, sess: s, w: &work{}, memo: newMemo()}
}

func (r *refiner) warn(code, path, format string, args ...any) {
	r.res.Warnings = append(r.res.Warnings, Warning{Code: code, Path: path, Message: fmt.Sprintf(format, args...)})
}

// reach returns the services the policy and the findings name, or all when
// some pattern can reach any service (a NotAction, a wildcard in a service).
func (r *refiner) reach(f *Findings) (services map[string]bool, all bool) {
	services = map[string]bool{}
	for _, s := range r.p.Statements {
		if s.Effect != "Allow" {
			continue
		}
		if s.Key == "NotAction" {
			all = true
		}
		for _, pat := range s.Patterns {
			svc, ok := serviceOf(pat.Text)
			if !ok {
				all = true
			}
			services[svc] = true
		}
	}
	for _, a := range f.Actions {
		svc, _, _ := strings.Cut(a.Name, ":")
		services[svc] = true
	}
	for _, s := range f.Services {
		services[s.Name] = true
	}
	return services, all
}

// buildUniverse collects the services the policy can reach and marks the unused
// actions; unused actions the catalog does not know join the universe. In a
// session, the session does (see [Session.prepare]).
func (r *refiner) buildUniverse(f *Findings) {
	if r.sess != nil {
		r.sess.prepare(r, f)
		return
	}
	services, all := r.reach(f)
	u, _ := r.markUnused(newUniverse(r.cat, services, all, nil), f, services, all)
	r.w.match(u.len()) // made for this refinement
	r.u, r.res.universe = u, u
}

// markUnused marks the unused actions of the findings in u, a universe of the
// given services (or all) with none marked, and returns it, or a new one when
// the findings name actions u lacks (extra, unknown to the catalog).
func (r *refiner) markUnused(u *universe, f *Findings, services map[string]bool, all bool) (_ *universe, extra []string) {
	for _, s := range f.Services {
		if r.cat.names(s.Name) == nil {
			r.warn(WarnUnknownService, "findings."+s.Path, "service %q is not in the catalog", s.Name)
		}
	}
	// The universe holds every service an unused action names, so an unused
	// action it lacks is unknown to the catalog: it joins the universe.
	// Each unused action's position, found without folding a copy of its
	// name (-1: unknown to the catalog).
	at := make([]int, len(f.Actions))
	seen := map[string]bool{}
	for i, a := range f.Actions {
		if at[i] = u.indexOf(a.Name); at[i] < 0 && !seen[foldKey(a.Name)] {
			seen[foldKey(a.Name)] = true
			r.warn(WarnUnknownAction, "findings."+a.Path, "%q is not in the catalog; it counts as unused all the same", a.Name)
			extra = append(extra, a.Name)
		}
	}
	if extra != nil {
		u = newUniverse(r.cat, services, all, extra)
		for i, a := range f.Actions {
			at[i] = u.indexOf(a.Name)
		}
	}
	for _, i := range at {
		if i >= 0 {
			u.unused[i] = true
		}
	}
	for _, s := range f.Services {
		lo, hi := u.prefixRange(s.Name + ":")
		for i := lo; i < hi; i++ {
			u.unused[i] = true
		}
	}
	return u, extra
}

func (r *refiner) run() {
	var out []*Value
	changed := false
	anyAllow := false
	for _, s := range r.p.Statements {
		if s.Effect != "Allow" {
			out = append(out, s.Obj)
			r.res.Kept = append(r.res.Kept, s.Index)
			continue
		}
		anyAllow = true
		r.w.at(r.p.statementPath(s.Index), "while refining this statement ("+strconv.Itoa(len(s.Patterns))+" patterns)")
		var obj *Value
		var stmtChanged bool
		if s.Key == "NotAction" {
			obj, stmtChanged = r.notAction(s)
		} else {
			obj, stmtChanged = r.action(s)
		}
		changed = changed || stmtChanged
		if obj != nil {
			out = append(out, obj)
			r.res.Kept = append(r.res.Kept, s.Index)
		}
	}
	switch {
	case !changed:
		r.res.Action = ActionNone
		r.res.Policy = r.p.Doc
	case len(out) == 0:
		r.res.Action = ActionDetach
	default:
		r.res.Action = ActionCreate
		r.res.Policy = r.p.withStatements(out)
		if anyAllow && !r.allowsAnything(out) {
			r.warn(WarnOnlyDenyLeft, "", "nothing the policy allowed is still needed; only its Deny statements are kept, since detaching it would drop them too")
		}
	}
	if r.res.Changes == nil {
		r.res.Changes = []Change{}
	}
	if r.res.Warnings == nil {
		r.res.Warnings = []Warning{}
	}
}

func (r *refiner) allowsAnything(stmts []*Value) bool {
	for _, s := range stmts {
		if e := s.Get("Effect"); e != nil && e.Str == "Allow" {
			return true
		}
	}
	return false
}

// entry is one pattern of a refined statement.
type entry struct {
	text  string
	added bool // written by the refinement (not the user's own text)
	from  int  // index of the original pattern it stands for
}

// action refines an Allow statement with Action. It returns the new statement
// (nil when it allows nothing any more) and whether anything changed.
func (r *refiner) action(s *Statement) (*Value, bool) {
	first := len(r.res.Changes)
	var entries []entry
	changed := false
	for pi, pat := range s.Patterns {
		pr := r.pattern(pat.Text)
		switch pr.kind {
		case patternUnknown:
			r.warn(WarnUnknownPattern, pat.Path, "%q matches no action in the catalog; it is kept as written", pat.Text)
			entries = append(entries, entry{text: pat.Text, from: pi})
			continue
		case patternUntouched:
			entries = append(entries, entry{text: pat.Text, from: pi})
			continue
		}
		changed = true
		ch := pr.change
		r.w.match(changeCost + nameCost*(len(ch.Removed)+len(ch.Replacement))) // answered with each occurrence
		ch.Statement, ch.Path = s.Index, pat.Path
		r.res.Changes = append(r.res.Changes, ch)
		for _, e := range ch.Replacement {
			entries = append(entries, entry{text: e, added: true, from: pi})
		}
		if ch.Kind == ChangeReplaced && (r.opt.Trie || r.opt.TriePath == pat.Path) {
			root := pr.gen.export()
			r.w.match(entryCost * root.count())
			r.res.Tries = append(r.res.Tries, Trie{Statement: s.Index, Path: pat.Path, Pattern: pat.Text, Root: root})
		}
	}
	if !changed {
		return s.Obj, false
	}
	r.w.match(len(entries)) // written; made and checked once per distinct list (dropRedundant)
	entries = r.dropRedundant(entries)
	r.recordDrops(s, entries, first)
	if len(entries) == 0 {
		return nil, true
	}
	texts := make([]string, len(entries))
	for i, e := range entries {
		texts[i] = e.text
	}
	return withPatterns(s.Obj, s.Key, texts, s.Array), true
}

// Kinds of a patternResult besides ChangeRemoved and ChangeReplaced.
const (
	patternUnknown   = "unknown"   // matches nothing
	patternUntouched = "untouched" // nothing unused
)

// patternResult is what the refinement does with one pattern of an Allow
// statement, whatever statement it stands in.
type patternResult struct {
	kind   string // patternUnknown, patternUntouched, ChangeRemoved or ChangeReplaced
	change Change // for removed and replaced, without Statement and Path
	gen    generalization
}

// pattern refines one Action pattern. Results are kept per pattern text: a
// policy that repeats a pattern in many statements pays for it once.
func (r *refiner) pattern(text string) *patternResult {
	return r.memo.pattern(text, r.u, func(lo, hi int) *patternResult { return r.refinePattern(text, lo, hi) })
}

// refinePattern refines the pattern text, whose range is lo..hi.
func (r *refiner) refinePattern(text string, lo, hi int) *patternResult {
	u := r.u
	pr := &patternResult{}
	r.w.match(hi - lo)
	match := u.matcher(text)
	var members []int
	wanted, unused := 0, 0
	matched := make([]bool, hi-lo)
	for i := lo; i < hi; i++ {
		if match(i) {
			matched[i-lo] = true
			members = append(members, i)
			if u.unused[i] {
				unused++
			} else {
				wanted++
			}
		}
	}
	switch {
	case len(members) == 0:
		pr.kind = patternUnknown
		return pr
	case unused == 0:
		pr.kind = patternUntouched
		return pr
	}
	ch := Change{Pattern: text, Allowed: len(members), Kept: wanted}
	r.setRemoved(&ch, members)
	if wanted == 0 {
		ch.Kind, ch.Replacement = ChangeRemoved, []string{}
		pr.kind, pr.change = ch.Kind, ch
		return pr
	}
	isTarget := func(i int) bool { return !u.unused[i] }
	w := newWindow(lo, hi,
		func(i int) bool { return matched[i-lo] && !u.unused[i] },
		func(i int) bool { return matched[i-lo] },
		func(i int) bool { return u.unused[i] })
	pr.gen = shortestSafe(u, members, isTarget, w, r.gran, func(star string) bool { return includes(star, text, r.w) }, r.w)
	ch.Kind, ch.Replacement = ChangeReplaced, pr.gen.entries
	pr.kind, pr.change = ch.Kind, ch
	return pr
}

// recordDrops brings the Replacement of each change of statement s (those from
// index first on) in line with the entries that survived dropRedundant.
func (r *refiner) recordDrops(s *Statement, entries []entry, first int) {
	kept := map[int][]string{}
	for _, e := range entries {
		if e.added {
			kept[e.from] = append(kept[e.from], e.text)
		}
	}
	byPath := make(map[string]int, len(s.Patterns))
	for pi, pat := range s.Patterns {
		byPath[pat.Path] = pi
	}
	for ci := range r.res.Changes[first:] {
		ch := &r.res.Changes[first+ci]
		if ch.Kind != ChangeReplaced {
			continue
		}
		ch.Replacement = kept[byPath[ch.Path]]
		if ch.Replacement == nil {
			ch.Replacement = []string{}
		}
	}
}

// notAction refines an Allow statement with NotAction: the unused actions it
// allowed are added to NotAction, a wholly unused subtree as one prefix*.
func (r *refiner) notAction(s *Statement) (*Value, bool) {
	u := r.u
	// The statement allows every action no pattern matches. Each distinct
	// pattern is tried on its range only, and the rest is read from the
	// matched and unused lists: the work is what the patterns match, not the
	// universe.
	var matched []int
	seen := map[string]bool{}
	ranges := 0
	for _, pat := range s.Patterns {
		if seen[pat.Text] {
			continue
		}
		seen[pat.Text] = true
		lo, hi := u.patternRange(pat.Text)
		r.w.match(hi - lo)
		if lo < hi {
			ranges++
		}
		match := u.matcher(pat.Text)
		for i := lo; i < hi; i++ {
			if match(i) {
				matched = append(matched, i)
			}
		}
	}
	if ranges > 1 {
		slices.Sort(matched)
		matched = slices.Compact(matched)
	}
	unusedList := u.unusedList()
	r.w.match(len(unusedList))
	var targets, good []int // good: matched (excluded) or unused
	mergeSorted(func(i int, isMatched, isUnused bool) {
		good = append(good, i)
		if !isMatched && isUnused {
			targets = append(targets, i)
		}
	}, matched, unusedList)
	stillWanted := u.len() - len(good) // allowed and not unused
	if len(targets) == 0 {
		return s.Obj, false
	}
	ch := Change{Statement: s.Index, Path: join(r.p.statementPath(s.Index), s.Key), Kind: ChangeExcluded,
		Allowed: stillWanted + len(targets), Kept: stillWanted}
	r.setRemoved(&ch, targets)
	if stillWanted == 0 {
		ch.Kind = ChangeRemoved
		ch.Replacement = []string{}
		r.res.Changes = append(r.res.Changes, ch)
		return nil, true
	}
	w := newSparseWindow(good)
	g := shortestSafe(u, targets, func(int) bool { return true }, w, r.gran, func(string) bool { return true }, r.w)
	var entries []entry
	for pi, pat := range s.Patterns {
		entries = append(entries, entry{text: pat.Text, from: pi})
	}
	for _, e := range g.entries {
		entries = append(entries, entry{text: e, added: true, from: -1})
	}
	entries = r.dropRedundant(entries)
	var texts []string
	ch.Replacement = []string{}
	for _, e := range entries {
		texts = append(texts, e.text)
		if e.added {
			ch.Replacement = append(ch.Replacement, e.text)
		}
	}
	r.res.Changes = append(r.res.Changes, ch)
	return withPatterns(s.Obj, s.Key, texts, true), true
}

// dropRedundant removes each added entry whose language is included in another
// entry of the statement (rule C5). Of two added entries with the same language
// the first stays; the user's own entries always stay. Statements with the same
// entries are decided once.
func (r *refiner) dropRedundant(entries []entry) []entry {
	var key strings.Builder
	size := 0
	for _, e := range entries {
		size += len(e.text) + 2
	}
	key.Grow(size)
	for _, e := range entries {
		if e.added {
			key.WriteByte('+')
		} else {
			key.WriteByte('=')
		}
		key.WriteString(e.text)
		key.WriteByte(0)
	}
	keep := r.memo.redundancy(key.String(), func() []bool { return redundancy(entries, r.u, r.w) })
	out := entries[:0:0]
	for i, e := range entries {
		if keep[i] {
			out = append(out, e)
		}
	}
	return out
}

// redundancy tells which entries dropRedundant keeps: an added entry goes
// when another kept entry includes it, unless that one is added later with the
// same language. Equal texts are decided as one group (see textGroups): the
// work is the distinct entries times their candidates, not the entries.
func redundancy(entries []entry, u *universe, w *work) []bool {
	texts := make([]string, len(entries))
	for i, e := range entries {
		texts[i] = e.text
	}
	g := newTextGroups(texts, u)
	w.match(entryCost*len(g.texts) + len(entries))
	n := len(g.texts)
	users := make([]int, n)       // the user's entries of each group
	lastAdded := make([]int, n)   // the last added entry of each group, or -1
	keptBefore := make([]bool, n) // an added entry of the group was kept
	for k := range lastAdded {
		lastAdded[k] = -1
	}
	for i, e := range entries {
		if e.added {
			lastAdded[g.of[i]] = i
		} else {
			users[g.of[i]]++
		}
	}
	type cover struct {
		group int
		back  bool // the covering pattern is included in the covered one
	}
	covers := make([][]cover, n)
	byUser := make([]bool, n) // a user's entry includes the group's pattern
	decided := make([]bool, n)
	keep := make([]bool, len(entries))
	for i, e := range entries {
		keep[i] = true
		if !e.added {
			continue
		}
		k := g.of[i]
		if !decided[k] {
			decided[k] = true
			byUser[k] = users[k] > 0
			if !byUser[k] {
				g.including(k, w, func(j int) bool {
					if users[j] > 0 {
						byUser[k] = true
						return false
					}
					covers[k] = append(covers[k], cover{j, includes(g.texts[j], e.text, w)})
					return true
				})
			}
		}
		// An entry with the same text kept before covers this one; one added
		// later with the same language does not.
		drop := byUser[k] || keptBefore[k]
		for _, c := range covers[k] {
			if drop {
				break
			}
			drop = keptBefore[c.group] || lastAdded[c.group] > i && !c.back
		}
		keep[i] = !drop
		keptBefore[k] = keptBefore[k] || keep[i]
	}
	return keep
}

// setRemoved records in ch the unused ones of the given universe actions, and
// counts them by their catalog access level.
func (r *refiner) setRemoved(ch *Change, actions []int) {
	ch.AccessLevels = map[string]int{}
	for _, i := range actions {
		if !r.u.unused[i] {
			continue
		}
		ch.Removed = append(ch.Removed, r.u.names.at(i))
		l := levelName(r.u.levels[i])
		if l == "" {
			l = "Unknown"
		}
		ch.AccessLevels[l]++
	}
}
