package describe

import (
	"sort"
	"strconv"
	"strings"

	"whittle/engine"
)

// accessOrder is the order in which access levels are named, that of the
// Service Authorization Reference; other levels follow alphabetically.
var accessOrder = map[string]int{"List": 1, "Read": 2, "Write": 3, "Permissions management": 4, "Tagging": 5}

// First returns the first n names of list, then "… k more" for the rest.
func First(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(append([]string(nil), list[:n]...), "… "+strconv.Itoa(len(list)-n)+" more")
}

// Change is the sentence of one change, built from the engine's fields only:
// kind, allowed, removed, kept, replacement and accessLevels. For a replaced
// or removed pattern it follows the pattern, which the page shows before it:
// "s3:Get*" + " allowed 58 actions; 22 are unused; …".
func Change(c *engine.Change) string {
	var b strings.Builder
	switch c.Kind {
	case engine.ChangeExcluded:
		b.WriteString(Count(len(c.Replacement), "unused action is", "unused actions are"))
		b.WriteString(" added to NotAction: ")
		b.WriteString(strings.Join(First(c.Replacement, 6), ", "))
		b.WriteString(".")
	case engine.ChangeRemoved:
		b.WriteString(" allowed " + Count(c.Allowed, "action", "actions") + "; ")
		if c.Allowed == 1 {
			b.WriteString("it is unused, so the entry is removed.")
		} else {
			b.WriteString("all " + Group(c.Allowed) + " are unused, so the entry is removed.")
		}
	default:
		b.WriteString(" allowed " + Count(c.Allowed, "action", "actions") + "; ")
		if len(c.Removed) == 1 {
			b.WriteString("1 is unused; ")
		} else {
			b.WriteString(Group(len(c.Removed)) + " are unused; ")
		}
		if c.Kept == 1 {
			b.WriteString("the 1 still used is covered by ")
		} else {
			b.WriteString("the " + Group(c.Kept) + " still used are covered by ")
		}
		b.WriteString(Count(len(c.Replacement), "entry", "entries") + ".")
	}
	if len(c.AccessLevels) > 0 {
		b.WriteString(" Access removed: " + accessLevels(c.AccessLevels) + ".")
	}
	return b.String()
}

// accessLevels writes the counts of removed actions by access level, in the
// reference's order: "22 Read, 3 Write".
func accessLevels(counts map[string]int) string {
	levels := make([]string, 0, len(counts))
	for l := range counts {
		levels = append(levels, l)
	}
	rank := func(l string) int {
		if r, ok := accessOrder[l]; ok {
			return r
		}
		return len(accessOrder) + 1
	}
	sort.Slice(levels, func(i, j int) bool {
		if ri, rj := rank(levels[i]), rank(levels[j]); ri != rj {
			return ri < rj
		}
		return levels[i] < levels[j]
	})
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = Group(counts[l]) + " " + l
	}
	return strings.Join(parts, ", ")
}

// Node says why a trie node is safe or unsafe, and what the engine wrote for
// it, from the node's fields only. only names the one action under a safe
// node that holds one (s3:GetAccount → s3:GetAccountPublicAccessBlock); it
// is called only then, and may answer "" when it cannot tell.
func Node(n *engine.TrieNode, only func() string) string {
	total := n.Wanted + n.Unused + n.Other
	if n.Safe {
		switch {
		case total == 1 && n.Chosen:
			name := n.Action
			if name == "" {
				name = only()
			}
			if name == "" {
				name = n.Prefix
			}
			if name == n.Prefix {
				return n.Prefix + " is safe: it is one action, still used, so write its exact name " + name + "."
			}
			return n.Prefix + " is safe: the only action under it, " + name + ", is still used, so write its exact name " + name + "."
		case n.Chosen:
			return n.Prefix + " is safe: every action under it is still used, so write " + n.Prefix + "*."
		default:
			return n.Prefix + " is safe: every action under it is still used."
		}
	}
	if len(n.Children) == 0 && n.Wanted == 0 && n.BlockerUnused && n.Blocker == n.Prefix && n.Unused+n.Other == 1 {
		return n.Prefix + " is unsafe: it is one action and it is unused, so it is dropped."
	}
	why := n.Prefix + " is unsafe"
	if n.Blocker != "" {
		if n.BlockerUnused {
			why += ": " + n.Blocker + " is unused"
		} else {
			why += ": " + n.Blocker + " is not matched by the pattern"
		}
	}
	switch {
	case n.Chosen && n.Action != "" && len(n.Children) > 0:
		return why + ", so write the still-used action " + n.Action + " by its exact name and look at its children."
	case n.Chosen && n.Action != "":
		return why + ", so write the still-used action " + n.Action + " by its exact name."
	case len(n.Children) > 0:
		return why + ", so look at its children."
	case n.Wanted == 0:
		return why + ", and nothing under it is still used, so it is dropped."
	default:
		return why + "."
	}
}
