//go:build js && wasm

package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"syscall/js"

	"whittle/engine"
)

// A share link carries the whole state of the page in its fragment (the part
// after "#", which browsers never send to a server):
//
//	#v1.<base64url of the deflate-raw compressed JSON of sharedState>
//
// The compression is the browser's own CompressionStream("deflate-raw").
// Opening such a link fills the editors and the options from it and refines.
const shareVersion = "v1"

// maxShareLink is the longest share link the page makes, in characters. Chromium
// takes URLs up to 2 MB, but mail and chat tools, proxies and some browsers' address
// bars cut or refuse links past a few tens of thousands of characters; 32 KiB
// holds the article's example with its catalog many times over (about 1.3 K),
// while a state such as ReadOnlyAccess with its findings (about 57 K) is refused
// with a message rather than shared as a link that breaks on the way.
const maxShareLink = 32 << 10

// trimDumpCommand cuts an authorization-details dump down to one role and the
// managed policies it has attached (for a user, UserDetailList and UserName).
const trimDumpCommand = `jq --arg r ROLE-NAME '(.RoleDetailList | map(select(.RoleName == $r))) as $roles ` +
	`| ($roles | map(.AttachedManagedPolicies[].PolicyArn)) as $arns ` +
	`| {RoleDetailList: $roles, Policies: (.Policies | map(select(.Arn as $a | $arns | index($a))))}' authorization-details.json`

// maxSharedState bounds what a link may expand to: the API's own request limit.
const maxSharedState = engine.MaxRequestBytes

// sharedState is what a link holds: the three editors' texts, exactly as typed,
// and the options, in the shape of the API's request.
type sharedState struct {
	Policy   string `json:"policy"`
	Findings string `json:"findings"`
	Catalog  string `json:"catalog,omitempty"`
	Options  struct {
		Granularity     string `json:"granularity,omitempty"`
		UnusedAccessAge int    `json:"unusedAccessAge,omitempty"`
		Principal       string `json:"principal,omitempty"` // picked from a dump's principals
	} `json:"options"`
}

// share makes the link of the current state, puts it in the address bar and
// the share box, and copies it. It awaits promises: run it in a goroutine.
func (a *app) share() {
	var st sharedState
	st.Policy = a.policy.Text()
	st.Findings = a.findings.Text()
	st.Catalog = a.catalog.Text()
	st.Options.Granularity = a.granularitySel.Value()
	if age, _ := strconv.Atoi(a.ageInput.Get("value").String()); age != engine.DefaultUnusedAccessAge {
		st.Options.UnusedAccessAge = age
	}
	if a.role.active() && a.role.rec.Whittle.Principal != nil && len(a.role.rec.Whittle.Principals) > 1 {
		st.Options.Principal = a.role.principal
	}
	redacted := a.byID("share-redact").Underlying().Get("checked").Bool()
	if redacted {
		st.Policy, st.Findings, st.Catalog = redact(st.Policy), redact(st.Findings), redact(st.Catalog)
	}
	raw, _ := json.Marshal(st)
	z, err := streamThrough(raw, "CompressionStream")
	if err != nil {
		a.shareNote("Could not make a link: " + err.Error())
		return
	}
	frag := "#" + shareVersion + "." + base64.RawURLEncoding.EncodeToString(z)
	loc := js.Global().Get("location")
	link := strings.SplitN(loc.Get("href").String(), "#", 2)[0] + frag
	box := a.byID("share-link")
	if len(link) > maxShareLink {
		box.SetAttribute("hidden", "")
		note := "Not shared: this state needs a link of " + group(len(link)) + " characters, over the limit of " +
			group(maxShareLink) + " that links survive in mail and chat. Share the files instead (Download), or trim the policy, findings or catalog."
		if a.role.active() && a.role.rec.Whittle.Input == engine.InputAuthorizationDetails {
			note += " An account's authorization details can be cut down to the principal shown: " + trimDumpCommand
		}
		a.shareNote(note)
		return
	}
	js.Global().Get("history").Call("replaceState", js.Null(), "", frag)
	box.Underlying().Set("value", link)
	box.RemoveAttribute("hidden")
	note := "Link of " + group(len(link)) + " characters: the whole state is in it (after the #, which is never sent to a server)."
	if redacted {
		note += " Account IDs and ARN resources are replaced in the link (" + redactedAccount + ", " + redactedResource + "); this page keeps yours."
	}
	a.shareNote(note)
	a.copyText(link, "Share link copied")
}

func (a *app) shareNote(msg string) {
	a.byID("share-box").RemoveAttribute("hidden")
	a.byID("share-note").SetTextContent(msg)
}

// restore loads the state of a share link's fragment; it reports whether the
// fragment was one (a broken one is said in the share box). It awaits
// promises: call it from main or a goroutine.
func (a *app) restore(fragment string) bool {
	rest, ok := strings.CutPrefix(fragment, "#v")
	if !ok {
		return false
	}
	version, data, ok := strings.Cut(rest, ".")
	if _, err := strconv.Atoi(version); !ok || err != nil {
		return false
	}
	fail := func(msg string) bool {
		a.shareNote("This share link cannot be opened: " + msg)
		return false
	}
	if "v"+version != shareVersion {
		return fail("it was made by another version of Whittle (v" + version + ", this page reads " + shareVersion + ").")
	}
	if len(data) > maxShareLink {
		return fail("it is longer than the " + group(maxShareLink) + " characters a link may have.")
	}
	z, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		return fail("it is cut or altered (" + err.Error() + ").")
	}
	raw, err := streamThrough(z, "DecompressionStream")
	if err != nil {
		return fail("it is cut or altered (" + err.Error() + ").")
	}
	if len(raw) > maxSharedState {
		return fail("it expands to more than " + group(maxSharedState) + " bytes.")
	}
	var st sharedState
	if err := json.Unmarshal(raw, &st); err != nil {
		return fail("its content is not a Whittle state (" + err.Error() + ").")
	}
	g := st.Options.Granularity
	switch g {
	case "":
		g = engine.GranularityWord
	case engine.GranularityWord, engine.GranularityChar, engine.GranularityAction:
	default:
		return fail("unknown granularity " + strconv.Quote(g) + ".")
	}
	if age := st.Options.UnusedAccessAge; age != 0 && (age < engine.MinUnusedAccessAge || age > engine.MaxUnusedAccessAge) {
		return fail("unusedAccessAge " + strconv.Itoa(age) + " is not a number of days from 1 to 365.")
	}
	a.exampleSel.Underlying().Set("selectedIndex", -1)
	a.granularitySel.SetValue(g)
	age := st.Options.UnusedAccessAge
	if age == 0 {
		age = engine.DefaultUnusedAccessAge
	}
	a.ageInput.Set("value", strconv.Itoa(age))
	a.role.principal = st.Options.Principal
	a.loading = true
	a.policy.SetText(st.Policy)
	a.findings.SetText(st.Findings)
	a.catalog.SetText(st.Catalog)
	a.loading = false
	a.refine()
	a.status.SetTextContent(a.status.TextContent() + " · opened from a share link")
	return true
}

// streamThrough pipes data through new ctor("deflate-raw") (CompressionStream
// or DecompressionStream) and returns what comes out. It blocks on promises.
func streamThrough(data []byte, ctor string) ([]byte, error) {
	g := js.Global()
	if !g.Get(ctor).Truthy() {
		return nil, errors.New("this browser has no " + ctor)
	}
	u8 := g.Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(u8, data)
	blob := g.Get("Blob").New(g.Get("Array").New(u8))
	stream := blob.Call("stream").Call("pipeThrough", g.Get(ctor).New("deflate-raw"))
	buf, err := await(g.Get("Response").New(stream).Call("arrayBuffer"))
	if err != nil {
		return nil, err
	}
	out := g.Get("Uint8Array").New(buf)
	b := make([]byte, out.Length())
	js.CopyBytesToGo(b, out)
	return b, nil
}

// redactedAccount and redactedResource replace account IDs and ARN resources
// in a shared state when the user asks for it (AWS's documentation uses
// 111122223333 as an example account).
const (
	redactedAccount  = "111122223333"
	redactedResource = "redacted"
)

// redact returns text with every ARN's account ID and resource replaced
// (arn:aws:s3:::my-bucket/* → arn:aws:s3:::redacted; a resource of "*" is
// kept) and every other run of exactly twelve digits (an account ID, as in a
// Principal or an aws:SourceAccount condition) replaced by redactedAccount.
// Actions are untouched, so the refinement is the same. An ARN ends at a
// quote, a backslash, a comma or white space.
func redact(text string) string {
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
					parts[4] = redactedAccount
				}
				if parts[5] != "*" {
					parts[5] = redactedResource
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
				b.WriteString(redactedAccount)
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
