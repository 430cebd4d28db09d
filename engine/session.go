package engine

import (
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
	key      string                    // the granularity
	base     *universe                 // the catalog's actions, none marked
	extras   string                    // the unknown actions (joined) of the universe the memos are about
	findings string                    // findingsKey of u
	u        *universe                 // the last universe, unused marks included
	warnings []Warning                 // what building u warned about
	patterns map[string]*patternResult // by text and unused marks
	kept     map[string][]bool
	checks   map[string]*statementCheck // by checkKey and unused marks
	// The same for u only, by text and by checkKey: found without reading marks.
	patternsNow map[string]*patternResult
	checksNow   map[string]*statementCheck
}

// newFindings empties the memos that hold for one universe only.
func (st *sessionState) newFindings() {
	st.patternsNow = map[string]*patternResult{}
	st.checksNow = map[string]*statementCheck{}
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
	if pr.kind != "replaced" {
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
		if st.key != key {
			continue
		}
		if len(st.patterns) > maxSessionPatterns {
			st.patterns = map[string]*patternResult{}
		}
		if len(st.kept) > maxSessionEntries {
			st.kept = map[string][]bool{}
		}
		if len(st.checks) > maxSessionChecks {
			st.checks = map[string]*statementCheck{}
		}
		if len(st.patternsNow) > maxSessionPatterns || len(st.checksNow) > maxSessionChecks {
			st.newFindings()
		}
		return st
	}
	st := &sessionState{cat: cat, key: key,
		patterns: map[string]*patternResult{}, kept: map[string][]bool{}, checks: map[string]*statementCheck{}}
	if len(s.states) > 0 {
		st.base = s.states[0].base // the same catalog's actions
	}
	st.newFindings()
	s.states = append(s.states, st)
	return st
}

// sameNames records the unknown actions of the universe being built: pattern
// results and statement checks hold for one list of actions only.
func (st *sessionState) sameNames(extra []string) {
	if k := strings.Join(extra, "\x00"); k != st.extras {
		st.extras = k
		st.patterns = map[string]*patternResult{}
		st.checks = map[string]*statementCheck{}
	}
}
