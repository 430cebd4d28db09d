package engine

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestStrtab checks the table against a []string holding the same strings: the
// builder's add, addFold and appendTab, empty strings among them, and search.
func TestStrtab(t *testing.T) {
	words := []string{"s3:GetObject", "", "S3:ListBucket", "iam:PassRole", "ſts:AssumeRole", "K", "ec2:DescribeInstances"}
	var b, f strtabBuilder
	for _, w := range words {
		svc, name, _ := strings.Cut(w, ":")
		if strings.Contains(w, ":") {
			b.add(svc, ":", name)
			f.addFold(svc, ":", name)
		} else {
			b.add(w)
			f.addFold(w)
		}
	}
	names, folded := b.done(), f.done()
	if got := names.strings(); !slices.Equal(got, words) {
		t.Errorf("add: got %q, want %q", got, words)
	}
	var want []string
	for _, w := range words {
		want = append(want, foldKey(w))
	}
	if got := folded.strings(); !slices.Equal(got, want) {
		t.Errorf("addFold: got %q, want %q", got, want)
	}
	spaced := strtab{text: "GetObject PutObject", ends: []uint32{9, 19}, sep: 1} // as the built-in catalog's lines
	var c strtabBuilder
	c.add("first")
	c.appendTab(&names)
	c.appendTab(&strtab{})
	c.appendTab(&spaced)
	c.add("last")
	both := c.done()
	if got, want := both.strings(), append(append([]string{"first"}, words...), "GetObject", "PutObject", "last"); !slices.Equal(got, want) {
		t.Errorf("appendTab: got %q, want %q", got, want)
	}

	// ascii: known as the table is made, and carried by appendTab.
	var ab strtabBuilder
	ab.add("s3:", "GetObject")
	ab.addFold("S3:", "GetObject")
	ascii := ab.done()
	var mixed strtabBuilder
	mixed.appendTab(&ascii)
	asciiAfter := mixed.done()
	mixed.appendTab(&names)
	if !ascii.ascii || !asciiAfter.ascii || names.ascii || folded.ascii || mixed.done().ascii || both.ascii {
		t.Errorf("ascii: %v %v %v %v %v %v, want true true false false false false",
			ascii.ascii, asciiAfter.ascii, names.ascii, folded.ascii, mixed.done().ascii, both.ascii)
	}

	sorted := slices.Sorted(slices.Values(want))
	var s strtabBuilder
	for _, w := range sorted {
		s.add(w)
	}
	tab := s.done()
	for _, q := range append(sorted, "", "a", "zz", "s3:", "s3:getobject!") {
		for lo := 0; lo <= len(sorted); lo++ {
			for hi := lo; hi <= len(sorted); hi++ {
				got := tab.search(lo, hi, func(k string) bool { return k >= q })
				want := lo + sort.Search(hi-lo, func(i int) bool { return sorted[lo+i] >= q })
				if got != want {
					t.Fatalf("search(%d, %d, >= %q) = %d, want %d", lo, hi, q, got, want)
				}
				gotLo, gotHi := tab.prefixRange(q, lo, hi)
				wantLo, wantHi := hi, hi
				for i := hi - 1; i >= lo; i-- {
					if strings.HasPrefix(sorted[i], q) {
						if wantHi == hi && (i == hi-1 || !strings.HasPrefix(sorted[i+1], q)) {
							wantHi = i + 1
						}
						wantLo = i
					}
				}
				if gotLo == gotHi && wantLo == wantHi {
					continue // empty: where it is empty does not matter
				}
				if gotLo != wantLo || gotHi != wantHi {
					t.Fatalf("prefixRange(%q, %d, %d) = [%d, %d), want [%d, %d)", q, lo, hi, gotLo, gotHi, wantLo, wantHi)
				}
			}
		}
	}
}
