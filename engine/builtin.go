package engine

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// builtinText is the built-in catalog in its embedded form, written by
// scripts/update-catalog (its generator, scripts/catalog, documents the form):
// comment lines starting with '#', header lines "key value" up to an empty line,
// then one line a service, in the order of [Catalog.Services]:
//
//	prefix TAB levels TAB Name1 SP Name2 SP ...
//
// with one access-level letter per action (L, R, W, P, T, or - for unknown) and
// the names in the order of [Catalog.Actions].
//
//go:embed data/catalog.txt
var builtinText string

var (
	builtinOnce    sync.Once
	builtinCatalog *Catalog
)

// BuiltinCatalog returns the catalog embedded in the program, decoded on first use.
// Its Info tells the source, version and date of the data.
//
// Decoding costs one pass over the embedded text and a handful of allocations:
// the names are substrings of the embedded text. A fresh Go instance (one a
// Worker request) pays it once.
func BuiltinCatalog() *Catalog {
	builtinOnce.Do(func() {
		c, err := decodeCatalog(builtinText)
		if err != nil {
			// The file is generated and checked by the tests: this is a build error.
			panic("engine: the embedded catalog is corrupt: " + err.Error())
		}
		builtinCatalog = c
	})
	return builtinCatalog
}

// decodeCatalog decodes the embedded form. It checks the shape and the counts of
// the header, not the order of names (the tests check that once).
func decodeCatalog(text string) (*Catalog, error) {
	c := &Catalog{}
	lineNo := 0
	nextLine := func() (string, bool) {
		if text == "" {
			return "", false
		}
		lineNo++
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			line := text
			text = ""
			return line, true
		}
		line := text[:i]
		text = text[i+1:]
		return line, true
	}
	wantServices, wantActions := -1, -1
	for {
		line, ok := nextLine()
		if !ok {
			return nil, errors.New("no empty line after the header")
		}
		if line == "" {
			break
		}
		if line[0] == '#' {
			continue
		}
		key, value, _ := strings.Cut(line, " ")
		var err error
		switch key {
		case "source":
			c.info.Source = value
		case "version":
			c.info.Version = value
		case "date":
			c.info.Date = value
		case "services":
			wantServices, err = strconv.Atoi(value)
		case "actions":
			wantActions, err = strconv.Atoi(value)
		default:
			err = fmt.Errorf("unknown header %q", key)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", lineNo, err)
		}
	}
	if wantServices <= 0 || wantActions <= 0 {
		return nil, errors.New("the header lacks the service or action count")
	}
	// One backing array for all names: the catalog's allocations do not grow
	// with the number of actions.
	all := make([]string, wantActions)
	c.services = make([]string, 0, wantServices)
	c.actions = make([][]string, 0, wantServices)
	c.levels = make([]string, 0, wantServices)
	used := 0
	for {
		line, ok := nextLine()
		if !ok {
			break
		}
		tab := strings.IndexByte(line, '\t')
		if tab <= 0 {
			return nil, fmt.Errorf("line %d: no service prefix", lineNo)
		}
		svc := line[:tab]
		rest := line[tab+1:]
		tab = strings.IndexByte(rest, '\t')
		if tab <= 0 {
			return nil, fmt.Errorf("line %d (%s): no access levels", lineNo, svc)
		}
		levels, list := rest[:tab], rest[tab+1:]
		n := len(levels)
		if used+n > len(all) {
			return nil, fmt.Errorf("line %d (%s): more actions than the header's %d", lineNo, svc, wantActions)
		}
		names := all[used : used+n : used+n]
		for k := 0; k < n-1; k++ {
			sp := strings.IndexByte(list, ' ')
			if sp <= 0 {
				return nil, fmt.Errorf("line %d (%s): %d names for %d access levels", lineNo, svc, k+1, n)
			}
			names[k], list = list[:sp], list[sp+1:]
		}
		if list == "" || strings.IndexByte(list, ' ') >= 0 {
			return nil, fmt.Errorf("line %d (%s): the names do not match the %d access levels", lineNo, svc, n)
		}
		names[n-1] = list
		used += n
		c.services = append(c.services, svc)
		c.actions = append(c.actions, names)
		c.levels = append(c.levels, levels)
	}
	if len(c.services) != wantServices || used != wantActions {
		return nil, fmt.Errorf("%d services and %d actions, the header says %d and %d",
			len(c.services), used, wantServices, wantActions)
	}
	c.info.Services, c.info.Actions = wantServices, wantActions
	return c, nil
}
