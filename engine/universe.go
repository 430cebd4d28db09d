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
	names  []string // canonical "svc:Name"
	keys   []string // foldKey(names[i]), ascending
	levels []byte   // access-level letter of names[i] (see levelName), 0 if unknown
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
		u.allIdx = make([]int, len(u.names))
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
	v.unused = make([]bool, len(u.names))
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
	cost:       func(_ universeKey, u *universe) int { return len(u.names) },
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
	v.unused = make([]bool, len(u.names))
	v.ranges, v.unusedIdx, v.allIdx = nil, nil, nil
	return &v
}

// buildUniverse is newUniverse, made afresh.
func buildUniverse(cat *Catalog, services map[string]bool, all bool, extra []string) *universe {
	u := &universe{}
	type list struct {
		names, keys []string
		levels      string
	}
	var lists []list
	size := len(extra)
	chosen := cat.Services()
	if !all {
		chosen = make([]string, 0, len(services))
		for svc := range services {
			chosen = append(chosen, svc)
		}
		slices.SortFunc(chosen, compareService) // the catalog's order: by "svc:"
	}
	for _, svc := range chosen {
		names, keys := serviceNames(cat, svc)
		if names == nil {
			continue
		}
		lists = append(lists, list{names, keys, cat.levelLetters(svc)})
		size += len(names)
	}
	u.names = make([]string, 0, size)
	u.keys = make([]string, 0, size)
	u.levels = make([]byte, 0, size)
	for _, l := range lists {
		u.names = append(u.names, l.names...)
		u.keys = append(u.keys, l.keys...)
		if len(l.levels) == len(l.names) {
			u.levels = append(u.levels, l.levels...)
		} else {
			u.levels = append(u.levels, make([]byte, len(l.names))...)
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
		u.levels = append(u.levels, 0)
		sorted = false
	}
	if !sorted {
		u.sortDedup()
	}
	u.unused = make([]bool, len(u.names))
	u.ascii = true
	for _, k := range u.keys {
		if !isASCII(k) {
			u.ascii = false
			break
		}
	}
	u.bySvc = map[string][2]int{}
	for i := 0; i < len(u.keys); {
		svc, _, _ := strings.Cut(u.keys[i], ":")
		j := i + 1
		for j < len(u.keys) && len(u.keys[j]) > len(svc) && u.keys[j][len(svc)] == ':' && u.keys[j][:len(svc)] == svc {
			j++
		}
		u.bySvc[svc] = [2]int{i, j}
		i = j
	}
	return u
}

func (u *universe) Len() int           { return len(u.keys) }
func (u *universe) Less(i, j int) bool { return u.keys[i] < u.keys[j] }
func (u *universe) Swap(i, j int) {
	u.keys[i], u.keys[j] = u.keys[j], u.keys[i]
	u.names[i], u.names[j] = u.names[j], u.names[i]
	u.levels[i], u.levels[j] = u.levels[j], u.levels[i]
}

func (u *universe) sortDedup() {
	sort.Stable(u)
	n := 0
	for i := range u.keys {
		if n > 0 && u.keys[i] == u.keys[n-1] {
			continue // the catalog's spelling, which comes first, wins
		}
		u.keys[n], u.names[n], u.levels[n] = u.keys[i], u.names[i], u.levels[i]
		n++
	}
	u.keys, u.names, u.levels = u.keys[:n], u.names[:n], u.levels[:n]
}

// index returns the position of the action with folded name key, or -1.
func (u *universe) index(key string) int {
	i := sort.SearchStrings(u.keys, key)
	if i < len(u.keys) && u.keys[i] == key {
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
	lo, hi := 0, len(u.keys)
	if svc, _, ok := strings.Cut(name, ":"); ok {
		r, known := u.bySvc[foldKey(svc)]
		if !known {
			return -1
		}
		lo, hi = r[0], r[1]
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareFoldASCII(u.keys[m], name) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(u.keys) && compareFoldASCII(u.keys[lo], name) == 0 {
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
	a, b := 0, len(u.keys)
	if svc, _, ok := strings.Cut(lit, ":"); ok {
		r, known := u.bySvc[foldKey(svc)]
		if !known {
			return 0, 0
		}
		a, b = r[0], r[1]
	}
	lo = a + sort.Search(b-a, func(i int) bool { return compareFoldASCII(u.keys[a+i], lit) >= 0 })
	out := func(i int) bool {
		k := u.keys[i]
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

// foldedRange is prefixRange for a folded key, within [a, b) (a range that
// holds every action starting with key).
func (u *universe) foldedRange(key string, a, b int) (lo, hi int) {
	keys := u.keys[a:b]
	i, j := 0, len(keys)
	for i < j {
		m := int(uint(i+j) >> 1)
		if keys[m] < key {
			i = m + 1
		} else {
			j = m
		}
	}
	lo = i
	j = len(keys)
	for i < j {
		m := int(uint(i+j) >> 1)
		if strings.HasPrefix(keys[m], key) {
			i = m + 1
		} else {
			j = m
		}
	}
	return a + lo, a + i
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
	lists map[nameCacheKey][2][]string
}

type nameCacheKey struct {
	first *string
	n     int
}

// maxCachedServices is about four times the services of the built-in catalog.
const maxCachedServices = 2048

// serviceNames returns the actions of a service as "svc:Name" and their keys.
func serviceNames(cat *Catalog, svc string) (names, keys []string) {
	acts := cat.Actions(svc)
	if len(acts) == 0 {
		return nil, nil
	}
	k := nameCacheKey{&acts[0], len(acts)}
	nameCache.Lock()
	defer nameCache.Unlock()
	if c, ok := nameCache.lists[k]; ok {
		return c[0], c[1]
	}
	names = make([]string, len(acts))
	keys = make([]string, len(acts))
	for i, a := range acts {
		names[i] = svc + ":" + a
		keys[i] = foldKey(names[i])
	}
	if nameCache.lists == nil || len(nameCache.lists) >= maxCachedServices {
		nameCache.lists = map[nameCacheKey][2][]string{}
	}
	nameCache.lists[k] = [2][]string{names, keys}
	return names, keys
}
