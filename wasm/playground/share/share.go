// Package share reads and writes the playground's share links: the state of
// the page (the three editors' texts and the options) in the URL fragment,
// the part after "#" that browsers never send to a server:
//
//	#v1.<base64url of the deflate-raw compressed JSON of State>
//
// The compression is the browser's own CompressionStream("deflate-raw"), so
// the page does it; this package does the rest, natively tested.
package share

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"whittle/engine"
	"whittle/wasm/playground/describe"
)

// Version is the prefix of the links this page makes and reads.
const Version = "v1"

// MaxLink is the longest share link the page makes, in characters. Chromium
// takes URLs up to 2 MB, but mail and chat tools, proxies and some browsers' address
// bars cut or refuse links past a few tens of thousands of characters; 32 KiB
// holds the article's example with its catalog many times over (about 1.3 K),
// while a state such as ReadOnlyAccess with its findings (about 57 K) is refused
// with a message rather than shared as a link that breaks on the way.
const MaxLink = 32 << 10

// MaxState bounds what a link may expand to: the API's own request limit.
const MaxState = engine.MaxRequestBytes

// State is what a link holds: the three editors' texts, exactly as typed,
// and the options, in the shape of the API's request.
type State struct {
	Policy   string `json:"policy"`
	Findings string `json:"findings"`
	Catalog  string `json:"catalog,omitempty"`
	Options  struct {
		Granularity     string `json:"granularity,omitempty"`
		UnusedAccessAge int    `json:"unusedAccessAge,omitempty"`
		Principal       string `json:"principal,omitempty"` // picked from a dump's principals
	} `json:"options"`
}

// Fragment is the fragment of a link holding the compressed state z.
func Fragment(z []byte) string {
	return "#" + Version + "." + base64.RawURLEncoding.EncodeToString(z)
}

// Payload returns the compressed state a fragment holds. ok is false when
// the fragment is not a share link at all (#v, a number, a dot); err says,
// as the end of a sentence, why a share link cannot be opened.
func Payload(fragment string) (z []byte, ok bool, err error) {
	rest, ok := strings.CutPrefix(fragment, "#v")
	if !ok {
		return nil, false, nil
	}
	version, data, ok := strings.Cut(rest, ".")
	if _, err := strconv.Atoi(version); !ok || err != nil {
		return nil, false, nil
	}
	if "v"+version != Version {
		return nil, true, errors.New("it was made by another version of Whittle (v" + version + ", this page reads " + Version + ").")
	}
	if len(data) > MaxLink {
		return nil, true, errors.New("it is longer than the " + describe.Group(MaxLink) + " characters a link may have.")
	}
	z, err = base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		return nil, true, errors.New("it is cut or altered (" + err.Error() + ").")
	}
	return z, true, nil
}

// Decode reads the decompressed state raw and fills in the options' defaults
// (word granularity, DefaultUnusedAccessAge). Options the engine would refuse
// are refused here, with its message, so that the page never shows them.
func Decode(raw []byte) (State, error) {
	var st State
	if len(raw) > MaxState {
		return st, errors.New("it expands to more than " + describe.Group(MaxState) + " bytes.")
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, errors.New("its content is not a Whittle state (" + err.Error() + ").")
	}
	opt := engine.Options{Granularity: st.Options.Granularity, UnusedAccessAge: st.Options.UnusedAccessAge}
	if err := opt.Check(); err != nil {
		return st, errors.New(err.Message + ".")
	}
	if st.Options.Granularity == "" {
		st.Options.Granularity = engine.GranularityWord
	}
	if st.Options.UnusedAccessAge == 0 {
		st.Options.UnusedAccessAge = engine.DefaultUnusedAccessAge
	}
	return st, nil
}

// RedactedAccount and RedactedResource replace account IDs and ARN resources
// in a shared state when the user asks for it (AWS's documentation uses
// 111122223333 as an example account).
const (
	RedactedAccount  = "111122223333"
	RedactedResource = "redacted"
)

// Redact returns text with every ARN's account ID and resource replaced
// (arn:aws:s3:::my-bucket/* → arn:aws:s3:::redacted; a resource of "*" is
// kept) and every other run of exactly twelve digits (an account ID, as in a
// Principal or an aws:SourceAccount condition) replaced by RedactedAccount.
// Actions are untouched, so the refinement is the same. An ARN ends at a
// quote, a backslash, a comma or white space.
func Redact(text string) string {
	var b strings.Builder
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 0; i < len(text); {
		if strings.HasPrefix(text[i:], "arn:") {
			j := i
			for j < len(text) && !strings.ContainsRune("\"\\, \t\r\n", rune(text[j])) {
				j++
			}
			parts := strings.SplitN(text[i:j], ":", 6)
			if len(parts) == 6 {
				if parts[4] != "" && parts[4] != "*" && parts[4] != "aws" {
					parts[4] = RedactedAccount
				}
				if parts[5] != "*" {
					parts[5] = RedactedResource
				}
			}
			b.WriteString(strings.Join(parts, ":"))
			i = j
			continue
		}
		if isDigit(text[i]) && (i == 0 || !isDigit(text[i-1])) {
			j := i
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			if j-i == 12 {
				b.WriteString(RedactedAccount)
			} else {
				b.WriteString(text[i:j])
			}
			i = j
			continue
		}
		b.WriteByte(text[i])
		i++
	}
	return b.String()
}

// Redact replaces account IDs and ARN resources in the three texts (see [Redact]).
func (st *State) Redact() {
	st.Policy, st.Findings, st.Catalog = Redact(st.Policy), Redact(st.Findings), Redact(st.Catalog)
}
