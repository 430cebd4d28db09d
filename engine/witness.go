package engine

// A witness shows that a pattern is broader than a list of patterns: an
// action name the pattern matches and none of the list does. It comes from
// the search that decides inclusion (globSearch, which includesSearch runs
// too), keeping the letters it read on the way: the word it stops at is the
// witness.

// witness returns an action name that p matches and no q does, preferring an
// action of the universe (a name that exists today), else the word the
// inclusion search finds (a name that may not exist yet). ok is false when p
// is included in the union of qs, or when deciding would take more than
// maxInclusionStates steps. The matching is metered by w.
func witness(p string, qs []string, u *universe, w *work) (string, bool) {
	if u != nil {
		lo, hi := u.patternRange(p)
		w.match((hi - lo) * (1 + len(qs)))
		for i := lo; i < hi; i++ {
			a := u.names.at(i)
			if !Match(p, a) {
				continue
			}
			covered := false
			for _, q := range qs {
				if Match(q, a) {
					covered = true
					break
				}
			}
			if !covered {
				return a, true
			}
		}
	}
	return searchWitness(p, qs)
}

// searchWitness is the inclusion search (globSearch) keeping the word it stops
// at: ok is false when the union of qs includes p, or past maxInclusionStates.
func searchWitness(p string, qs []string) (string, bool) {
	var states int
	w, found, _ := globSearch([]rune(p), qs, &states, true)
	return w, found
}
