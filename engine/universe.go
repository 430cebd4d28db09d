package engine

import (
	"sort"
	"strings"
)

// universe is the set of actions a refinement reasons about: the catalog's
// actions of the services the policy can reach, plus every unused action the
// findings name (known to the catalog or not), sorted by folded name so that the
// actions starting with a prefix form one contiguous range.
type universe struct {
	names  []string // canonical "svc:Name"
	keys   []string // foldKey(names[i]), ascending
	unused []bool
}

// newUniverse builds the universe over the given services (all of the catalog's
// when all is true) and the extra actions.
func newUniverse(cat *Catalog, services map[string]bool, all bool, extra []string) *universe {
	u := &universe{}
	for _, svc := range cat.Services() {
		if !all && !services[svc] {
			continue
		}
		for _, a := range cat.Actions(svc) {
			name := svc + ":" + a
			u.names = append(u.names, name)
			u.keys = append(u.keys, foldKey(name))
		}
	}
	sorted := sort.StringsAreSorted(u.keys)
	for _, e := range extra {
		k := foldKey(e)
		if u.index(k) >= 0 && sorted {
			continue
		}
		u.names = append(u.names, e)
		u.keys = append(u.keys, k)
		sorted = false
	}
	if !sorted {
		u.sortDedup()
	}
	u.unused = make([]bool, len(u.names))
	return u
}

func (u *universe) Len() int           { return len(u.keys) }
func (u *universe) Less(i, j int) bool { return u.keys[i] < u.keys[j] }
func (u *universe) Swap(i, j int) {
	u.keys[i], u.keys[j] = u.keys[j], u.keys[i]
	u.names[i], u.names[j] = u.names[j], u.names[i]
}

func (u *universe) sortDedup() {
	sort.Stable(u)
	n := 0
	for i := range u.keys {
		if n > 0 && u.keys[i] == u.keys[n-1] {
			continue // the catalog's spelling, which comes first, wins
		}
		u.keys[n], u.names[n] = u.keys[i], u.names[i]
		n++
	}
	u.keys, u.names = u.keys[:n], u.names[:n]
}

// index returns the position of the action with folded name key, or -1.
func (u *universe) index(key string) int {
	i := sort.SearchStrings(u.keys, key)
	if i < len(u.keys) && u.keys[i] == key {
		return i
	}
	return -1
}

// prefixRange returns the range [lo, hi) of actions whose folded name starts
// with the folded prefix key.
func (u *universe) prefixRange(key string) (lo, hi int) {
	lo = sort.SearchStrings(u.keys, key)
	hi = lo + sort.Search(len(u.keys)-lo, func(i int) bool {
		return !strings.HasPrefix(u.keys[lo+i], key)
	})
	return lo, hi
}

// patternRange returns the range of actions that pattern p can match: those
// starting with its literal prefix.
func (u *universe) patternRange(p string) (lo, hi int) {
	if p == "*" {
		return 0, len(u.keys)
	}
	return u.prefixRange(foldKey(literalPrefix(p)))
}

// serviceOf returns the service part of a pattern and whether it is literal
// (names one service); a lone "*" or a wildcard service can reach every service.
func serviceOf(p string) (string, bool) {
	svc, _, ok := strings.Cut(p, ":")
	if !ok || hasWildcard(svc) {
		return "", false
	}
	return strings.ToLower(svc), true
}
