package engine

import (
	"bytes"
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Catalog holds every action AWS defines, per service, in canonical casing.
//
// The built-in catalog ([BuiltinCatalog]) is embedded in the program; a user's
// catalog ([ParseCatalog]) overlays it per service ([Catalog.Overlay]). A Catalog
// never changes once made, so it is safe for concurrent use, and the slices it
// returns are its own: callers must not modify them.
//
// Services are kept in the order of the strings "svc:" and each service's actions
// in the order of their lowercase forms (then of their bytes), so that lookups are
// binary searches and concatenating the lists gives every "svc:Name" sorted.
type Catalog struct {
	info     CatalogInfo
	services []string // lowercase service prefixes, in the order of "svc:"
	// actions[i]: the names of services[i], sorted by lowercase form, then
	// bytes. A table, not a []string: the collector does not scan 22,000
	// string headers of the built-in catalog in every collection.
	actions []strtab
	// levels[i][j] is the access-level letter of actions[i][j] (see levelNames);
	// levels[i] is "" when the service's levels are unknown.
	levels []string
	// source is the overlay text of a catalog made by a request; "" otherwise.
	source string
}

// Access levels of [Catalog.AccessLevel].
const (
	AccessList        = "List"
	AccessRead        = "Read"
	AccessWrite       = "Write"
	AccessPermissions = "Permissions management"
	AccessTagging     = "Tagging"
)

// SourceUserCatalog is the CatalogInfo.Source of a catalog made by [ParseCatalog].
const SourceUserCatalog = "user catalog"

// levelName maps an access-level letter of the embedded form to its name; the
// letter '-' (unknown) maps to "".
func levelName(letter byte) string {
	switch letter {
	case 'L':
		return AccessList
	case 'R':
		return AccessRead
	case 'W':
		return AccessWrite
	case 'P':
		return AccessPermissions
	case 'T':
		return AccessTagging
	}
	return ""
}

// Info describes c: source, version, data date, counts, and the services a user's
// catalog replaced or added.
func (c *Catalog) Info() CatalogInfo {
	info := c.info
	info.Overlay = slices.Clone(info.Overlay)
	return info
}

// Services returns the lowercase service prefixes of c in the order of the strings
// "svc:" ("s3-outposts" comes before "s3", since '-' < ':').
func (c *Catalog) Services() []string { return c.services }

// Actions returns the canonical action names of service (matched ignoring case),
// sorted by their lowercase forms, then by bytes; nil if c does not know service.
// The slice is made for the call (the names are not copied).
func (c *Catalog) Actions(service string) []string {
	if i := c.service(service); i >= 0 {
		return c.actions[i].strings()
	}
	return nil
}

// names returns the table of service's action names, or nil.
func (c *Catalog) names(service string) *strtab {
	if i := c.service(service); i >= 0 {
		return &c.actions[i]
	}
	return nil
}

// lookup returns the canonical spelling of action ("S3:getobject" gives
// "s3:GetObject") and whether c knows it. Case is ignored as [strings.ToLower]
// ignores it.
func (c *Catalog) lookup(action string) (canonical string, ok bool) {
	i, j := c.find(action)
	if i < 0 {
		return "", false
	}
	svc, name := c.services[i], c.actions[i].at(j)
	if len(action) == len(svc)+1+len(name) && action[:len(svc)] == svc && action[len(svc)+1:] == name {
		return action, true // already canonical: no allocation
	}
	return svc + ":" + name, true
}

// levelLetters returns the access-level letters of a service's actions, in the
// order of Actions(service) ("" when unknown).
func (c *Catalog) levelLetters(service string) string {
	if i := c.service(service); i >= 0 {
		return c.levels[i]
	}
	return ""
}

// AccessLevel returns the access level of action ("List", "Read", "Write",
// "Permissions management" or "Tagging"), or "" when c does not know the action
// or its level (a user's catalog has no levels).
func (c *Catalog) AccessLevel(action string) string {
	i, j := c.find(action)
	if i < 0 || j >= len(c.levels[i]) {
		return ""
	}
	return levelName(c.levels[i][j])
}

// find locates "svc:Name" (ignoring case): service index and action index, or -1, -1.
func (c *Catalog) find(action string) (int, int) {
	colon := strings.IndexByte(action, ':')
	if colon < 0 {
		return -1, -1
	}
	i := c.service(action[:colon])
	if i < 0 {
		return -1, -1
	}
	names, name := &c.actions[i], action[colon+1:]
	lo := names.search(0, names.len(), func(n string) bool { return compareLower(n, name) >= 0 })
	if lo < names.len() && compareLower(names.at(lo), name) == 0 {
		return i, lo
	}
	return -1, -1
}

// service returns the index of svc (ignoring ASCII case) in c.services, or -1.
func (c *Catalog) service(svc string) int {
	lo, hi := 0, len(c.services)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareService(c.services[m], svc) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(c.services) && compareService(c.services[lo], svc) == 0 {
		return lo
	}
	return -1
}

// compareService compares a+":" with lower(b)+":", for a lowercase prefix a and a
// prefix b in any ASCII case: the order of [Catalog.Services].
func compareService(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := a[i], b[i]
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	switch {
	case len(a) == len(b):
		return 0
	case len(a) < len(b): // a+":" is a prefix of b+":" when b continues with ':'
		y := b[n]
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if y == ':' {
			return -1
		}
		return cmp.Compare(':', y)
	default:
		if a[n] == ':' {
			return 1
		}
		return cmp.Compare(a[n], ':')
	}
}

// compareLower compares strings.ToLower(a) with strings.ToLower(b) without
// allocating.
func compareLower(a, b string) int {
	for len(a) > 0 && len(b) > 0 {
		x, y := a[0], b[0]
		if x < utf8.RuneSelf && y < utf8.RuneSelf {
			if 'A' <= x && x <= 'Z' {
				x += 'a' - 'A'
			}
			if 'A' <= y && y <= 'Z' {
				y += 'a' - 'A'
			}
			if x != y {
				return cmp.Compare(x, y)
			}
			a, b = a[1:], b[1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(a)
		s, m := utf8.DecodeRuneInString(b)
		r, s = unicode.ToLower(r), unicode.ToLower(s)
		if r != s {
			if r < s {
				return -1
			}
			return 1
		}
		a, b = a[n:], b[m:]
	}
	return cmp.Compare(len(a), len(b))
}

// compareActions is the order of a service's actions: lowercase form, then bytes.
func compareActions(a, b string) int {
	if c := compareLower(a, b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// Overlay returns c with each service of user replacing c's list of that service
// (or adding it). Info().Overlay of the result lists those services (with any that
// c already overlaid), in the order of [Catalog.Services]. An action of an
// overlaid service keeps the access level c gives it, if any. Neither c nor user
// changes.
func (c *Catalog) Overlay(user *Catalog) *Catalog {
	if user == nil || len(user.services) == 0 {
		return c
	}
	out := &Catalog{info: c.info}
	n := len(c.services) + len(user.services)
	out.services = make([]string, 0, n)
	out.actions = make([]strtab, 0, n)
	out.levels = make([]string, 0, n)
	overlay := slices.Clone(c.info.Overlay)
	i, j := 0, 0
	for i < len(c.services) || j < len(user.services) {
		cmp := -1
		switch {
		case i == len(c.services):
			cmp = 1
		case j < len(user.services):
			cmp = compareService(c.services[i], user.services[j])
		}
		if cmp < 0 {
			out.services = append(out.services, c.services[i])
			out.actions = append(out.actions, c.actions[i])
			out.levels = append(out.levels, c.levels[i])
			i++
			continue
		}
		var old *strtab
		var oldLevels string
		if cmp == 0 {
			old, oldLevels = &c.actions[i], c.levels[i]
			i++
		}
		svc, names := user.services[j], user.actions[j]
		j++
		out.services = append(out.services, svc)
		out.actions = append(out.actions, names)
		out.levels = append(out.levels, carryLevels(&names, old, oldLevels))
		overlay = append(overlay, svc)
	}
	slices.SortFunc(overlay, compareService)
	out.info.Overlay = slices.Compact(overlay)
	out.info.Services = len(out.services)
	out.info.Actions = 0
	for _, names := range out.actions {
		out.info.Actions += names.len()
	}
	return out
}

// carryLevels returns the access-level letters of names taken from the sorted
// list old and its letters oldLevels ('-' where old lacks a name); "" when none
// is known.
func carryLevels(names, old *strtab, oldLevels string) string {
	if oldLevels == "" || old == nil {
		return ""
	}
	letters := make([]byte, names.len())
	known := false
	k := 0
	for n := range names.len() { // both lists are in the same order: one merge pass
		name := names.at(n)
		for k < old.len() && compareLower(old.at(k), name) < 0 {
			k++
		}
		letters[n] = '-'
		if k < old.len() && compareLower(old.at(k), name) == 0 && k < len(oldLevels) {
			letters[n] = oldLevels[k]
			known = true
		}
	}
	if !known {
		return ""
	}
	return string(letters)
}

// ParseCatalog reads a user's catalog: a JSON object mapping service prefixes to
// lists of action names, {"s3": ["GetObject", "PutObject"], "lambda": [...]}.
//
// A service prefix is letters, digits and '-' (kept in lowercase); its list is not
// empty. An action name is not empty and holds no ':', '*', '?' or white space;
// a list holds no name twice, not even in another casing. The names' casing is
// kept as given: it is the canonical casing from then on. The text is read by
// the engine's JSON parser, as policies and findings are (invalid UTF-8 is
// refused at its place).
//
// The only possible returned error has Code [CodeInvalidCatalog], Field "catalog",
// the Path of the bad place (`s3`, `s3[4]`) and its Line and Column in text.
func ParseCatalog(text []byte) (*Catalog, *Error) {
	fail := func(e *Error) (*Catalog, *Error) {
		e.Code, e.Field = CodeInvalidCatalog, "catalog"
		return nil, e.Locate(text)
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return fail(&Error{Offset: len(text), Message: `empty: a catalog is an object of string arrays {"s3": ["GetObject", ...]}`})
	}
	v, err := ParseJSON(text)
	if err != nil {
		err.Message = "not JSON: " + strings.TrimPrefix(err.Message, err.Path+": ")
		if err.Path != "" {
			err.Message = err.Path + ": " + err.Message
		}
		return fail(err)
	}
	c, err := catalogFromValue(v)
	if err != nil {
		return fail(err)
	}
	return c, nil
}

// catalogError is a refusal of a user's catalog at v, at path.
func catalogError(v *Value, off int, path, format string, args ...any) *Error {
	if v != nil {
		off = v.Off
	}
	return errorAt(CodeInvalidCatalog, "catalog", path, off, format, args...)
}

// catalogEntry is one action name of a user's catalog with its place.
type catalogEntry struct {
	name   string
	key    string // strings.ToLower(name), the sort key
	offset int
	index  int
}

// catalogFromValue reads a user's catalog from a parsed value, as
// policyFromValue and findingsFromValue read theirs: one set of rules, errors
// with an Offset into the text v was parsed from.
func catalogFromValue(v *Value) (*Catalog, *Error) {
	if v.Kind != KindObject {
		return nil, catalogError(v, 0, "", `a catalog is an object of string arrays {"s3": ["GetObject", ...]}, not %s`, v.describe())
	}
	c := &Catalog{info: CatalogInfo{Source: SourceUserCatalog}}
	seen := map[string]string{} // lowercase prefix -> the key as written
	for _, m := range v.Obj {
		key := m.Key
		path := catalogPath(key, -1)
		svc := strings.ToLower(key)
		switch {
		case key == "":
			return nil, catalogError(nil, m.KeyOff, path, "empty service name")
		case !validCatalogService(svc):
			return nil, catalogError(nil, m.KeyOff, path, "service name %q is not letters, digits and '-'", key)
		}
		if first, dup := seen[svc]; dup {
			if first == key {
				return nil, catalogError(nil, m.KeyOff, path, "service %q is listed twice", key)
			}
			return nil, catalogError(nil, m.KeyOff, path, "services %q and %q differ only in case", first, key)
		}
		seen[svc] = key
		names, err := catalogList(m.Val, path)
		if err != nil {
			return nil, err
		}
		c.addUserService(svc, names)
	}
	c.sortServices()
	return c, nil
}

// addUserService appends a service of a user's catalog (no access levels).
func (c *Catalog) addUserService(svc string, names []string) {
	c.addService(svc, names, "")
}

// addService appends a service with its sorted names and their access-level
// letters ("" when unknown).
func (c *Catalog) addService(svc string, names []string, levels string) {
	c.services = append(c.services, svc)
	c.actions = append(c.actions, newStrtab(names)) // copied: a request's catalog keeps no part of the request
	c.levels = append(c.levels, levels)
	c.info.Actions += len(names)
}

// sortServices sorts the services of a catalog being made, keeping each list
// with its service, and counts them.
func (c *Catalog) sortServices() {
	c.info.Services = len(c.services)
	order := make([]int, len(c.services))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return compareService(c.services[a], c.services[b]) })
	services, actions, levels := make([]string, len(order)), make([]strtab, len(order)), make([]string, len(order))
	for i, k := range order {
		services[i], actions[i], levels[i] = c.services[k], c.actions[k], c.levels[k]
	}
	c.services, c.actions, c.levels = services, actions, levels
}

// catalogList reads one service's array of action names, sorted.
func catalogList(v *Value, path string) ([]string, *Error) {
	if v.Kind != KindArray {
		return nil, catalogError(v, 0, path, "want an array of action names, not %s", v.describe())
	}
	if len(v.Arr) == 0 {
		return nil, catalogError(v, 0, path, "empty list of actions")
	}
	entries := make([]catalogEntry, 0, len(v.Arr))
	for i, item := range v.Arr {
		at := catalogPath(path, i)
		name := item.Str
		switch {
		case item.Kind != KindString:
			return nil, catalogError(item, 0, at, "want an action name (a string), not %s", item.describe())
		case name == "":
			return nil, catalogError(item, 0, at, "empty action name")
		case strings.ContainsAny(name, ":*?"):
			return nil, catalogError(item, 0, at, "action name %q holds %q: give the name alone, without service prefix or wildcards",
				name, name[strings.IndexAny(name, ":*?")])
		case strings.IndexFunc(name, unicode.IsSpace) >= 0:
			return nil, catalogError(item, 0, at, "action name %q holds white space", name)
		}
		entries = append(entries, catalogEntry{name: name, key: strings.ToLower(name), offset: item.Off, index: i})
	}
	names, i, j := sortedNames(entries)
	if names != nil {
		return names, nil
	}
	e, first := entries[i], entries[j]
	at := catalogPath(path, e.index)
	if first.name == e.name {
		return nil, catalogError(nil, e.offset, at, "%q is listed twice (also at %s)", e.name, catalogPath(path, first.index))
	}
	return nil, catalogError(nil, e.offset, at, "%q and %q (at %s) differ only in case", e.name, first.name, catalogPath(path, first.index))
}

// sortedNames returns the names of one service's entries, sorted. If two of
// them are the same name, or equal under case folding or in lower case, it
// returns nil and the positions in entries of the later one and of the first.
// It sorts entries.
func sortedNames(entries []catalogEntry) (names []string, later, first int) {
	folded := make(map[string]int, len(entries))
	for i, e := range entries {
		k := foldKey(e.name) // equal for names equal under Unicode simple case folding
		if j, dup := folded[k]; dup {
			return nil, i, j
		}
		folded[k] = i
	}
	slices.SortFunc(entries, func(a, b catalogEntry) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	names = make([]string, len(entries))
	for i, e := range entries {
		if i > 0 && e.key == entries[i-1].key { // equal in lowercase though not under folding (İ, i)
			if entries[i-1].index > e.index {
				return nil, i - 1, i
			}
			return nil, i, i - 1
		}
		names[i] = e.name
	}
	return names, -1, -1
}

// catalogPath is the path of a service key (index < 0) or of an action in its
// list: s3, s3[4], ["my service"][0]. A list path is passed as service.
func catalogPath(service string, index int) string {
	if index >= 0 {
		return service + "[" + strconv.Itoa(index) + "]"
	}
	if validCatalogService(service) {
		return service
	}
	return "[" + strconv.Quote(service) + "]"
}

// validCatalogService reports whether s is a service prefix: [A-Za-z0-9-]+.
func validCatalogService(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
