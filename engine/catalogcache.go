package engine

// requestCatalogs keeps the last catalogs that requests brought, overlaid on
// the built-in one, by their text. A catalog is a pure function of its text
// and is never changed once made, so a request that sends the same catalog as
// an earlier one gets the same *Catalog: it skips reading and checking the
// catalog again, and the name lists of [serviceNames], which are keyed by the
// catalog's slices, are found already built. This is what a long-running
// process gains on a pipeline that sends one catalog with every request (the
// Worker's kept instance, the local server, the CLI's batch).
var requestCatalogs = keep[string, *Catalog]{
	maxEntries: maxCachedCatalogs,
	maxCost:    maxCachedCatalogBytes,
	cost:       func(text string, _ *Catalog) int { return len(text) },
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
	if cat, ok := requestCatalogs.get(text); ok {
		return cat, nil
	}
	user, err := read()
	if err != nil {
		return nil, err
	}
	cat := BuiltinCatalog()
	over := cat.Overlay(user)
	if over == cat {
		return cat, nil // nothing to overlay: nothing to keep
	}
	over.source = text // the same text, the same catalog (see Session)
	return requestCatalogs.put(text, over), nil
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
	if !requestCatalogs.has(string(text[at:end])) {
		return -1
	}
	return end
}
