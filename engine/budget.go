package engine

import (
	"fmt"
)

// Bounded work.
//
// Every step of a refinement whose count can grow with the square of the
// input is metered: a pattern tested against an action of the universe
// (matching), a step of an inclusion test's automaton. The algorithms keep
// the counts near-linear in the request (an index finds each pattern's range
// and the patterns that may include it, equal patterns are decided once); the
// budget bounds what no algorithm here bounds, such as thousands of distinct
// patterns with wildcards right after the service, each to be compared with
// the others. Past the budget the refinement stops and the request is refused
// with TOO_COMPLEX (422), naming the statement it was working on.

// MaxWork is the budget of one refinement and its verification, in metered
// steps. One step costs a few nanoseconds natively (≈ 10 ns for an inclusion
// step on the 2-core development machine, less for a match); the largest
// refinements of the AWS managed policies take under 1/3 of it
// (TestWorkBudgetRoom), and a request that spends it all is answered, or
// refused, within the 2 s that bounds every request.
const MaxWork = 14_000_000

// entryCost is the work of one distinct entry of a refined statement (made,
// ordered, checked for redundancy, verified) or one node of an exported trie,
// in units of MaxWork: about as much as 64 matches. A repeated entry costs a
// unit.
const entryCost = 64

// nodeCost is the work of one trie node made (its range searched, its
// safety decided), in units of MaxWork.
const nodeCost = 8

// changeCost and nameCost are the work of one change in the answer and of
// each action name it lists (removed, replacement), written out as JSON, in
// units of MaxWork: a request with many changes costs its answer's size.
const (
	changeCost = 64
	nameCost   = 16
)

// work meters a refinement. A nil *work meters nothing (the exported tests
// such as includes(p, q, nil) run unmetered).
type work struct {
	inclusions int64 // inclusion tests decided past their fast paths
	steps      int64 // automaton steps of those tests (words of state sets)
	matched    int64 // pattern-action match tests
	limit      int64 // refuse past this many steps+matched; 0: unbounded
	where      string
	what       string
}

// tooComplex is the panic that stops a refinement over its budget; refineIn
// recovers it.
type tooComplex struct{ err *Error }

// total is the work metered so far, in the units of MaxWork.
func (w *work) total() int64 { return w.steps + w.matched }

func (w *work) check() {
	if w.limit <= 0 || w.total() <= w.limit {
		return
	}
	why := "matching patterns with actions (a pattern with a wildcard early in its service or name is tried on every action of the range that wildcard opens)"
	if w.steps > w.matched {
		why = "inclusion tests between the patterns (each new entry against the statement's patterns)"
	}
	msg := fmt.Sprintf("the request is too complex: its refinement went past the budget of %d steps (MaxWork) %s; most of them %s. Split the policy, or write patterns with a longer literal prefix (s3:Get* rather than s3:*Get*)",
		w.limit, w.what, why)
	panic(tooComplex{errorAt(CodeTooComplex, "policy", w.where, -1, "%s", msg)})
}

// at records the statement being worked on and what costs, for the refusal.
func (w *work) at(path, what string) {
	if w != nil {
		w.where, w.what = path, what
	}
}

// match meters n pattern-action tests.
func (w *work) match(n int) {
	if w != nil {
		w.matched += int64(n)
		w.check()
	}
}

// prefixTest is includesPrefix, metered.
func (w *work) prefixTest(lit string, qs []string) bool {
	var steps int
	ok := includesPrefix(lit, qs, &steps)
	if w != nil {
		w.inclusions++
		w.steps += int64(steps)
		w.check()
	}
	return ok
}

// search is includesSearch, metered.
func (w *work) search(p []rune, qs []string) bool {
	var states int
	ok := includesSearch(p, qs, &states)
	if w != nil {
		w.inclusions++
		w.steps += int64(states)
		w.check()
	}
	return ok
}

// String summarizes the counts (for tests and logs).
func (w *work) String() string {
	return fmt.Sprintf("%d inclusion tests, %d automaton steps, %d matches", w.inclusions, w.steps, w.matched)
}

// respondBounded is [Respond] within the budget MaxWork (see [refineBounded]).
func respondBounded(req *Request) (*Response, *Error) {
	res, err := refineBounded(req.Policy, req.Findings, req.Catalog, req.Options)
	if err != nil {
		return nil, err
	}
	return respond(req, res), nil
}

// sharedBudget shares MaxWork among the refinements of one request (the
// policies of POST /api/v1/recommendation), so that many small policies cost
// no more than one large one.
type sharedBudget struct{ spent int64 }

// refine is refineBounded within what is left of the budget.
func (b *sharedBudget) refine(req *Request) (*Result, *Error) {
	left := MaxWork - b.spent
	if left <= 0 {
		left = 1 // refused at the first step
	}
	res, err := refineWithin(req.Policy, req.Findings, req.Catalog, req.Options, nil, left)
	if err == nil {
		b.spent += res.work.total()
	}
	return res, err
}
