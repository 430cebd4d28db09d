package engine

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// builtinText is the built-in catalog in its embedded form (see
// [DecodeCatalog]), written by scripts/update-catalog.
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
		c, err := DecodeCatalog(builtinText)
		if err != nil {
			// The file is generated and checked by the tests: this is a build error.
			panic("engine: the embedded catalog is corrupt: " + err.Error())
		}
		builtinCatalog = c
	})
	return builtinCatalog
}

// DecodeCatalog decodes a catalog in the embedded form, the form of the
// built-in catalog, which [Catalog.AppendText] writes: comment lines starting
// with '#', header lines "key value" (source, version, date, services,
// actions) up to an empty line, then one line a service, in the order of
// [Catalog.Services]:
//
//	prefix TAB levels TAB lengths TAB Name1 SP Name2 SP ...
//
// with one access-level letter per action (L List, R Read, W Write,
// P Permissions management, T Tagging, - unknown), one length character per
// action ('!'-1+len(name)) and the names in the order of [Catalog.Actions];
// the text ends with a newline. The lengths let the decoder cut the names
// without reading them byte by byte, which matters in WebAssembly, where a
// fresh instance runs its first call in V8's baseline compiler.
//
// It checks the shape and the counts of the header, not the order of names.
func DecodeCatalog(text string) (*Catalog, error) {
	c := &Catalog{}
	body, line, err := c.decodeHeader(text)
	if err != nil {
		return nil, err
	}
	if err := c.decodeBody(body, line); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeHeader reads the comment and header lines of text into c.info, and
// returns the body after the empty line and the number of lines read.
func (c *Catalog) decodeHeader(text string) (body string, lineNo int, err error) {
	c.info.Services, c.info.Actions = -1, -1
	for {
		line, rest, ok := strings.Cut(text, "\n")
		if !ok {
			return "", 0, errors.New("no empty line after the header")
		}
		text = rest
		lineNo++
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
			c.info.Services, err = strconv.Atoi(value)
		case "actions":
			c.info.Actions, err = strconv.Atoi(value)
		default:
			err = fmt.Errorf("unknown header %q", key)
		}
		if err != nil {
			return "", 0, fmt.Errorf("line %d: %v", lineNo, err)
		}
	}
	if c.info.Services <= 0 || c.info.Actions <= 0 {
		return "", 0, errors.New("the header lacks the service or action count")
	}
	return text, lineNo, nil
}

// decodeBody reads the service lines of text, which follows line lineNo, in
// the numbers c.info announces.
func (c *Catalog) decodeBody(text string, lineNo int) error {
	wantServices, wantActions := c.info.Services, c.info.Actions
	// One backing array for all names' ends: the catalog's allocations do not
	// grow with the number of actions, and the names are the embedded text's.
	all := make([]uint32, wantActions)
	c.services = make([]string, 0, wantServices)
	c.actions = make([]strtab, 0, wantServices)
	c.levels = make([]string, 0, wantServices)
	// The body is cut by the lengths column, not by reading every byte: a fresh
	// WebAssembly instance runs this once, in V8's baseline code, where a byte
	// loop over half a megabyte costs about ten milliseconds.
	used := 0
	for text != "" {
		lineNo++
		tab := strings.IndexByte(text, '\t')
		if tab <= 0 {
			return fmt.Errorf("line %d: no service prefix", lineNo)
		}
		svc := text[:tab]
		text = text[tab+1:]
		tab = strings.IndexByte(text, '\t')
		if tab <= 0 {
			return fmt.Errorf("line %d (%s): no access levels", lineNo, svc)
		}
		levels := text[:tab]
		n := len(levels)
		if len(text) < 2*n+2 || text[n+1+n] != '\t' {
			return fmt.Errorf("line %d (%s): the lengths do not match the %d access levels", lineNo, svc, n)
		}
		lengths := text[n+1 : n+1+n]
		text = text[n+1+n+1:]
		if used+n > len(all) {
			return fmt.Errorf("line %d (%s): more actions than the header's %d", lineNo, svc, wantActions)
		}
		ends := all[used : used+n : used+n]
		line, end := text, 0 // the names, a space between two
		for k := 0; k < n; k++ {
			size := int(lengths[k]) - ('!' - 1)
			sep := byte(' ') // after each name but the last, which ends the line
			if k == n-1 {
				sep = '\n'
			}
			if size <= 0 || size >= len(text) || text[size] != sep {
				return fmt.Errorf("line %d (%s): name %d does not fit its length", lineNo, svc, k)
			}
			end += size
			ends[k] = uint32(end)
			end++
			text = text[size+1:]
		}
		used += n
		c.services = append(c.services, svc)
		c.actions = append(c.actions, strtab{text: line[:end-1], ends: ends, sep: 1})
		c.levels = append(c.levels, levels)
	}
	if len(c.services) != wantServices || used != wantActions {
		return fmt.Errorf("%d services and %d actions, the header says %d and %d",
			len(c.services), used, wantServices, wantActions)
	}
	return nil
}

// CatalogAction is one action given to [NewCatalog]: its canonical name and
// its access level (AccessList, ..., or "" when unknown).
type CatalogAction struct {
	Name, Level string
}

// maxEmbeddedName is the longest name the lengths column of the embedded form
// holds ('!' to '~'); the longest AWS action name (2026) has 63 characters.
const maxEmbeddedName = '~' - '!' + 1

// NewCatalog makes a catalog of the given services' actions, for writing in
// the embedded form ([Catalog.AppendText]), with info's source, version and
// date. It sorts as every catalog is sorted, and refuses what the embedded form
// cannot hold: a service prefix other than [a-z0-9-]+, a service with no
// actions, a name that is not printable ASCII without ':', '*', '?' and spaces
// or is longer than the lengths column holds, two names that differ only in
// case, and an unknown access level.
func NewCatalog(info CatalogInfo, services map[string][]CatalogAction) (*Catalog, error) {
	if len(services) == 0 {
		return nil, errors.New("no services")
	}
	c := &Catalog{info: CatalogInfo{Source: info.Source, Version: info.Version, Date: info.Date}}
	for svc, list := range services {
		if !validCatalogService(svc) || strings.ToLower(svc) != svc {
			return nil, fmt.Errorf("service %q is not [a-z0-9-]+", svc)
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("%s: no actions", svc)
		}
		entries := make([]catalogEntry, len(list))
		level := map[string]byte{}
		for i, a := range list {
			if !validEmbeddedName(a.Name) {
				return nil, fmt.Errorf("%s: action %q is not printable ASCII without ':', '*', '?' and spaces", svc, a.Name)
			}
			if len(a.Name) > maxEmbeddedName {
				return nil, fmt.Errorf("%s: action %q is longer than the embedded form holds (%d)", svc, a.Name, maxEmbeddedName)
			}
			if level[a.Name] = levelLetter(a.Level); level[a.Name] == 0 {
				return nil, fmt.Errorf("%s: action %q: unknown access level %q", svc, a.Name, a.Level)
			}
			entries[i] = catalogEntry{name: a.Name, key: strings.ToLower(a.Name), index: i}
		}
		names, later, first := sortedNames(entries)
		if names == nil {
			return nil, fmt.Errorf("%s: %q and %q differ only in case", svc, entries[first].name, entries[later].name)
		}
		letters := make([]byte, len(names))
		for i, n := range names {
			letters[i] = level[n]
		}
		c.addService(svc, names, string(letters))
	}
	c.sortServices()
	return c, nil
}

// validEmbeddedName reports whether name may stand in the embedded form:
// printable ASCII, no ':', '*', '?', no space. (ASCII keeps byte order and
// case folding simple; a user's catalog may hold more.)
func validEmbeddedName(name string) bool {
	for i := 0; i < len(name); i++ {
		if b := name[i]; b <= ' ' || b >= 0x7f || b == ':' || b == '*' || b == '?' {
			return false
		}
	}
	return name != ""
}

// levelLetter is the letter of an access level in the embedded form ('-' for
// ""), or 0 for a name that is no access level; the inverse of levelName.
func levelLetter(level string) byte {
	for _, l := range []byte("LRWPT-") {
		if levelName(l) == level {
			return l
		}
	}
	return 0
}

// AppendText appends c in the embedded form (see [DecodeCatalog]) to b, with
// comment lines that explain the form: the same catalog, the same bytes.
func (c *Catalog) AppendText(b []byte) []byte {
	b = append(b, "# Whittle's built-in AWS action catalog, made by scripts/update-catalog: do not edit by hand.\n"+
		"# Header lines \"key value\", an empty line, then one line a service:\n"+
		"# prefix TAB access levels (one letter an action: L List, R Read, W Write,\n"+
		"# P Permissions management, T Tagging, - unknown) TAB name lengths (one character\n"+
		"# an action: '!' is 1, '\"' is 2, ...) TAB action names separated by spaces.\n"...)
	b = append(b, "source "+c.info.Source+"\n"...)
	if c.info.Version != "" {
		b = append(b, "version "+c.info.Version+"\n"...)
	}
	b = fmt.Appendf(b, "date %s\nservices %d\nactions %d\n\n", c.info.Date, c.info.Services, c.info.Actions)
	for i, svc := range c.services {
		names := c.actions[i].strings()
		levels := c.levels[i]
		if levels == "" {
			levels = strings.Repeat("-", len(names))
		}
		b = append(b, svc+"\t"+levels+"\t"...)
		for _, n := range names {
			b = append(b, byte('!'-1+len(n)))
		}
		b = append(b, '\t')
		b = append(b, strings.Join(names, " ")...)
		b = append(b, '\n')
	}
	return b
}
