// Package examples reads the playground's example menu, web/examples/index.json:
// the one list of the examples and of their files. Three readers share it:
// the page (wasm/playground) fills the menu and the editors; web/app.js
// prefetches the first example's files and web/sw.js caches every example's
// files for use offline, both taking an example's "files" as a plain list
// (Object.values). This package names each file's editor, and refuses a file
// for no editor, so that what the scripts fetch is what the page reads.
package examples

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// Example is one entry of the menu.
type Example struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Files Files  `json:"files"`
}

// Files names an example's files, relative to web/examples/: one an editor.
type Files struct {
	Policy    string `json:"policy"`
	Findings  string `json:"findings"`
	Catalog   string `json:"catalog,omitempty"`
	Candidate string `json:"candidate,omitempty"` // a policy to check: AWS's recommendation
}

// List is the files that are given, in the order of the editors: policy,
// findings, catalog, candidate.
func (f Files) List() []string {
	var out []string
	for _, name := range []string{f.Policy, f.Findings, f.Catalog, f.Candidate} {
		if name != "" {
			out = append(out, name)
		}
	}
	return out
}

// Parse reads index.json. It refuses an unknown key (a file for no editor
// would be fetched and cached but never shown), an example without an id, a
// title, a policy or findings, two examples with one id, and a file name that
// is not a clean path below web/examples/.
func Parse(data []byte) ([]Example, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	var list []Example
	if err := d.Decode(&list); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	seen := map[string]bool{}
	for i, ex := range list {
		where := fmt.Sprintf("index.json: example %d (%q)", i, ex.ID)
		switch {
		case ex.ID == "" || ex.Title == "":
			return nil, fmt.Errorf("%s: want an id and a title", where)
		case seen[ex.ID]:
			return nil, fmt.Errorf("%s: the id is taken by an earlier example", where)
		case ex.Files.Policy == "" || ex.Files.Findings == "":
			return nil, fmt.Errorf("%s: want a policy and findings", where)
		}
		seen[ex.ID] = true
		for _, name := range ex.Files.List() {
			if path.Clean(name) != name || path.IsAbs(name) || strings.HasPrefix(name, "../") {
				return nil, fmt.Errorf("%s: file %q is not a clean path below web/examples/", where, name)
			}
		}
	}
	return list, nil
}
