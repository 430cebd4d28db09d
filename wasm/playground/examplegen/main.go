//go:build !(js && wasm)

// Command examplegen writes the playground's generated example: the AWS managed
// policy ReadOnlyAccess with every second action it allows (over the built-in
// catalog, sorted) reported unused. scripts/build-web runs it:
//
//	go run ./wasm/playground/examplegen build/web/web/examples
//
// It writes readonly-half/policy.json and readonly-half/findings.json there.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"whittle/engine"
)

const source = "engine/testdata/policies/ReadOnlyAccess.json"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: examplegen DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "examplegen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	policy, err := os.ReadFile(source)
	if err != nil {
		return err
	}
	var doc struct {
		Statement []struct {
			Effect string
			Action []string
		}
	}
	if err := json.Unmarshal(policy, &doc); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	cat := engine.BuiltinCatalog()
	allowed := map[string]bool{}
	for _, st := range doc.Statement {
		if st.Effect != "Allow" {
			continue
		}
		for _, p := range st.Action {
			for _, svc := range cat.Services() {
				for _, name := range cat.Actions(svc) {
					a := svc + ":" + name
					if !allowed[a] && engine.Match(p, a) {
						allowed[a] = true
					}
				}
			}
		}
	}
	all := make([]string, 0, len(allowed))
	for a := range allowed {
		all = append(all, a)
	}
	sort.Strings(all)
	unused := []string{}
	for i, a := range all {
		if i%2 == 1 {
			unused = append(unused, a)
		}
	}
	findings, _ := json.MarshalIndent(unused, "", "  ")
	out := filepath.Join(dir, "readonly-half")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "policy.json"), policy, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "findings.json"), append(findings, '\n'), 0o644)
}
