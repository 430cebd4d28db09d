package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"whittle/engine"
)

// maxShown is how many names of one service the change report lists before it
// abbreviates (a refresh can add thousands; -full lists them all).
const maxShown = 12

// readOld reads the file a run replaces, as the engine reads it: the embedded
// form, or the user-overlay form when isJSON.
func readOld(text []byte, isJSON bool) (*engine.Catalog, error) {
	if !isJSON {
		return engine.DecodeCatalog(string(text))
	}
	c, err := engine.ParseCatalog(text)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// report prints the counts and the changes against the file old.
func report(w io.Writer, c *engine.Catalog, old string, isJSON, full bool) {
	info := c.Info()
	fmt.Fprintf(w, "%s (data of %s): %d services, %d actions\n",
		strings.TrimSpace(info.Source+" "+info.Version), info.Date, info.Services, info.Actions)
	text, err := os.ReadFile(old)
	if err != nil {
		fmt.Fprintf(w, "no current file to compare with (%v)\n", err)
		return
	}
	prev, err := readOld(text, isJSON)
	if err != nil {
		fmt.Fprintf(w, "current file %s is unreadable, not compared: %v\n", old, err)
		return
	}
	pinfo := prev.Info()
	if isJSON {
		fmt.Fprintf(w, "against %s (%d services, %d actions):\n", old, pinfo.Services, pinfo.Actions)
	} else {
		fmt.Fprintf(w, "against %s (%s, data of %s: %d services, %d actions):\n",
			old, strings.TrimSpace(pinfo.Source+" "+pinfo.Version), pinfo.Date, pinfo.Services, pinfo.Actions)
	}
	added, removed := onlyIn(c, prev), onlyIn(prev, c)
	fmt.Fprintf(w, "  services: %d added, %d removed\n", len(added), len(removed))
	if len(added) > 0 {
		fmt.Fprintf(w, "  + services: %s\n", strings.Join(added, " "))
	}
	if len(removed) > 0 {
		fmt.Fprintf(w, "  - services: %s\n", strings.Join(removed, " "))
	}
	svcs := append(append(added, removed...), inBoth(c, prev)...)
	sort.Strings(svcs)
	var nAdded, nRemoved, nLevel int
	var lines []string
	for _, svc := range svcs {
		plus, minus, level := diffActions(prev, c, svc, isJSON)
		nAdded += len(plus)
		nRemoved += len(minus)
		nLevel += level
		if len(plus) > 0 {
			lines = append(lines, fmt.Sprintf("  + %s: %s", svc, shorten(plus, full)))
		}
		if len(minus) > 0 {
			lines = append(lines, fmt.Sprintf("  - %s: %s", svc, shorten(minus, full)))
		}
	}
	fmt.Fprintf(w, "  actions: %d added, %d removed", nAdded, nRemoved)
	if !isJSON {
		fmt.Fprintf(w, ", %d with another access level", nLevel)
	}
	fmt.Fprintln(w)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// onlyIn returns the services of a that b lacks, sorted.
func onlyIn(a, b *engine.Catalog) []string {
	var out []string
	for _, svc := range a.Services() {
		if b.Actions(svc) == nil {
			out = append(out, svc)
		}
	}
	sort.Strings(out)
	return out
}

// inBoth returns the services of a that b has too.
func inBoth(a, b *engine.Catalog) []string {
	var out []string
	for _, svc := range a.Services() {
		if b.Actions(svc) != nil {
			out = append(out, svc)
		}
	}
	return out
}

// diffActions returns the names of service svc added and removed from prev
// to cur (by exact casing: a change of casing shows as both) and how many kept
// names changed access level.
func diffActions(prev, cur *engine.Catalog, svc string, ignoreLevel bool) (plus, minus []string, level int) {
	old := map[string]bool{}
	for _, n := range prev.Actions(svc) {
		old[n] = true
	}
	now := map[string]bool{}
	for _, n := range cur.Actions(svc) {
		now[n] = true
		if !old[n] {
			plus = append(plus, n)
		} else if !ignoreLevel && prev.AccessLevel(svc+":"+n) != cur.AccessLevel(svc+":"+n) {
			level++
		}
	}
	for _, n := range prev.Actions(svc) {
		if !now[n] {
			minus = append(minus, n)
		}
	}
	sort.Strings(plus)
	sort.Strings(minus)
	return plus, minus, level
}

func shorten(names []string, full bool) string {
	if full || len(names) <= maxShown {
		return strings.Join(names, " ")
	}
	return fmt.Sprintf("%s … (%d more; -full lists all)", strings.Join(names[:maxShown], " "), len(names)-maxShown)
}
