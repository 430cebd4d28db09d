// Package locate finds where a change of the engine's answer stands in the
// policy editor's text, from the places the engine kept when it parsed the
// policy (engine.PatternRef.Off, engine.Value's Off and End): the page selects
// it there without parsing the text again.
package locate

import (
	"strings"

	"whittle/engine"
)

// Span is a stretch of text as an editor counts it: 1-based lines and
// columns in characters, To just past the end.
type Span struct {
	FromLine, FromColumn int
	ToLine, ToColumn     int
}

// Range returns the byte range, in the text p was parsed from, of what c
// names: its pattern (Statement[1].Action[0], or Statement[1].Action when the
// statement gives one string), or for actions added to NotAction, the whole
// NotAction value. ok is false when p has no such place.
func Range(p *engine.Policy, c *engine.Change) (from, to int, ok bool) {
	for _, s := range p.Statements {
		if s.Index != c.Statement {
			continue
		}
		v := s.Obj.Get(s.Key)
		if v == nil {
			return 0, 0, false
		}
		for _, ref := range s.Patterns {
			if ref.Path != c.Path {
				continue
			}
			if v.Kind != engine.KindArray {
				return ref.Off, v.End, ref.Off == v.Off
			}
			for _, item := range v.Arr {
				if item.Off == ref.Off {
					return item.Off, item.End, true
				}
			}
			return 0, 0, false
		}
		// Not a pattern: the Action or NotAction value itself.
		return v.Off, v.End, v.Off >= 0 && strings.HasSuffix(c.Path, "."+s.Key)
	}
	return 0, 0, false
}

// Change returns the span of change c in text, the text policy p was parsed
// from (see [Range]); ok is false when it has no place there.
func Change(text string, p *engine.Policy, c *engine.Change) (span Span, ok bool) {
	from, to, ok := Range(p, c)
	if !ok || from < 0 || to > len(text) || from > to {
		return Span{}, false
	}
	b := []byte(text[:to])
	span.FromLine, span.FromColumn = engine.LineColumn(b, from)
	span.ToLine, span.ToColumn = engine.LineColumn(b, to)
	return span, true
}
