package engine

import "fmt"

// NodeAction is one action of the universe under a trie node's prefix.
type NodeAction struct {
	Action string `json:"action"`
	State  string `json:"state"` // StateWanted, StateUnused or StateUnmatched
}

// States of a [NodeAction].
const (
	StateWanted    = "wanted"    // matched by the pattern and still used
	StateUnused    = "unused"    // in the findings
	StateUnmatched = "unmatched" // the pattern does not allow it
)

// inspectTrie lists, in order, the universe actions whose name starts with
// prefix (ignoring case), with their state for the Action pattern at path (as
// in Change.Path, e.g. Statement[1].Action[0]): what the playground's trie
// inspector shows for a node. A node is safe exactly when every action it lists
// is wanted.
func inspectTrie(req *Request, path, prefix string) ([]NodeAction, *Error) {
	return new(Session).InspectTrie(req, path, prefix)
}

// InspectTrie lists, in order, the universe actions under prefix in the trie of
// the pattern at path (see inspectTrie), within the session.
func (s *Session) InspectTrie(req *Request, path, prefix string) ([]NodeAction, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, _, pattern, err := s.atPattern(req, path)
	if err != nil {
		return nil, err
	}
	u := r.u
	lo, hi := u.prefixRange(foldKey(prefix))
	match := compileMatch(pattern)
	out := make([]NodeAction, 0, hi-lo)
	for i := lo; i < hi; i++ {
		state := StateWanted
		switch {
		case !match(u.names.at(i)):
			state = StateUnmatched
		case u.unused[i]:
			state = StateUnused
		}
		out = append(out, NodeAction{Action: u.names.at(i), State: state})
	}
	return out, nil
}

// actionPattern finds the Action pattern of an Allow statement at path, and
// the index of its statement.
func actionPattern(req *Request, path string) (int, string, *Error) {
	for _, s := range req.Policy.Statements {
		for _, p := range s.Patterns {
			if p.Path == path && s.Key == "Action" && s.Effect == "Allow" {
				return s.Index, p.Text, nil
			}
		}
	}
	return 0, "", &Error{Code: CodeInvalidOptions, Field: "options", Path: path, Offset: -1,
		Message: fmt.Sprintf("%s is not an Action pattern of an Allow statement", path)}
}
