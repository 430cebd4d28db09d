package engine

import "strings"

// strtab is a list of strings kept as one string and where each ends. It holds
// no pointer per string: a kept whole-catalog universe (two lists of 22,000
// names) is a handful of objects that the garbage collector marks without
// scanning, where two []string of it were 44,000 pointers to follow in every
// collection. In the Worker's single-threaded WebAssembly that scan cost about
// 14 ms a collection; a collection came every dozen check requests.
type strtab struct {
	text string
	ends []uint32 // ends[i] is where string i ends in text
	// sep is the length of what separates one string from the next: string i
	// starts sep bytes after string i-1 ends. The built-in catalog's lists are
	// its embedded lines, names separated by a space (sep 1); others have none.
	sep uint32
	// ascii tells that every string is ASCII. A strtabBuilder knows it as it
	// makes the table (a scan of the text costs, in WebAssembly, more than the
	// binary searches it allows); other tables say false, not knowing.
	ascii bool
}

// at returns string i.
func (t *strtab) at(i int) string {
	var start uint32
	if i > 0 {
		start = t.ends[i-1] + t.sep
	}
	return t.text[start:t.ends[i]]
}

// newStrtab makes a table of list.
func newStrtab(list []string) strtab {
	var b strtabBuilder
	size := 0
	for _, s := range list {
		size += len(s)
	}
	b.grow(len(list), size)
	for _, s := range list {
		b.add(s)
	}
	return b.done()
}

// strings returns every string of t, in a slice made for the call.
func (t *strtab) strings() []string {
	out := make([]string, t.len())
	for i := range out {
		out[i] = t.at(i)
	}
	return out
}

// len returns the number of strings (none for a nil table).
func (t *strtab) len() int {
	if t == nil {
		return 0
	}
	return len(t.ends)
}

// strtabBuilder makes a strtab.
type strtabBuilder struct {
	text     []byte
	ends     []uint32
	nonASCII bool
}

// grow makes room for n more strings of size bytes in all.
func (b *strtabBuilder) grow(n, size int) {
	if b.text == nil {
		b.text = make([]byte, 0, size)
		b.ends = make([]uint32, 0, n)
	}
}

// add appends the concatenation of parts as one string.
func (b *strtabBuilder) add(parts ...string) {
	for _, p := range parts {
		b.nonASCII = b.nonASCII || !isASCII(p)
		b.text = append(b.text, p...)
	}
	b.ends = append(b.ends, uint32(len(b.text)))
}

// addFold appends foldKey of the concatenation of parts (each part folded in
// turn: folding goes rune by rune), without a copy of an ASCII part.
func (b *strtabBuilder) addFold(parts ...string) {
	for _, p := range parts {
		if !isASCII(p) {
			b.nonASCII = true
		}
		b.text = appendFold(b.text, p)
	}
	b.ends = append(b.ends, uint32(len(b.text)))
}

// appendTab appends every string of t.
func (b *strtabBuilder) appendTab(t *strtab) {
	if t.sep != 0 {
		for i := range t.len() {
			b.add(t.at(i))
		}
		return
	}
	base := uint32(len(b.text))
	b.nonASCII = b.nonASCII || !t.ascii
	b.text = append(b.text, t.text...)
	for _, e := range t.ends {
		b.ends = append(b.ends, base+e)
	}
}

// done returns the strtab made.
func (b *strtabBuilder) done() strtab {
	return strtab{text: string(b.text), ends: b.ends, ascii: !b.nonASCII}
}

// search returns the least i in [lo, hi) at which f(t.at(i)) is true, or hi,
// for an f that is false and then true over the range (sort.Search's contract).
func (t *strtab) search(lo, hi int, f func(string) bool) int {
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(t.at(m)) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// prefixRange returns the range [lo, hi) of the strings starting with prefix,
// within [a, b), for ascending strings.
func (t *strtab) prefixRange(prefix string, a, b int) (lo, hi int) {
	lo = t.search(a, b, func(s string) bool { return s >= prefix })
	hi = t.search(lo, b, func(s string) bool { return !strings.HasPrefix(s, prefix) })
	return lo, hi
}
