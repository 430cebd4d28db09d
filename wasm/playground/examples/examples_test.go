package examples

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const dir = "../../../web/examples/"

// built are the files scripts/build-web adds to web/examples/ in the build,
// from where they live in the repository ("" for made by examplegen).
var built = map[string]string{
	"catalog-2024-08-31.json":     "../../../engine/testdata/catalog-2024-08-31.json",
	"role/":                       "../../../engine/testdata/role/",
	"readonly-half/policy.json":   "",
	"readonly-half/findings.json": "",
}

// TestIndex reads the committed menu: it parses, every file is there (or
// made by scripts/build-web), and the readers agree: the files web/app.js and
// web/sw.js take from an example (every value of its "files") are the
// files the page reads into its editors (Files.List).
func TestIndex(t *testing.T) {
	data, err := os.ReadFile(dir + "index.json")
	if err != nil {
		t.Fatal(err)
	}
	list, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 8 || list[0].ID != "article-2024" {
		t.Errorf("index.json has %d examples, the first %q; want the article's first, and all of them", len(list), list[0].ID)
	}
	var scripts []struct{ Files map[string]string }
	if err := json.Unmarshal(data, &scripts); err != nil {
		t.Fatal(err)
	}
	for i, ex := range list {
		var js []string
		for _, f := range scripts[i].Files {
			js = append(js, f)
		}
		if page := ex.Files.List(); !slices.Equal(sorted(js), sorted(page)) {
			t.Errorf("%s: the scripts take %q, the page reads %q", ex.ID, js, page)
		}
		for _, f := range ex.Files.List() {
			if _, err := os.Stat(source(f)); err != nil {
				t.Errorf("%s: %v", ex.ID, err)
			}
		}
	}
}

// source is where file f of web/examples/ comes from in the repository.
func source(f string) string {
	for name, from := range built {
		if from == "" && name == f {
			return "../examplegen/main.go"
		}
		if rest, ok := strings.CutPrefix(f, name); ok && from != "" {
			return filepath.Join(from, rest)
		}
	}
	return dir + f
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestParse(t *testing.T) {
	for _, tt := range []struct{ in, err string }{
		{`[]`, ""},
		{`[{"id":"a","title":"A","files":{"policy":"a/p.json","findings":"a/f.json","catalog":"c.json","candidate":"a/x.json"}}]`, ""},
		{`[{"id":"a","title":"A","files":{"policy":"p","findings":"f","trie":"t"}}]`, `index.json: json: unknown field "trie"`},
		{`[{"id":"a","title":"A","policy":"p","findings":"f"}]`, `index.json: json: unknown field "policy"`},
		{`[{"id":"a","files":{"policy":"p","findings":"f"}}]`, `index.json: example 0 ("a"): want an id and a title`},
		{`[{"id":"a","title":"A","files":{"policy":"p"}}]`, `index.json: example 0 ("a"): want a policy and findings`},
		{`[{"id":"a","title":"A","files":{"policy":"p","findings":"f"}},{"id":"a","title":"B","files":{"policy":"p","findings":"f"}}]`,
			`index.json: example 1 ("a"): the id is taken by an earlier example`},
		{`[{"id":"a","title":"A","files":{"policy":"../p","findings":"f"}}]`, `index.json: example 0 ("a"): file "../p" is not a clean path below web/examples/`},
		{`[{"id":"a","title":"A","files":{"policy":"/etc/p","findings":"f"}}]`, `index.json: example 0 ("a"): file "/etc/p" is not a clean path below web/examples/`},
		{`[{"id":"a","title":"A","files":{"policy":"a//p","findings":"f"}}]`, `index.json: example 0 ("a"): file "a//p" is not a clean path below web/examples/`},
		{`{}`, "index.json: json: cannot unmarshal object into Go value of type []examples.Example"},
	} {
		_, err := Parse([]byte(tt.in))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("Parse(%s) error = %q, want %q", tt.in, got, tt.err)
		}
	}
	list, _ := Parse([]byte(`[{"id":"a","title":"A","files":{"policy":"p","findings":"f","candidate":"x"}}]`))
	if got := list[0].Files.List(); !slices.Equal(got, []string{"p", "f", "x"}) {
		t.Errorf("List() = %q, want [p f x]", got)
	}
}
