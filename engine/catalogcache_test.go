package engine

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestRequestCatalogsKept checks that a catalog text sent again gives the same
// catalog, in either form, that another text gives another, and that the
// cache keeps its bounds.
func TestRequestCatalogsKept(t *testing.T) {
	req := func(catalog string) *Request {
		t.Helper()
		body := `{"policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]},
			"findings": [], "catalog": ` + catalog + `}`
		r, err := ParseRequest([]byte(body))
		if err != nil {
			t.Fatalf("ParseRequest(%s): %v", catalog, err)
		}
		return r
	}
	text := `{"zzkept": ["GetThing", "PutThing"]}`
	a, b := req(text), req(text)
	if a.Catalog != b.Catalog {
		t.Errorf("the same catalog text twice gave two catalogs")
	}
	if s := req(fmt.Sprintf("%q", text)); s.Catalog != a.Catalog {
		t.Errorf("the catalog as a string gave another catalog than the same text as an object")
	}
	other := req(`{"zzkept": ["GetThing"]}`)
	if other.Catalog == a.Catalog {
		t.Fatalf("two catalog texts gave the same catalog")
	}
	if got := other.Catalog.Actions("zzkept"); len(got) != 1 {
		t.Errorf("the second catalog's zzkept actions = %q, want one", got)
	}
	for i := range 3 * maxCachedCatalogs {
		req(fmt.Sprintf(`{"zzmany%d": ["Get%s"]}`, i, strings.Repeat("x", i)))
	}
	n, bytes, sum := requestCatalogs.state()
	if n < 0 || n > maxCachedCatalogs || bytes != sum || bytes > maxCachedCatalogBytes {
		t.Errorf("cache holds %d catalogs (-1: its order and map disagree), %d bytes counted, %d kept; want at most %d catalogs, counts agreeing",
			n, bytes, sum, maxCachedCatalogs)
	}
	if again := req(text); again.Catalog == a.Catalog {
		t.Errorf("the first catalog is still kept after %d others", 3*maxCachedCatalogs)
	}
}

// TestKeptCatalogSkipped checks that a kept catalog's text is not read again
// when a body is parsed, that the request still gets its catalog when the
// kept one is gone between parsing and reading, and that the bytes around a
// skipped catalog are checked as before.
func TestKeptCatalogSkipped(t *testing.T) {
	catalog := `{"zzskip": ["GetThing", "ListThings"]}`
	body := []byte(`{"policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "zzskip:*", "Resource": "*"}]},
		"findings": [], "catalog": ` + catalog + `}`)
	first, err := ParseRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	top, err := parseBody(body, "policy", "findings", "catalog")
	if err != nil {
		t.Fatal(err)
	}
	cv := top.Get("catalog")
	if !cv.skipped || string(body[cv.Off:cv.End]) != catalog {
		t.Fatalf("catalog value skipped=%v text %q, want skipped, text %q", cv.skipped, body[cv.Off:cv.End], catalog)
	}
	requestCatalogs.reset() // gone before the catalog is read
	_, cat, err := readFindingsCatalog(body, top, 0)
	if err != nil {
		t.Fatalf("readFindingsCatalog after the kept catalog went: %v", err)
	}
	if got, want := cat.Actions("zzskip"), first.Catalog.Actions("zzskip"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("catalog read again has zzskip actions %q, want %q", got, want)
	}
	for _, tail := range []string{`}}`, `,}`, `,"x": 1}`, `]}`} {
		bad := []byte(strings.TrimSuffix(string(body), "}") + tail)
		_, kept := ParseRequest(bad)
		requestCatalogs.reset()
		_, fresh := ParseRequest(bad)
		if kept == nil || fresh == nil || kept.Error() != fresh.Error() {
			t.Errorf("body ending %#q: with the catalog kept: %v; without: %v; want the same error", tail, kept, fresh)
		}
		ParseRequest(body) // keep it again
	}
}

// TestKeptUniverses checks that universes of the same catalog and services
// share their actions but not their marks or memos, that the kept ones equal
// those built afresh, that the cache keeps its bounds, and that checks on
// several goroutines, all starting from the kept universes, answer as one
// alone does (scripts/test runs it with -race).
func TestKeptUniverses(t *testing.T) {
	cat := BuiltinCatalog()
	a, b := newUniverse(cat, nil, true, nil), newUniverse(cat, nil, true, nil)
	if &a.names.ends[0] != &b.names.ends[0] {
		t.Errorf("two universes of the whole built-in catalog do not share its names")
	}
	fresh := buildUniverse(cat, nil, true, nil)
	if !slices.Equal(a.names.strings(), fresh.names.strings()) || !slices.Equal(a.keys.strings(), fresh.keys.strings()) ||
		string(a.levels) != string(fresh.levels) || len(a.bySvc) != len(fresh.bySvc) || a.ascii != fresh.ascii {
		t.Fatalf("the kept universe differs from one built afresh")
	}
	s3 := map[string]bool{"s3": true}
	c, d := newUniverse(cat, s3, false, nil), newUniverse(cat, s3, false, nil)
	if &c.names.ends[0] != &d.names.ends[0] || &c.names.ends[0] == &a.names.ends[0] {
		t.Errorf("universes of s3 alone: shared %v (want true), shared with the whole catalog's %v (want false)",
			&c.names.ends[0] == &d.names.ends[0], &c.names.ends[0] == &a.names.ends[0])
	}
	if fresh := buildUniverse(cat, s3, false, nil); !slices.Equal(c.names.strings(), fresh.names.strings()) {
		t.Errorf("the kept universe of s3 differs from one built afresh")
	}
	for i := range 3 * maxKeptUniverses { // many service sets: the oldest go
		newUniverse(cat, map[string]bool{cat.Services()[i]: true}, false, nil)
	}
	n, counted, actions := keptUniverses.state()
	if n < 0 || n > maxKeptUniverses || actions != counted || actions > maxKeptUniverseActions {
		t.Errorf("kept universes: %d (-1: order and map disagree), %d actions counted, %d kept; want at most %d universes, %d actions",
			n, counted, actions, maxKeptUniverses, maxKeptUniverseActions)
	}
	a.unused[0] = true
	a.patternRange("s3:Get*")
	if b.unused[0] || len(b.ranges) != 0 {
		t.Errorf("marking one universe or filling its range memo reached the other: unused[0]=%v, %d ranges", b.unused[0], len(b.ranges))
	}
	body := mustRead(t, "testdata/golden/check-role-recommendation.request.json")
	want, err := HandleCheck(body)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = HandleCheck(body)
		}()
	}
	wg.Wait()
	for i, g := range got {
		if string(g) != string(want) {
			t.Errorf("check %d on its own goroutine answered differently from one alone", i)
		}
	}
}
