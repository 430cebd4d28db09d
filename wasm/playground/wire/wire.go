// Package wire writes what the playground's engine worker sends the page
// (see wasm/playground/engineside.go): JSON by hand, because encoding/json,
// which reflects on every field, costs tens of milliseconds per large answer
// in WebAssembly. Plain functions on engine values, tested natively.
package wire

import (
	"sort"
	"strconv"

	"whittle/engine"
)

// Change is an engine.Change as the page uses it: the unused actions
// only counted (the page says how many; ReadOnlyAccess half unused lists
// about 400 KB of them, which the page would only decode to count).
type Change struct {
	engine.Change
	Removed int `json:"removed"` // len(Change.Removed); Change.Removed is not sent
}

// AppendChanges appends cs as the JSON of []Change, by hand: Go's
// encoding/json, which reflects on every field, took 12–60 ms for the 1,608
// changes of ReadOnlyAccess half unused in wasm (TestChangesJSON checks
// that encoding/json reads back the same).
func AppendChanges(b []byte, cs []engine.Change) []byte {
	b = append(b, '[')
	for i := range cs {
		c := &cs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"statement":`...)
		b = strconv.AppendInt(b, int64(c.Statement), 10)
		b = append(b, `,"path":`...)
		b = AppendString(b, c.Path)
		b = append(b, `,"kind":`...)
		b = AppendString(b, c.Kind)
		if c.Pattern != "" {
			b = append(b, `,"pattern":`...)
			b = AppendString(b, c.Pattern)
		}
		if c.Replacement == nil {
			b = append(b, `,"replacement":null`...)
		} else {
			b = append(b, `,"replacement":[`...)
			for k, r := range c.Replacement {
				if k > 0 {
					b = append(b, ',')
				}
				b = AppendString(b, r)
			}
			b = append(b, ']')
		}
		b = append(b, `,"removed":`...)
		b = strconv.AppendInt(b, int64(len(c.Removed)), 10)
		b = append(b, `,"allowed":`...)
		b = strconv.AppendInt(b, int64(c.Allowed), 10)
		b = append(b, `,"kept":`...)
		b = strconv.AppendInt(b, int64(c.Kept), 10)
		if len(c.AccessLevels) > 0 {
			b = append(b, `,"accessLevels":{`...)
			levels := make([]string, 0, len(c.AccessLevels))
			for l := range c.AccessLevels {
				levels = append(levels, l)
			}
			sort.Strings(levels)
			for k, l := range levels {
				if k > 0 {
					b = append(b, ',')
				}
				b = AppendString(b, l)
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(c.AccessLevels[l]), 10)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// AppendString writes s as a JSON string, as the engine writes strings
// ([engine.AppendJSON]).
func AppendString(b []byte, s string) []byte {
	return engine.AppendJSON(b, &engine.Value{Kind: engine.KindString, Str: s}, "")
}
