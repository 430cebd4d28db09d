//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"syscall/js"

	"whittle/engine"
	"whittle/wasm/playground/share"
)

// A share link carries the whole state of the page in its fragment; package
// share reads and writes it, this file moves it between the page and the
// browser's CompressionStream.

// trimDumpCommand cuts an authorization-details dump down to one role and the
// managed policies it has attached (for a user, UserDetailList and UserName).
const trimDumpCommand = `jq --arg r ROLE-NAME '(.RoleDetailList | map(select(.RoleName == $r))) as $roles ` +
	`| ($roles | map(.AttachedManagedPolicies[].PolicyArn)) as $arns ` +
	`| {RoleDetailList: $roles, Policies: (.Policies | map(select(.Arn as $a | $arns | index($a))))}' authorization-details.json`

// share makes the link of the current state, puts it in the address bar and
// the share box, and copies it. It awaits promises: run it in a goroutine.
func (a *app) share() {
	var st share.State
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
		st.Redact()
	}
	raw, _ := json.Marshal(st)
	z, err := streamThrough(raw, "CompressionStream")
	if err != nil {
		a.shareNote("Could not make a link: " + err.Error())
		return
	}
	frag := share.Fragment(z)
	loc := js.Global().Get("location")
	link := strings.SplitN(loc.Get("href").String(), "#", 2)[0] + frag
	box := a.byID("share-link")
	if len(link) > share.MaxLink {
		box.SetAttribute("hidden", "")
		note := "Not shared: this state needs a link of " + group(len(link)) + " characters, over the limit of " +
			group(share.MaxLink) + " that links survive in mail and chat. Share the files instead (Download), or trim the policy, findings or catalog."
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
		note += " Account IDs and ARN resources are replaced in the link (" + share.RedactedAccount + ", " + share.RedactedResource + "); this page keeps yours."
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
	z, ok, err := share.Payload(fragment)
	if !ok {
		return false
	}
	fail := func(err error) bool {
		a.shareNote("This share link cannot be opened: " + err.Error())
		return false
	}
	if err != nil {
		return fail(err)
	}
	raw, err := streamThrough(z, "DecompressionStream")
	if err != nil {
		return fail(errors.New("it is cut or altered (" + err.Error() + ")."))
	}
	st, err := share.Decode(raw)
	if err != nil {
		return fail(err)
	}
	a.exampleSel.Underlying().Set("selectedIndex", -1)
	a.granularitySel.SetValue(st.Options.Granularity)
	a.ageInput.Set("value", strconv.Itoa(st.Options.UnusedAccessAge))
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
