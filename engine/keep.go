package engine

import "sync"

// keep holds values by key for later requests of a process, bounded by the
// number of entries and by their total cost (see cost); the oldest entry goes
// first. The values must never be written once kept. It is safe for
// concurrent use. Its users: the request catalogs (catalogcache.go) and the
// universes (universe.go).
type keep[K comparable, V any] struct {
	maxEntries, maxCost int
	cost                func(K, V) int

	mu    sync.Mutex
	byKey map[K]V
	order []K // oldest first
	total int // the cost of what is kept
}

// get returns the value kept for k.
func (c *keep[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.byKey[k]
	return v, ok
}

// has reports whether a value is kept for k.
func (c *keep[K, V]) has(k K) bool {
	_, ok := c.get(k)
	return ok
}

// put keeps v for k and returns it, or returns the value kept for k already
// (made meanwhile by another request). A value that costs more than the
// bound alone is returned, not kept.
func (c *keep[K, V]) put(k K, v V) V {
	cost := c.cost(k, v)
	if cost > c.maxCost {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept, ok := c.byKey[k]; ok {
		return kept
	}
	if c.byKey == nil {
		c.byKey = map[K]V{}
	}
	for len(c.order) > 0 && (len(c.order) >= c.maxEntries || c.total+cost > c.maxCost) {
		old := c.order[0]
		c.order = c.order[1:]
		c.total -= c.cost(old, c.byKey[old])
		delete(c.byKey, old)
	}
	c.byKey[k] = v
	c.order = append(c.order, k)
	c.total += cost
	return v
}

// reset drops everything kept.
func (c *keep[K, V]) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byKey, c.order, c.total = nil, nil, 0
}

// state returns how many entries are kept, the cost counted, and the cost of
// the kept entries summed afresh (for tests of the bounds).
func (c *keep[K, V]) state() (entries, counted, summed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range c.order {
		summed += c.cost(k, c.byKey[k])
	}
	if len(c.order) != len(c.byKey) {
		return -1, c.total, summed // order and map disagree
	}
	return len(c.order), c.total, summed
}
