package main

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"whittle/engine"
)

const sourceSAR = "AWS Service Authorization Reference"

// readSAR reads a folder of Service Authorization Reference JSON.
func readSAR(dir string) (*data, error) {
	index, err := sarIndex(dir)
	if err != nil {
		return nil, err
	}
	d := &data{info: engine.CatalogInfo{Source: sourceSAR}, services: map[string][]engine.CatalogAction{}}
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
					Properties *sarProperties
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
		if _, dup := d.services[svc]; dup {
			return nil, fmt.Errorf("index lists %q twice", svc)
		}
		list := make([]engine.CatalogAction, 0, len(doc.Actions))
		for _, a := range doc.Actions {
			level := "" // unknown
			if a.Annotations != nil && a.Annotations.Properties != nil {
				level = a.Annotations.Properties.level()
			}
			list = append(list, engine.CatalogAction{Name: a.Name, Level: level})
		}
		d.services[svc] = list
	}
	return d, nil
}

// sarProperties are the flags of an action that tell its access level.
type sarProperties struct {
	IsList                 bool
	IsPermissionManagement bool
	IsTaggingOnly          bool
	IsWrite                bool
}

// level is the first true flag of IsPermissionManagement, IsTaggingOnly,
// IsWrite, IsList, else Read.
func (p *sarProperties) level() string {
	switch {
	case p.IsPermissionManagement:
		return engine.AccessPermissions
	case p.IsTaggingOnly:
		return engine.AccessTagging
	case p.IsWrite:
		return engine.AccessWrite
	case p.IsList:
		return engine.AccessList
	}
	return engine.AccessRead
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
		text, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if t := bytes.TrimSpace(text); len(t) > 0 && t[0] == '[' {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("%s: want one index file (index.json, or one JSON array); found %d", dir, len(found))
	}
	return index, readJSON(found[0], &index)
}
