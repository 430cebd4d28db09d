package engine

import (
	"slices"
	"strings"
	"sync"
)

// A Session refines one request after another, reusing what the earlier ones
// computed. While the catalog stays the same, it keeps, for each granularity,
// the universe (in a session, every action of the catalog); the result of
// each pattern, by its text and the unused marks of its range; the redundancy of
// each entry list; and the verification of each pair of statements, by their
// patterns and the unused marks they cover. Those are pure functions of their
// keys, so an answer from a session is byte for byte the answer of [Respond]
// (TestSessionSameAnswers); only its cost differs. The playground keeps one
// per page, where most refinements follow a small edit of the policy or of the
// findings.
//
// The zero Session is ready to use; its methods may be called from several
// goroutines, one at a time. Its answers share slices and maps with what it
// keeps: read them, do not change them.
type Session struct {
	mu     sync.Mutex
	states []*sessionState // one per granularity, all of one catalog
}

// Session memo bounds: past them a memo starts afresh, so what a long editing
// session keeps stays bounded however much is typed. A statement pair's key
// holds both pattern lists (about 0.2 MB for ReadOnlyAccess), hence few.
const (
	maxSessionPatterns = 1 << 14 // pattern results, ReadOnlyAccess has 2,914 patterns
	maxSessionEntries  = 64      // entry lists of dropRedundant
	maxSessionChecks   = 16      // statement pairs of the verification
)

// sessionState is what a session keeps for one catalog and granularity.
type sessionState struct {
	cat      *Catalog
	key      string    // the granularity
	base     *universe // the catalog's actions, none marked
	findings string    // findingsKey of u
	u        *universe // the last universe, unused marks included
	warnings []Warning // what building u warned about
	memo     *memo
}

// A memo keeps what a refinement computes from pure functions of their keys
// (see [Session]): the result of each pattern (refiner.pattern), the
// redundancy of each entry list (refiner.dropRedundant) and the check of each
// pair of statements (verify). Without a session it lives for one
// refinement; in a session it is kept from one request to the next.
type memo struct {
	// For the universe at hand: patterns by text, checks by checkKey.
	patterns map[string]*patternResult
	checks   map[string]*statementCheck
	kept     map[string][]bool // by entry list, for any marks
	// In a session, for any universe with the same actions (nil otherwise):
	// by the key above and the unused marks the result reads.
	patternsByMarks map[string]*patternResult
	checksByMarks   map[string]*statementCheck
	extras          string // the unknown actions (joined) those are about
}

// newMemo returns the memo of one refinement.
func newMemo() *memo {
	return &memo{patterns: map[string]*patternResult{}, checks: map[string]*statementCheck{}, kept: map[string][]bool{}}
}

// newSessionMemo returns a memo that also keeps results by unused marks.
func newSessionMemo() *memo {
	m := newMemo()
	m.patternsByMarks = map[string]*patternResult{}
	m.checksByMarks = map[string]*statementCheck{}
	return m
}

// pattern returns the result of the pattern text over u, made by refine
// (given the pattern's range) unless the memo has it.
func (m *memo) pattern(text string, u *universe, refine func(lo, hi int) *patternResult) *patternResult {
	if pr := m.patterns[text]; pr != nil {
		return pr
	}
	lo, hi := u.patternRange(text)
	var key string
	if m.patternsByMarks != nil {
		// The result depends on the unused marks of the pattern's range,
		// and on nothing else of them.
		key = string(packMarks([]byte(text+"\x00"), u.unused[lo:hi]))
		if pr := m.patternsByMarks[key]; pr != nil {
			m.patterns[text] = pr
			return pr
		}
	}
	pr := refine(lo, hi)
	m.patterns[text] = pr
	if m.patternsByMarks != nil {
		m.patternsByMarks[key] = pr
	}
	return pr
}

// redundancy returns which entries of the list key dropRedundant keeps, made
// by decide unless the memo has it.
func (m *memo) redundancy(key string, decide func() []bool) []bool {
	keep, ok := m.kept[key]
	if !ok {
		keep = decide()
		m.kept[key] = keep
	}
	return keep
}

// check returns the check of original statement o over u, keyed k
// (checkKey), made by check unless the memo has it.
func (m *memo) check(k string, u *universe, o *Statement, check func() *statementCheck) *statementCheck {
	if c := m.checks[k]; c != nil {
		return c
	}
	var km string
	if m.checksByMarks != nil {
		km = string(statementMarks([]byte(k+"\x02"), u, o))
		if c := m.checksByMarks[km]; c != nil {
			m.checks[k] = c
			return c
		}
	}
	c := check()
	m.checks[k] = c
	if m.checksByMarks != nil {
		m.checksByMarks[km] = c
	}
	return c
}

// newFindings empties what holds for one universe only.
func (m *memo) newFindings() {
	m.patterns = map[string]*patternResult{}
	m.checks = map[string]*statementCheck{}
}

// sameNames records the unknown actions of the universe being built: results
// kept by marks hold for one list of actions only.
func (m *memo) sameNames(extra []string) {
	if k := strings.Join(extra, "\x00"); k != m.extras {
		m.extras = k
		m.patternsByMarks = map[string]*patternResult{}
		m.checksByMarks = map[string]*statementCheck{}
	}
}

// bound starts afresh each map past its bound.
func (m *memo) bound() {
	if len(m.patternsByMarks) > maxSessionPatterns {
		m.patternsByMarks = map[string]*patternResult{}
	}
	if len(m.kept) > maxSessionEntries {
		m.kept = map[string][]bool{}
	}
	if len(m.checksByMarks) > maxSessionChecks {
		m.checksByMarks = map[string]*statementCheck{}
	}
	if len(m.patterns) > maxSessionPatterns || len(m.checks) > maxSessionChecks {
		m.newFindings()
	}
}

// Respond is [Respond] within the session.
func (s *Session) Respond(req *Request) *Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return respond(req, refineIn(req.Policy, req.Findings, req.Catalog, req.Options, s))
}

// respondBounded is [Session.Respond] within the budget MaxWork (see
// [refineBounded]): past it, the answer is a TOO_COMPLEX error, and the
// session starts afresh.
func (s *Session) respondBounded(req *Request) (*Response, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := refineWithin(req.Policy, req.Findings, req.Catalog, req.Options, s, MaxWork)
	if err != nil {
		return nil, err
	}
	return respond(req, res), nil
}

// Trie is the trie of the replaced Action pattern at path (as in Change.Path),
// as Options.TriePath would answer it, without refining the rest of the
// policy; nil when the pattern at path is not replaced.
func (s *Session) Trie(req *Request, path string) (*Trie, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, st, pat, err := s.atPattern(req, path)
	if err != nil {
		return nil, err
	}
	pr := r.pattern(pat)
	if pr.kind != ChangeReplaced {
		return nil, nil
	}
	return &Trie{Statement: st, Path: path, Pattern: pat, Root: pr.gen.export()}, nil
}

// atPattern finds the Action pattern of an Allow statement at path, and the
// index of its statement, and makes a refiner of req with its universe built,
// within the session (whose lock the caller holds).
func (s *Session) atPattern(req *Request, path string) (*refiner, int, string, *Error) {
	st, pat, err := actionPattern(req, path)
	if err != nil {
		return nil, 0, "", err
	}
	r := newRefiner(req.Policy, req.Catalog, req.Options, s)
	r.buildUniverse(req.Findings)
	return r, st, pat, nil
}

// findingsKey identifies findings: their names, and the places warnings cite.
func findingsKey(f *Findings) string {
	var b strings.Builder
	for _, a := range f.Actions {
		b.WriteString(a.Name)
		b.WriteString("\x00")
		b.WriteString(a.Path)
		b.WriteString("\x00")
	}
	b.WriteString("\x01")
	for _, sv := range f.Services {
		b.WriteString(sv.Name)
		b.WriteString("\x00")
		b.WriteString(sv.Path)
		b.WriteString("\x00")
	}
	return b.String()
}

// sameCatalog reports whether two catalogs are the same: the same value, or
// overlays of the built-in catalog by the same text.
func sameCatalog(a, b *Catalog) bool {
	return a == b || a.source != "" && a.source == b.source
}

// lookup returns the state for a catalog and granularity. A session keeps
// one state per granularity (switching back and forth loses nothing), all for
// one catalog: another catalog starts afresh.
func (s *Session) lookup(cat *Catalog, key string) *sessionState {
	if len(s.states) > 0 && !sameCatalog(s.states[0].cat, cat) {
		s.states = nil
	}
	for _, st := range s.states {
		if st.key == key {
			st.memo.bound()
			return st
		}
	}
	st := &sessionState{cat: cat, key: key, memo: newSessionMemo()}
	if len(s.states) > 0 {
		st.base = s.states[0].base // the same catalog's actions
	}
	s.states = append(s.states, st)
	return st
}

// prepare gives refiner r the universe of findings f and the memo of the
// session. In a session the universe is the whole catalog: the answer is the
// same (a pattern's result reads only the actions of its range, and the
// verification of a right refinement finds nothing in other services), and an
// edit that reaches another service keeps the rest. The last universe is kept,
// with its warnings, for the same findings.
func (s *Session) prepare(r *refiner, f *Findings) {
	st := s.lookup(r.cat, r.gran)
	r.memo = st.memo
	if fk := findingsKey(f); st.u == nil || st.findings != fk {
		st.u, st.findings = nil, fk
		st.memo.newFindings()
		if st.base == nil {
			st.base = newUniverse(r.cat, nil, true, nil)
		}
		u, extra := r.markUnused(st.base.unmarked(), f, nil, true)
		st.memo.sameNames(extra)
		st.u, st.warnings = u, slices.Clone(r.res.Warnings)
	} else {
		r.res.Warnings = append(r.res.Warnings, st.warnings...)
	}
	r.u, r.res.universe = st.u, st.u
}
