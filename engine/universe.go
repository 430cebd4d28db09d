package engine

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
)

// universe is the set of actions a refinement reasons about: the catalog's
// actions of the services the policy can reach, plus every unused action the
// findings name (known to the catalog or not), sorted by folded name so that the
// actions starting with a prefix form one contiguous range.
type universe struct {
	names  strtab // canonical "svc:Name"
	keys   strtab // foldKey of each name, ascending
	levels []byte // access-level letter of names[i] (see levelName), 0 if unknown
	unused []bool
	// bySvc is the range of each service's actions, by lower-case prefix
	// ("s3"): pattern ranges are searched within their service.
	bySvc map[string][2]int
	// ranges memoizes patternRange by literal prefix: the refinement and its
	// verification ask for the range of every pattern, most of them twice or
	// more. Universes with the same actions share it (see unmarked).
	ranges map[string][2]int32
	// unusedIdx lists the unused actions, ascending (see unusedList).
	unusedIdx []int
	allIdx    []int
	ascii     bool // every key is ASCII (see matcher)
}

// unusedList returns the indices of the unused actions, ascending. It is made
// on first use, once the marks are set (they do not change after).
func (u *universe) unusedList() []int {
	if u.unusedIdx == nil {
		u.unusedIdx = []int{}
		for i, x := range u.unused {
			if x {
				u.unusedIdx = append(u.unusedIdx, i)
			}
		}
	}
	return u.unusedIdx
}

// all returns the indices of every action, ascending.
func (u *universe) all() []int {
	if u.allIdx == nil {
		u.allIdx = make([]int, u.len())
		for i := range u.allIdx {
			u.allIdx[i] = i
		}
	}
	return u.allIdx
}

// unmarked is a universe with the same actions as u (sharing them, they are
// never written after newUniverse) and none marked unused.
func (u *universe) unmarked() *universe {
	if u.ranges == nil {
		u.ranges = map[string][2]int32{}
	}
	v := *u
	v.unused = make([]bool, u.len())
	v.unusedIdx = nil
	return &v
}

// packMarks appends marks to b, eight to a byte.
func packMarks(b []byte, marks []bool) []byte {
	var c byte
	for i, m := range marks {
		if m {
			c |= 1 << (i & 7)
		}
		if i&7 == 7 || i == len(marks)-1 {
			b = append(b, c)
			c = 0
		}
	}
	return b
}

// newUniverse builds the universe over the given services (all of the catalog's
// when all is true) and the extra actions. Without extra actions it starts from
// a kept universe of the same catalog and services (see keptUniverses).
func newUniverse(cat *Catalog, services map[string]bool, all bool, extra []string) *universe {
	if len(extra) > 0 {
		return buildUniverse(cat, services, all, extra)
	}
	key := "*" // every service
	if !all {
		chosen := slices.Sorted(maps.Keys(services))
		key = strings.Join(chosen, ",")
	}
	return keptUniverse(cat, key, func() *universe { return buildUniverse(cat, services, all, nil) })
}

// keptUniverses keeps the last universes made without extra actions, by
// catalog and services, none marked: a process that answers many requests
// reaching the same services (the same managed policies attached to many
// roles; sessions and the check route, which take the whole catalog) builds
// each once. Only what is never written after buildUniverse is shared: each
// request gets a copy with its own marks and memos.
var keptUniverses = keep[universeKey, *universe]{
	maxEntries: maxKeptUniverses,
	maxCost:    maxKeptUniverseActions,
	cost:       func(_ universeKey, u *universe) int { return u.len() },
}

// universeKey is a universe's catalog and services (sorted, joined by ",";
// "*" for all).
type universeKey struct {
	cat      *Catalog
	services string
}

// Bounds of keptUniverses: a few universes, at most about four built-in
// catalogs' worth of actions (a whole-catalog universe is about 1 MB).
const (
	maxKeptUniverses       = 16
	maxKeptUniverseActions = 4 * 22_000
)

// keptUniverse returns a copy of the kept universe of cat's services, made
// with build when there is none.
func keptUniverse(cat *Catalog, services string, build func() *universe) *universe {
	k := universeKey{cat, services}
	u, ok := keptUniverses.get(k)
	if !ok {
		u = keptUniverses.put(k, build())
	}
	v := *u // its names, keys, levels and bySvc; its memos and marks are the copy's own
	v.unused = make([]bool, u.len())
	v.ranges, v.unusedIdx, v.allIdx = nil, nil, nil
	return &v
}

// buildUniverse is newUniverse, made afresh.
func buildUniverse(cat *Catalog, services map[string]bool, all bool, extra []string) *universe {
	chosen := cat.Services()
	if !all {
		chosen = make([]string, 0, len(services))
		for svc := range services {
			chosen = append(chosen, svc)
		}
		slices.SortFunc(chosen, compareService) // the catalog's order: by "svc:"
	}
	type list struct {
		names, keys *strtab
		levels      string
	}
	var lists []list
	n, size := 0, 0
	for _, svc := range chosen {
		names, keys := serviceNames(cat, svc)
		if names == nil {
			continue
		}
		lists = append(lists, list{names, keys, cat.levelLetters(svc)})
		n += names.len()
		size += len(names.text)
	}
	var nb, kb strtabBuilder
	nb.grow(n, size)
	kb.grow(n, size)
	u := &universe{levels: make([]byte, 0, n)}
	for _, l := range lists {
		nb.appendTab(l.names)
		kb.appendTab(l.keys)
		if len(l.levels) == l.names.len() {
			u.levels = append(u.levels, l.levels...)
		} else {
			u.levels = append(u.levels, make([]byte, l.names.len())...)
		}
	}
	u.names, u.keys = nb.done(), kb.done()
	if len(extra) > 0 || !u.sorted() {
		u.addSorted(extra)
	}
	u.unused = make([]bool, u.len())
	u.ascii = u.keys.ascii
	u.bySvc = map[string][2]int{}
	for i := 0; i < u.len(); {
		svc, _, _ := strings.Cut(u.keys.at(i), ":")
		j := i + 1
		for j < u.len() {
			k := u.keys.at(j)
			if len(k) <= len(svc) || k[len(svc)] != ':' || k[:len(svc)] != svc {
				break
			}
			j++
		}
		u.bySvc[svc] = [2]int{i, j}
		i = j
	}
	return u
}

// len returns the number of actions.
func (u *universe) len() int { return u.keys.len() }

// sorted tells whether the keys ascend.
func (u *universe) sorted() bool {
	for i := 1; i < u.len(); i++ {
		if u.keys.at(i-1) > u.keys.at(i) {
			return false
		}
	}
	return true
}

// addSorted adds the extra actions to u and sorts its actions by key, each key
// once: where two actions have the same key, the catalog's spelling, which
// comes first, wins.
func (u *universe) addSorted(extra []string) {
	type entry struct {
		name, key string
		level     byte
	}
	all := make([]entry, 0, u.len()+len(extra))
	for i := range u.len() {
		all = append(all, entry{u.names.at(i), u.keys.at(i), u.levels[i]})
	}
	for _, e := range extra {
		all = append(all, entry{e, foldKey(e), 0})
	}
	slices.SortStableFunc(all, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	var nb, kb strtabBuilder
	u.levels = u.levels[:0]
	for i, e := range all {
		if i > 0 && e.key == all[i-1].key {
			continue
		}
		nb.add(e.name)
		kb.add(e.key)
		u.levels = append(u.levels, e.level)
	}
	u.names, u.keys = nb.done(), kb.done()
}

// index returns the position of the action with folded name key, or -1.
func (u *universe) index(key string) int {
	i := u.keys.search(0, u.len(), func(k string) bool { return k >= key })
	if i < u.len() && u.keys.at(i) == key {
		return i
	}
	return -1
}

// indexOf returns the position of the action named name (any case), or -1.
// An ASCII name is folded on the fly, without a copy.
func (u *universe) indexOf(name string) int {
	if !isASCII(name) {
		return u.index(foldKey(name))
	}
	// Within the service's range (a few hundred actions, not the universe).
	lo, hi := 0, u.len()
	if svc, _, ok := strings.Cut(name, ":"); ok {
		r, known := u.bySvc[foldKey(svc)]
		if !known {
			return -1
		}
		lo, hi = r[0], r[1]
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareFoldASCII(u.keys.at(m), name) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < u.len() && compareFoldASCII(u.keys.at(lo), name) == 0 {
		return lo
	}
	return -1
}

// patternRange returns the range of actions that pattern p can match: those
// starting with its literal prefix.
func (u *universe) patternRange(p string) (lo, hi int) {
	lit := literalPrefix(p)
	if r, ok := u.ranges[lit]; ok {
		return int(r[0]), int(r[1])
	}
	folded := lit
	if !isASCII(lit) {
		folded = foldKey(lit)
	}
	lo, hi = u.prefixRange(folded)
	if u.ranges == nil {
		u.ranges = map[string][2]int32{}
	}
	u.ranges[lit] = [2]int32{int32(lo), int32(hi)}
	return lo, hi
}

// prefixRange returns the range [lo, hi) of actions whose folded name starts
// with prefix, which is folded or ASCII (folded on the fly: compareFoldASCII
// lowers ASCII letters and leaves other bytes as they are).
func (u *universe) prefixRange(prefix string) (lo, hi int) {
	lit := prefix
	// Searched within the service's range when lit names one, and galloping
	// from lo to the end of the range (most prefixes cover few actions).
	a, b := 0, u.len()
	if svc, _, ok := strings.Cut(lit, ":"); ok {
		r, known := u.bySvc[foldKey(svc)]
		if !known {
			return 0, 0
		}
		a, b = r[0], r[1]
	}
	lo = u.keys.search(a, b, func(k string) bool { return compareFoldASCII(k, lit) >= 0 })
	out := func(i int) bool {
		k := u.keys.at(i)
		return len(k) < len(lit) || compareFoldASCII(k[:len(lit)], lit) != 0
	}
	if lo >= b || out(lo) {
		return lo, lo
	}
	last := lo // the range holds [lo, last]; find the first i > last that is out
	for step := 1; ; step *= 2 {
		next := last + step
		if next >= b || out(next) {
			hi = last + 1 + sort.Search(min(next, b)-last-1, func(i int) bool { return out(last + 1 + i) })
			break
		}
		last = next
	}
	return lo, hi
}

// compareFoldASCII compares a folded key with an ASCII string folded on the fly.
func compareFoldASCII(key, s string) int {
	for i := 0; i < len(key) && i < len(s); i++ {
		a, b := key[i], lowerASCII(s[i])
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(key) < len(s):
		return -1
	case len(key) > len(s):
		return 1
	}
	return 0
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

// nameCache keeps the full names and keys of services already seen, keyed by
// the identity of the catalog's action list: a process that refines many
// policies (the local server, the playground, a benchmark) builds them once per
// list. Overlaid catalogs share the lists they did not replace. The cache is
// emptied when it holds maxCachedServices lists, which bounds its memory when
// many user catalogs pass through.
var nameCache struct {
	sync.Mutex
	lists map[nameCacheKey]*[2]strtab
}

type nameCacheKey struct {
	first *uint32 // the list's ends: catalogs that share a list share its names
	n     int
}

// maxCachedServices is about four times the services of the built-in catalog.
const maxCachedServices = 2048

// serviceNames returns the actions of a service as "svc:Name" and their keys,
// in the catalog's order; nil for a service without actions.
func serviceNames(cat *Catalog, svc string) (names, keys *strtab) {
	acts := cat.names(svc)
	if acts == nil || acts.len() == 0 {
		return nil, nil
	}
	k := nameCacheKey{&acts.ends[0], acts.len()}
	nameCache.Lock()
	defer nameCache.Unlock()
	if c, ok := nameCache.lists[k]; ok {
		return &c[0], &c[1]
	}
	size := len(acts.text) + (len(svc)+1)*acts.len()
	var nb, kb strtabBuilder
	nb.grow(acts.len(), size)
	kb.grow(acts.len(), size)
	for i := range acts.len() {
		a := acts.at(i)
		nb.add(svc, ":", a)
		kb.addFold(svc, ":", a)
	}
	// Kept as three objects (the texts, the ends, the pair), not six: what a
	// collection marks grows with the objects kept, and every service of the
	// catalog comes here for a whole-catalog universe.
	text := make([]byte, 0, len(nb.text)+len(kb.text))
	text = append(append(text, nb.text...), kb.text...)
	ends := make([]uint32, 0, len(nb.ends)+len(kb.ends))
	ends = append(append(ends, nb.ends...), kb.ends...)
	all, cut, n := string(text), len(nb.text), len(nb.ends)
	pair := &[2]strtab{
		{text: all[:cut], ends: ends[:n:n], ascii: !nb.nonASCII},
		{text: all[cut:], ends: ends[n:], ascii: !kb.nonASCII},
	}
	if nameCache.lists == nil || len(nameCache.lists) >= maxCachedServices {
		nameCache.lists = map[nameCacheKey]*[2]strtab{}
	}
	nameCache.lists[k] = pair
	return &pair[0], &pair[1]
}
