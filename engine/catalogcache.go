package engine

import "sync"

// requestCatalogs keeps the last catalogs that requests brought, overlaid on
// the built-in one, by their text. A catalog is a pure function of its text
// and is never changed once made, so a request that sends the same catalog as
// an earlier one gets the same *Catalog: it skips reading and checking the
// catalog again, and the name lists of [serviceNames], which are keyed by the
// catalog's slices, are found already built. This is what a long-running
// process gains on a pipeline that sends one catalog with every request (the
// Worker's kept instance, the local server, the CLI's batch).
var requestCatalogs struct {
	sync.Mutex
	byText map[string]*Catalog
	order  []string // oldest first
	bytes  int      // the length of the texts kept
}

// Bounds of requestCatalogs: a few catalogs, at most two requests' worth of
// text; the oldest goes first.
const (
	maxCachedCatalogs     = 8
	maxCachedCatalogBytes = 2 * MaxRequestBytes
)

// overlayCached returns the built-in catalog overlaid with the catalog text,
// reading it with read only when the text is not kept from an earlier
// request. Errors are not kept.
func overlayCached(text string, read func() (*Catalog, *Error)) (*Catalog, *Error) {
	rc := &requestCatalogs
	rc.Lock()
	cat, ok := rc.byText[text]
	rc.Unlock()
	if ok {
		return cat, nil
	}
	user, err := read()
	if err != nil {
		return nil, err
	}
	cat = BuiltinCatalog()
	over := cat.Overlay(user)
	if over == cat {
		return cat, nil // nothing to overlay: nothing to keep
	}
	over.source = text // the same text, the same catalog (see Session)
	if len(text) > maxCachedCatalogBytes {
		return over, nil
	}
	rc.Lock()
	defer rc.Unlock()
	if kept, ok := rc.byText[text]; ok { // made meanwhile by another request
		return kept, nil
	}
	if rc.byText == nil {
		rc.byText = map[string]*Catalog{}
	}
	for len(rc.order) > 0 && (len(rc.order) >= maxCachedCatalogs || rc.bytes+len(text) > maxCachedCatalogBytes) {
		old := rc.order[0]
		rc.order = rc.order[1:]
		rc.bytes -= len(old)
		delete(rc.byText, old)
	}
	rc.byText[text] = over
	rc.order = append(rc.order, text)
	rc.bytes += len(text)
	return over, nil
}

// skipKeptCatalog is parseBody's jsonParser.skip: the end of the request's
// catalog when its text is that of a kept catalog, which was read and found
// valid before. (A kept text is a whole JSON value, so its end is where its
// brackets close.)
func skipKeptCatalog(key string, text []byte, at int) int {
	if key != "catalog" {
		return -1
	}
	end := bracketEnd(text, at)
	if end < 0 {
		return -1
	}
	rc := &requestCatalogs
	rc.Lock()
	defer rc.Unlock()
	if _, ok := rc.byText[string(text[at:end])]; !ok {
		return -1
	}
	return end
}
