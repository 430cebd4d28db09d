package engine

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokens splits an action name (without its service prefix) into the tokens of
// the trie for granularity gran:
//
//   - word: CamelCase words, acronyms kept whole, digits kept with their word:
//     GetBucketPolicyStatus → Get|Bucket|Policy|Status, ListMFADevices →
//     List|MFA|Devices, ListObjectsV2 → List|Objects|V2; a character that is
//     neither letter nor digit ends its word;
//   - char: one character a token;
//   - action: the whole name is one token.
func Tokens(name, gran string) []string {
	switch gran {
	case GranularityAction:
		return []string{name}
	case GranularityChar:
		var out []string
		for i, r := range name {
			out = append(out, name[i:i+utf8.RuneLen(r)])
		}
		return out
	}
	var out []string
	start := 0
	var prev rune = -1
	for i, r := range name {
		if i > start && wordBoundary(prev, r, name[i+utf8.RuneLen(r):]) {
			out = append(out, name[start:i])
			start = i
		}
		prev = r
	}
	if start < len(name) {
		out = append(out, name[start:])
	}
	return out
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

// trieNode is a node of the trie of action names: the actions whose token
// sequence starts with the node's tokens.
type trieNode struct {
	prefix   string // canonical casing, e.g. s3:GetObject
	token    string
	action   int // universe index of the action ending exactly here, or -1
	children []*trieNode
	byToken  map[string]*trieNode // folded token → child

	lo, hi  int  // universe range of the actions whose name starts with prefix
	safe    bool // every action in [lo, hi) is good
	targets int  // members under this node that must stay covered
	chosen  bool // written to the result
}

// buildTrie builds the trie of the member actions (universe indices, ascending)
// and fills each node's universe range.
func buildTrie(u *universe, members []int, gran string) *trieNode {
	root := &trieNode{action: -1}
	for _, m := range members {
		name := u.names[m]
		svc, rest, _ := strings.Cut(name, ":")
		n := root.child(svc + ":")
		for _, t := range Tokens(rest, gran) {
			n = n.child(t)
		}
		n.action = m
	}
	var fill func(n *trieNode)
	fill = func(n *trieNode) {
		n.lo, n.hi = u.prefixRange(foldKey(n.prefix))
		sort.Slice(n.children, func(i, j int) bool {
			return foldKey(n.children[i].token) < foldKey(n.children[j].token)
		})
		for _, c := range n.children {
			fill(c)
		}
	}
	fill(root)
	return root
}

func (n *trieNode) child(token string) *trieNode {
	k := foldKey(token)
	if c := n.byToken[k]; c != nil {
		return c
	}
	if n.byToken == nil {
		n.byToken = map[string]*trieNode{}
	}
	c := &trieNode{prefix: n.prefix + token, token: token, action: -1}
	n.byToken[k] = c
	n.children = append(n.children, c)
	return c
}

// window holds, for a range [lo, hi) of the universe, running counts of the
// actions that are good (may stay covered), members and unused. Outside the
// window every action is bad.
type window struct {
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

// allGood reports whether every action of [lo, hi) is good.
func (w *window) allGood(lo, hi int) bool {
	if lo < w.lo || hi > w.hi {
		return false
	}
	return int(w.good[hi-w.lo]-w.good[lo-w.lo]) == hi-lo
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
	root    *trieNode
}

// shortestSafe covers the target actions with the shortest safe prefixes of the
// trie of members (targets ⊆ members): a node is safe when every universe action
// starting with its prefix string is good. Each safe node whose parent is unsafe
// is written as prefix* when two or more universe actions start with its prefix
// and canStar allows it, or as the exact action name when only one does. A
// target that sits on an unsafe node is written by its exact name. With
// granularity action no wildcard is written at all.
func shortestSafe(u *universe, members []int, isTarget func(int) bool, w *window, gran string, canStar func(string) bool) generalization {
	root := buildTrie(u, members, gran)
	var count func(n *trieNode) int
	count = func(n *trieNode) int {
		n.safe = w.allGood(n.lo, n.hi)
		if n.action >= 0 && isTarget(n.action) {
			n.targets++
		}
		for _, c := range n.children {
			n.targets += count(c)
		}
		return n.targets
	}
	count(root)
	var out []string
	var emit func(n *trieNode)
	emit = func(n *trieNode) {
		if n.targets == 0 {
			return
		}
		if n.safe && gran != GranularityAction {
			if n.hi-n.lo == 1 {
				out = append(out, u.names[n.lo])
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
			out = append(out, u.names[n.action])
			n.chosen = true
		}
		for _, c := range n.children {
			emit(c)
		}
	}
	emit(root)
	sortEntries(out)
	return generalization{entries: out, root: root}
}

// sortEntries sorts patterns by folded text, then by bytes.
func sortEntries(s []string) {
	sort.Slice(s, func(i, j int) bool {
		a, b := foldKey(s[i]), foldKey(s[j])
		if a != b {
			return a < b
		}
		return s[i] < s[j]
	})
}

// export converts the trie below its first branching node into the drawable
// form: safe nodes are leaves (their subtree collapses into them).
func (g generalization) export(u *universe, w *window) *TrieNode {
	n := g.root
	for len(n.children) == 1 && n.action < 0 {
		n = n.children[0]
	}
	var conv func(n *trieNode) *TrieNode
	conv = func(n *trieNode) *TrieNode {
		t := &TrieNode{
			Prefix: n.prefix, Token: n.token, Safe: n.safe, Chosen: n.chosen,
			Wanted: w.count(w.good, n.lo, n.hi),
			Unused: w.count(w.unused, n.lo, n.hi),
			Other:  (n.hi - n.lo) - w.count(w.matched, n.lo, n.hi),
		}
		if n.action >= 0 {
			t.Action = u.names[n.action]
		}
		if !n.safe {
			for _, c := range n.children {
				t.Children = append(t.Children, conv(c))
			}
		}
		return t
	}
	return conv(n)
}
