package describe

import (
	"os"
	"strings"
	"testing"

	"whittle/engine"
)

var changeTests = []struct {
	c    engine.Change
	want string
}{
	{engine.Change{Kind: "replaced", Pattern: "s3:Get*", Allowed: 58, Kept: 36, Removed: make([]string, 22),
		Replacement: make([]string, 7), AccessLevels: map[string]int{"Read": 22}},
		" allowed 58 actions; 22 are unused; the 36 still used are covered by 7 entries. Access removed: 22 Read."},
	{engine.Change{Kind: "replaced", Allowed: 2, Kept: 1, Removed: []string{"s3:GetObjectAcl"}, Replacement: []string{"s3:GetObject"}},
		" allowed 2 actions; 1 is unused; the 1 still used is covered by 1 entry."},
	{engine.Change{Kind: "replaced", Allowed: 4001, Kept: 1000, Removed: make([]string, 3001), Replacement: make([]string, 1200),
		AccessLevels: map[string]int{"Tagging": 1, "Write": 2, "Zeta": 3, "Alpha": 4, "Permissions management": 5, "List": 6, "Read": 2980}},
		" allowed 4,001 actions; 3,001 are unused; the 1,000 still used are covered by 1,200 entries. " +
			"Access removed: 6 List, 2,980 Read, 2 Write, 5 Permissions management, 1 Tagging, 4 Alpha, 3 Zeta."},
	{engine.Change{Kind: "removed", Allowed: 1, Removed: []string{"lambda:AddPermission"}, AccessLevels: map[string]int{"Permissions management": 1}},
		" allowed 1 action; it is unused, so the entry is removed. Access removed: 1 Permissions management."},
	{engine.Change{Kind: "removed", Allowed: 1500, Removed: make([]string, 1500)},
		" allowed 1,500 actions; all 1,500 are unused, so the entry is removed."},
	{engine.Change{Kind: "excluded", Replacement: []string{"iam:CreateUser"}}, "1 unused action is added to NotAction: iam:CreateUser."},
	{engine.Change{Kind: "excluded", Replacement: []string{"a:A", "a:B", "a:C", "a:D", "a:E", "a:F", "a:G", "a:H"}},
		"8 unused actions are added to NotAction: a:A, a:B, a:C, a:D, a:E, a:F, … 2 more."},
}

func TestChange(t *testing.T) {
	for _, tt := range changeTests {
		if got := Change(&tt.c); got != tt.want {
			t.Errorf("Change(%+v) =\n\t%q\nwant\n\t%q", tt.c, got, tt.want)
		}
	}
}

// TestChangeArticle: the article's change, from the engine's answer, reads as
// the README says.
func TestChangeArticle(t *testing.T) {
	policy, _ := os.ReadFile("../../../web/examples/article/policy.json")
	findings, _ := os.ReadFile("../../../web/examples/article/findings.json")
	catalog, _ := os.ReadFile("../../../engine/testdata/catalog-2024-08-31.json")
	req, err := engine.RequestFromTexts(string(policy), string(findings), string(catalog), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var s engine.Session
	resp := s.Respond(req)
	var got []string
	for i := range resp.Changes {
		got = append(got, resp.Changes[i].Pattern+Change(&resp.Changes[i]))
	}
	want := []string{
		"lambda:AddPermission allowed 1 action; it is unused, so the entry is removed. Access removed: 1 Permissions management.",
		"lambda:GetFunctionConfiguration allowed 1 action; it is unused, so the entry is removed. Access removed: 1 Read.",
		"lambda:UpdateFunctionConfiguration allowed 1 action; it is unused, so the entry is removed. Access removed: 1 Write.",
		"lambda:UpdateFunctionCode allowed 1 action; it is unused, so the entry is removed. Access removed: 1 Write.",
		"lambda:CreateFunction allowed 1 action; it is unused, so the entry is removed. Access removed: 1 Write.",
		"lambda:DeleteFunction allowed 1 action; it is unused, so the entry is removed. Access removed: 1 Write.",
		"lambda:ListVersionsByFunction allowed 1 action; it is unused, so the entry is removed. Access removed: 1 List.",
		"lambda:GetFunction allowed 1 action; it is unused, so the entry is removed. Access removed: 1 Read.",
		"s3:Get* allowed 58 actions; 22 are unused; the 36 still used are covered by 7 entries. Access removed: 22 Read.",
	}
	wantLines(t, "article changes", got, want)
}

func TestFirst(t *testing.T) {
	for _, tt := range []struct {
		list []string
		n    int
		want string
	}{
		{nil, 5, ""},
		{[]string{"a", "b"}, 2, "a|b"},
		{[]string{"a", "b", "c"}, 2, "a|b|… 1 more"},
		{make([]string, 1005), 0, "… 1005 more"},
	} {
		if got := strings.Join(First(tt.list, tt.n), "|"); got != tt.want {
			t.Errorf("First(%d names, %d) = %q, want %q", len(tt.list), tt.n, got, tt.want)
		}
	}
}

var nodeTests = []struct {
	n    engine.TrieNode
	only string
	want string
}{
	{engine.TrieNode{Prefix: "s3:GetObject", Safe: true, Chosen: true, Action: "s3:GetObject", Wanted: 1},
		"", "s3:GetObject is safe: it is one action, still used, so write its exact name s3:GetObject."},
	{engine.TrieNode{Prefix: "s3:GetAccount", Safe: true, Chosen: true, Wanted: 1},
		"s3:GetAccountPublicAccessBlock", "s3:GetAccount is safe: the only action under it, s3:GetAccountPublicAccessBlock, is still used, so write its exact name s3:GetAccountPublicAccessBlock."},
	{engine.TrieNode{Prefix: "s3:GetAccount", Safe: true, Chosen: true, Wanted: 1},
		"", "s3:GetAccount is safe: it is one action, still used, so write its exact name s3:GetAccount."},
	{engine.TrieNode{Prefix: "s3:GetAccess", Safe: true, Chosen: true, Wanted: 3},
		"", "s3:GetAccess is safe: every action under it is still used, so write s3:GetAccess*."},
	{engine.TrieNode{Prefix: "s3:GetAccessPoint", Safe: true, Wanted: 3},
		"", "s3:GetAccessPoint is safe: every action under it is still used."},
	{engine.TrieNode{Prefix: "s3:GetObjectAcl", Unused: 1, Blocker: "s3:GetObjectAcl", BlockerUnused: true},
		"", "s3:GetObjectAcl is unsafe: it is one action and it is unused, so it is dropped."},
	{engine.TrieNode{Prefix: "s3:Get", Wanted: 36, Unused: 22, Blocker: "s3:GetAccelerateConfiguration", BlockerUnused: true,
		Children: []*engine.TrieNode{{}}},
		"", "s3:Get is unsafe: s3:GetAccelerateConfiguration is unused, so look at its children."},
	{engine.TrieNode{Prefix: "s3:GetObject", Chosen: true, Action: "s3:GetObject", Wanted: 2, Unused: 1,
		Blocker: "s3:GetObjectAcl", BlockerUnused: true, Children: []*engine.TrieNode{{}}},
		"", "s3:GetObject is unsafe: s3:GetObjectAcl is unused, so write the still-used action s3:GetObject by its exact name and look at its children."},
	{engine.TrieNode{Prefix: "s3:GetBucket", Chosen: true, Action: "s3:GetBucket", Wanted: 1, Other: 1, Blocker: "s3:GetBucketX"},
		"", "s3:GetBucket is unsafe: s3:GetBucketX is not matched by the pattern, so write the still-used action s3:GetBucket by its exact name."},
	{engine.TrieNode{Prefix: "s3:Put", Unused: 2, Other: 1, Blocker: "s3:PutA", BlockerUnused: true},
		"", "s3:Put is unsafe: s3:PutA is unused, and nothing under it is still used, so it is dropped."},
	{engine.TrieNode{Prefix: "s3:List", Wanted: 1, Other: 1},
		"", "s3:List is unsafe."},
}

func TestNode(t *testing.T) {
	for _, tt := range nodeTests {
		asked := false
		only := func() string { asked = true; return tt.only }
		if got := Node(&tt.n, only); got != tt.want {
			t.Errorf("Node(%+v) =\n\t%q\nwant\n\t%q", tt.n, got, tt.want)
		}
		if wantAsked := tt.n.Safe && tt.n.Chosen && tt.n.Action == "" && tt.n.Wanted+tt.n.Unused+tt.n.Other == 1; asked != wantAsked {
			t.Errorf("Node(%+v) asked for the one action: %v, want %v", tt.n, asked, wantAsked)
		}
	}
}
