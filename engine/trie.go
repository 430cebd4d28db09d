package engine

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokens splits an action name (without its service prefix) into the tokens of
// the trie for granularity gran:
//
//   - word: CamelCase words, acronyms kept whole, digits kept with their word:
//     GetBucketPolicyStatus → Get|Bucket|Policy|Status, ListMFADevices →
//     List|MFA|Devices, ListObjectsV2 → List|Objects|V2; a character that is
//     neither letter nor digit ends its word;
//   - char: one character a token;
//   - action: the whole name is one token.
func tokens(name, gran string) []string {
	var out []string
	for off := 0; off < len(name); {
		end := tokenEnd(name, off, gran)
		out = append(out, name[off:end])
		off = end
	}
	return out
}

// tokenEnd returns where the token of name that starts at off ends.
func tokenEnd(name string, off int, gran string) int {
	switch gran {
	case GranularityAction:
		return len(name)
	case GranularityChar:
		_, size := utf8.DecodeRuneInString(name[off:])
		return off + size
	}
	prev, size := utf8.DecodeRuneInString(name[off:])
	for i := off + size; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		if wordBoundary(prev, r, name[i+size:]) {
			return i
		}
		prev = r
		i += size
	}
	return len(name)
}

// wordBoundary reports whether a new word starts at r, which follows prev and is
// followed by rest.
func wordBoundary(prev, r rune, rest string) bool {
	isAlnum := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	switch {
	case !isAlnum(prev):
		return true // after a separator such as '-' or '_'
	case !unicode.IsUpper(r):
		return false // lower case letters, digits and separators stay
	case unicode.IsLower(prev) || unicode.IsDigit(prev):
		return true // getObject, S3Bucket
	case unicode.IsUpper(prev):
		next, _ := utf8.DecodeRuneInString(rest)
		return unicode.IsLower(next) // the last capital of an acronym starts the next word: MFA|Devices
	}
	return false
}

// member is an action under a trie node: its universe index and where its next
// token starts (names that differ in case may differ in byte length).
type member struct {
	idx, off int
}

// trieNode is a node of the trie of action names: the actions whose token
// sequence starts with the node's tokens. The first token is the service
// prefix with its colon ("s3:"). Children are made on demand, so a trie of
// the whole catalog costs only where it is unsafe.
type trieNode struct {
	prefix  string // canonical casing, e.g. s3:GetObject
	token   string
	key     string // foldKey(prefix)
	action  int    // universe index of the action ending exactly here, or -1
	members []member
	placed  int // members placed here while the parent expands (sizes members)

	expanded bool
	children []*trieNode

	lo, hi  int  // universe range of the actions whose name starts with prefix
	safe    bool // every action in [lo, hi) is good
	targets int  // members that must stay covered
	chosen  bool // written to the result
}

// trie builds nodes on demand over a universe, for one granularity.
type trie struct {
	u        *universe
	gran     string
	w        *window
	isTarget func(int) bool
	root     *trieNode
	meter    *work // the refinement's, while it runs (nil: not metered)
}

func newTrie(u *universe, members []int, gran string, w *window, isTarget func(int) bool) *trie {
	t := &trie{u: u, gran: gran, w: w, isTarget: isTarget}
	root := &trieNode{action: -1}
	for _, m := range members {
		root.members = append(root.members, member{idx: m})
	}
	root.lo, root.hi = u.prefixRange(root.key)
	t.finish(root)
	t.root = root
	return t
}

// finish fills a new node's safety and target count (its range is set).
func (t *trie) finish(n *trieNode) {
	n.safe = t.w.allGood(n.lo, n.hi)
	for _, m := range n.members {
		if t.isTarget(m.idx) {
			n.targets++
		}
	}
}

// expand makes the children of n: its members grouped by their next token.
func (t *trie) expand(n *trieNode) []*trieNode {
	if n.expanded {
		return n.children
	}
	n.expanded = true
	t.meter.match(len(n.members))
	var cs childSet
	placed := make([]placedMember, 0, len(n.members))
	last := -1
	for _, m := range n.members {
		name := t.u.names.at(m.idx)
		if m.off >= len(name) {
			continue // ends here: n.action
		}
		end := len(name)
		if m.off > 0 {
			end = tokenEnd(name, m.off, t.gran)
		} else if colon := strings.IndexByte(name, ':'); colon >= 0 {
			end = colon + 1 // the first token is the service prefix with its colon
		}
		tok := name[m.off:end]
		// Members come sorted, so most share the token of the one before.
		c := last
		if c < 0 || !strings.EqualFold(cs.nodes[c].token, tok) || !isASCII(tok) {
			// The child's prefix is this member's name up to the token's
			// end, and for an ASCII name its key is the same slice of the
			// folded name: both without copying.
			if isASCII(name) {
				c = cs.index(name[:end], tok, t.u.keys.at(m.idx)[:end])
			} else {
				c = cs.index(n.prefix+tok, tok, n.key+foldKey(tok))
			}
		}
		placed = append(placed, placedMember{c, member{idx: m.idx, off: end}})
		if end == len(name) {
			cs.nodes[c].action = m.idx
		}
		last = c
	}
	n.children = cs.place(placed)
	t.meter.match(nodeCost * len(n.children))
	for _, c := range n.children {
		// Within the parent's range: the child's prefix (a folded key)
		// extends the parent's.
		c.lo, c.hi = t.u.keys.prefixRange(c.key, n.lo, n.hi)
		t.finish(c)
	}
	sort.Slice(n.children, func(i, j int) bool { return n.children[i].key < n.children[j].key })
	return n.children
}

// childSet holds the children of a node being expanded. They are made in one
// array (by value, found by index while it grows), and their member lists
// are cut from one array: a few allocations a node, not a few a child.
type childSet struct {
	nodes []trieNode
	byKey map[string]int // past a few children (the services under the root)
}

// placedMember is a member of the child at index c of a childSet.
type placedMember struct {
	c int
	m member
}

// index returns the index of the child with key, made with prefix and token
// if it is new.
func (cs *childSet) index(prefix, token, key string) int {
	// Few children: a scan; many: a map.
	if cs.byKey != nil {
		if k, ok := cs.byKey[key]; ok {
			return k
		}
	} else {
		for k := range cs.nodes {
			if cs.nodes[k].key == key {
				return k
			}
		}
	}
	c := len(cs.nodes)
	cs.nodes = append(cs.nodes, trieNode{prefix: prefix, token: token, key: key, action: -1})
	switch {
	case cs.byKey != nil:
		cs.byKey[key] = c
	case len(cs.nodes) > 16:
		cs.byKey = make(map[string]int, 2*len(cs.nodes))
		for k := range cs.nodes {
			cs.byKey[cs.nodes[k].key] = k
		}
	}
	return c
}

// place gives each child its members, in the order placed lists them, and
// returns the children.
func (cs *childSet) place(placed []placedMember) []*trieNode {
	for _, p := range placed {
		cs.nodes[p.c].placed++
	}
	block := make([]member, len(placed))
	for k := range cs.nodes {
		cs.nodes[k].members, block = block[:0:cs.nodes[k].placed], block[cs.nodes[k].placed:]
	}
	for _, p := range placed {
		cs.nodes[p.c].members = append(cs.nodes[p.c].members, p.m)
	}
	children := make([]*trieNode, len(cs.nodes))
	for k := range cs.nodes {
		children[k] = &cs.nodes[k]
	}
	return children
}

// window holds, for a range [lo, hi) of the universe, running counts of the
// actions that are good (may stay covered), members and unused. Outside the
// window every action is bad.
type window struct {
	// sparse, when not nil, replaces the counts: the good actions, ascending,
	// over the whole universe (a NotAction statement's, which reads few).
	sparse  []int
	lo, hi  int
	good    []int32 // good[i] = good actions in [lo, lo+i)
	matched []int32
	unused  []int32
}

func newWindow(lo, hi int, good, matched, unused func(i int) bool) *window {
	w := &window{lo: lo, hi: hi, good: make([]int32, hi-lo+1), matched: make([]int32, hi-lo+1), unused: make([]int32, hi-lo+1)}
	for i := lo; i < hi; i++ {
		k := i - lo
		w.good[k+1], w.matched[k+1], w.unused[k+1] = w.good[k], w.matched[k], w.unused[k]
		if good(i) {
			w.good[k+1]++
		}
		if matched(i) {
			w.matched[k+1]++
		}
		if unused(i) {
			w.unused[k+1]++
		}
	}
	return w
}

// newSparseWindow is a window over the whole universe whose good actions are
// listed, ascending (for allGood only: NotAction tries are not drawn).
func newSparseWindow(good []int) *window {
	if good == nil {
		good = []int{}
	}
	return &window{sparse: good}
}

// allGood reports whether every action of [lo, hi) is good.
func (w *window) allGood(lo, hi int) bool {
	if w.sparse != nil {
		a, _ := slices.BinarySearch(w.sparse, lo)
		b, _ := slices.BinarySearch(w.sparse, hi)
		return b-a == hi-lo
	}
	if lo < w.lo || hi > w.hi {
		return false
	}
	return int(w.good[hi-w.lo]-w.good[lo-w.lo]) == hi-lo
}

// firstBad returns the first action of [lo, hi) that is not good, or -1.
func (w *window) firstBad(lo, hi int) int {
	if lo >= hi {
		return -1
	}
	if lo < w.lo {
		return lo
	}
	for i := lo; i < min(hi, w.hi); i++ {
		if w.good[i-w.lo+1] == w.good[i-w.lo] {
			return i
		}
	}
	if hi > w.hi {
		return max(lo, w.hi)
	}
	return -1
}

func (w *window) count(ps []int32, lo, hi int) int {
	lo, hi = max(lo, w.lo), min(hi, w.hi)
	if lo >= hi {
		return 0
	}
	return int(ps[hi-w.lo] - ps[lo-w.lo])
}

// generalization is the result of shortestSafe: the entries and the trie they
// were chosen from.
type generalization struct {
	entries []string
	trie    *trie
}

// shortestSafe covers the target actions with the shortest safe prefixes of the
// trie of members (targets ⊆ members): a node is safe when every universe action
// starting with its prefix string is good (the window says which are). Each safe
// node whose parent is unsafe is written as prefix* when two or more universe
// actions start with its prefix and canStar allows it, or as the exact action
// name when only one does. A target that sits on an unsafe node is written by
// its exact name. With granularity action no wildcard is written at all.
func shortestSafe(u *universe, members []int, isTarget func(int) bool, w *window, gran string, canStar func(string) bool, meter *work) generalization {
	t := newTrie(u, members, gran, w, isTarget)
	t.meter = meter
	defer func() { t.meter = nil }() // a trie kept for drawing is not the refinement's any more
	var out []string
	var emit func(n *trieNode)
	emit = func(n *trieNode) {
		if n.targets == 0 {
			return
		}
		if n.safe && gran != GranularityAction {
			if n.hi-n.lo == 1 {
				out = append(out, u.names.at(n.lo))
				n.chosen = true
				return
			}
			if star := n.prefix + "*"; canStar(star) {
				out = append(out, star)
				n.chosen = true
				return
			}
		}
		if n.action >= 0 && isTarget(n.action) {
			out = append(out, u.names.at(n.action))
			n.chosen = true
		}
		for _, c := range t.expand(n) {
			emit(c)
		}
	}
	emit(t.root)
	sortEntries(out)
	return generalization{entries: out, trie: t}
}

// sortEntries sorts patterns by folded text, then by bytes; each is folded
// once, not at every comparison.
func sortEntries(s []string) {
	type entry struct{ key, text string }
	es := make([]entry, len(s))
	keys := foldAll(s, func(t string) string { return t })
	for i, t := range s {
		es[i] = entry{keys[i], t}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	})
	for i, e := range es {
		s[i] = e.text
	}
}

// export converts the trie below its first branching node into the drawable
// form: safe nodes are leaves (their subtree collapses into them).
func (g generalization) export() *TrieNode {
	t, w := g.trie, g.trie.w
	n := t.root
	for n.action < 0 {
		cs := t.expand(n)
		if len(cs) != 1 {
			break
		}
		n = cs[0]
	}
	var conv func(n *trieNode) *TrieNode
	conv = func(n *trieNode) *TrieNode {
		e := &TrieNode{
			Prefix: n.prefix, Token: n.token, Safe: n.safe, Chosen: n.chosen,
			Wanted: w.count(w.good, n.lo, n.hi),
			Unused: w.count(w.unused, n.lo, n.hi),
			Other:  (n.hi - n.lo) - w.count(w.matched, n.lo, n.hi),
		}
		if n.action >= 0 {
			e.Action = t.u.names.at(n.action)
		}
		if b := w.firstBad(n.lo, n.hi); !n.safe && b >= 0 {
			e.Blocker, e.BlockerUnused = t.u.names.at(b), t.u.unused[b]
		}
		if !n.safe {
			for _, c := range t.expand(n) {
				e.Children = append(e.Children, conv(c))
			}
		}
		return e
	}
	return conv(n)
}

// count is the number of nodes of an exported trie.
func (n *TrieNode) count() int {
	c := 1
	for _, ch := range n.Children {
		c += ch.count()
	}
	return c
}
