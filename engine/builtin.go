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
//	prefix TAB levels TAB lengths TAB Name1 SP Name2 SP ...
//
// with one access-level letter per action (L, R, W, P, T, or - for unknown), one
// length character per action ('!'-1+len(name)) and the names in the order of
// [Catalog.Actions].
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
	// The body is cut by the lengths column, not by reading every byte: a fresh
	// WebAssembly instance runs this once, in V8's baseline code, where a byte
	// loop over half a megabyte costs about ten milliseconds.
	used := 0
	for text != "" {
		lineNo++
		tab := strings.IndexByte(text, '\t')
		if tab <= 0 {
			return nil, fmt.Errorf("line %d: no service prefix", lineNo)
		}
		svc := text[:tab]
		text = text[tab+1:]
		tab = strings.IndexByte(text, '\t')
		if tab <= 0 {
			return nil, fmt.Errorf("line %d (%s): no access levels", lineNo, svc)
		}
		levels := text[:tab]
		n := len(levels)
		if len(text) < 2*n+2 || text[n+1+n] != '\t' {
			return nil, fmt.Errorf("line %d (%s): the lengths do not match the %d access levels", lineNo, svc, n)
		}
		lengths := text[n+1 : n+1+n]
		text = text[n+1+n+1:]
		if used+n > len(all) {
			return nil, fmt.Errorf("line %d (%s): more actions than the header's %d", lineNo, svc, wantActions)
		}
		names := all[used : used+n : used+n]
		for k := 0; k < n; k++ {
			size := int(lengths[k]) - ('!' - 1)
			sep := byte(' ') // after each name but the last, which ends the line
			if k == n-1 {
				sep = '\n'
			}
			if size <= 0 || size >= len(text) || text[size] != sep {
				return nil, fmt.Errorf("line %d (%s): name %d does not fit its length", lineNo, svc, k)
			}
			names[k], text = text[:size], text[size+1:]
		}
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
