package engine

import (
	"slices"
	"strings"
	"testing"
)

// smallCatalog is the universe of the rule tables: few enough actions that each
// expectation can be worked out by hand from the contract.
const smallCatalog = `{
  "s3": ["GetObject", "GetObjectAcl", "GetObjectTagging", "GetBucketAcl", "GetBucketPolicy",
         "GetBucketPolicyStatus", "ListBucket", "ListBuckets", "ListAllMyBuckets",
         "PutObject", "PutObjectAcl", "DeleteObject"],
  "mobiletargeting": ["GetSegment", "GetSegments", "GetSegmentVersion", "GetSegmentVersions",
                      "GetSegmentExportJobs"],
  "iam": ["ListRoles", "ListRolePolicies", "ListMFADevices", "ListMFADeviceTags", "PassRole", "GetRole"],
  "ec2": ["DescribeInstances", "DescribeImages", "RunInstances"]
}`

func small(t *testing.T) *Catalog {
	t.Helper()
	c, err := ParseCatalog([]byte(smallCatalog))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// patternsOf lists the Action or NotAction patterns of each statement of a
// refined document.
func patternsOf(t *testing.T, doc *Value) [][]string {
	t.Helper()
	if doc == nil {
		return nil
	}
	p, err := policyFromValue(doc)
	if err != nil {
		t.Fatalf("refined document does not parse: %v", err)
	}
	var out [][]string
	for _, s := range p.Statements {
		var ps []string
		for _, r := range s.Patterns {
			ps = append(ps, r.Text)
		}
		out = append(out, ps)
	}
	return out
}

func stmt(effect, key string, patterns ...string) string {
	q := make([]string, len(patterns))
	for i, p := range patterns {
		q[i] = `"` + p + `"`
	}
	return `{"Effect":"` + effect + `","` + key + `":[` + strings.Join(q, ",") + `],"Resource":"*"}`
}

func policyOf(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// refineText parses a policy and findings and refines them.
func refineText(t *testing.T, cat *Catalog, policy, findings string, opt Options) *Result {
	t.Helper()
	p, err := parsePolicy([]byte(policy))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseFindings([]byte(findings))
	if err != nil {
		t.Fatal(err)
	}
	return Refine(p, f, cat, opt)
}

// TestRefineRules holds one row per behaviour of the contract. Every row also
// passes the independent verification.
func TestRefineRules(t *testing.T) {
	tests := []struct {
		name     string
		policy   string
		findings string
		gran     string
		action   string
		want     [][]string // patterns of each refined statement
		warnings []string   // warning codes
	}{
		{
			name:     "case: patterns match ignoring case; replacements in catalog casing",
			policy:   policyOf(stmt("Allow", "Action", "IAM:LIST*")),
			findings: `["iam:ListMFADevices"]`,
			action:   ActionCreate,
			// ListRoles is covered by ListRole* (C5); ListMFADevice is unsafe.
			want: [][]string{{"iam:ListMFADeviceTags", "iam:ListRole*"}},
		},
		{
			name:     "case: an exact pattern in other casing is removed",
			policy:   policyOf(stmt("Allow", "Action", "IAM:listroles", "iam:PassRole")),
			findings: `["iam:ListRoles"]`,
			action:   ActionCreate,
			want:     [][]string{{"iam:PassRole"}},
		},
		{
			name:     "? matches one character; a wanted action on an unsafe node is written exactly",
			policy:   policyOf(stmt("Allow", "Action", "s3:Get?bject*")),
			findings: `["s3:GetObjectAcl"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:GetObject", "s3:GetObjectTagging"}},
		},
		{
			name:     "mid-pattern *: a safe prefix* that would broaden the pattern is not written",
			policy:   policyOf(stmt("Allow", "Action", "ec2:*s")),
			findings: `["ec2:RunInstances"]`,
			action:   ActionCreate,
			// ec2:Describe* is safe over the catalog but would allow ec2:DescribeFoo.
			want: [][]string{{"ec2:DescribeImages", "ec2:DescribeInstances"}},
		},
		{
			name:     "mid-pattern *: only what the pattern matched",
			policy:   policyOf(stmt("Allow", "Action", "s3:*Object")),
			findings: `["s3:DeleteObject"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:GetObject", "s3:PutObject"}},
		},
		{
			name:     "string-prefix trap: GetSegment* would also allow the unused GetSegments",
			policy:   policyOf(stmt("Allow", "Action", "mobiletargeting:Get*")),
			findings: `["mobiletargeting:GetSegments"]`,
			action:   ActionCreate,
			want: [][]string{{"mobiletargeting:GetSegment", "mobiletargeting:GetSegmentExportJobs",
				"mobiletargeting:GetSegmentVersion*"}},
		},
		{
			name:     "an unused action on an inner node",
			policy:   policyOf(stmt("Allow", "Action", "s3:GetObject*")),
			findings: `["s3:GetObject"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:GetObjectAcl", "s3:GetObjectTagging"}},
		},
		{
			name:     "overlapping patterns: an added entry covered by a kept one is dropped",
			policy:   policyOf(stmt("Allow", "Action", "s3:Get*", "s3:GetObject*")),
			findings: `["s3:GetBucketAcl"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:GetBucketPolicy*", "s3:GetObject*"}},
		},
		{
			name:     "overlapping replaced patterns contribute each entry once",
			policy:   policyOf(stmt("Allow", "Action", "s3:GetO*", "s3:GetOb*")),
			findings: `["s3:GetObject"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:GetObjectAcl", "s3:GetObjectTagging"}},
		},
		{
			name:     "a wholly unused pattern is removed, an untouched one stays as written",
			policy:   policyOf(stmt("Allow", "Action", "s3:list*", "s3:PutObject", "s3:GetObjectAcl")),
			findings: `["s3:PutObject"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:list*", "s3:GetObjectAcl"}},
		},
		{
			name:     "a statement that allows nothing any more is removed",
			policy:   policyOf(stmt("Allow", "Action", "ec2:RunInstances"), stmt("Allow", "Action", "s3:ListBucket")),
			findings: `["ec2:RunInstances"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:ListBucket"}},
		},
		{
			name:     "NotAction: unused actions it allowed are added, a wholly unused service as one prefix*",
			policy:   policyOf(stmt("Allow", "NotAction", "iam:*")),
			findings: `[{"serviceNamespace": "s3"}, {"serviceNamespace": "ec2", "actions": ["RunInstances"]}]`,
			action:   ActionCreate,
			want:     [][]string{{"iam:*", "ec2:RunInstances", "s3:*"}},
			warnings: []string{"NOT_ACTION"}, // AWS makes no recommendation for it
		},
		{
			name:     "NotAction: nothing it allows is unused",
			policy:   policyOf(stmt("Allow", "NotAction", "iam:*")),
			findings: `["iam:PassRole"]`,
			action:   ActionNone,
			want:     [][]string{{"iam:*"}},
		},
		{
			name:     "Deny statements are never changed",
			policy:   policyOf(stmt("Deny", "Action", "s3:Get*"), stmt("Allow", "Action", "s3:List*")),
			findings: `["s3:ListBucket", "s3:GetObject"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:Get*"}, {"s3:ListAllMyBuckets", "s3:ListBuckets"}},
		},
		{
			name:     "only Deny left: kept, not detached",
			policy:   policyOf(stmt("Deny", "Action", "s3:Get*"), stmt("Allow", "Action", "s3:ListBucket")),
			findings: `["s3:ListBucket"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:Get*"}},
			warnings: []string{"ONLY_DENY_LEFT"},
		},
		{
			name:     "a pattern that matches nothing is kept with a warning",
			policy:   policyOf(stmt("Allow", "Action", "s3:Foo*", "s3:ListBucket")),
			findings: `["s3:ListBucket"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:Foo*"}},
			warnings: []string{"UNKNOWN_PATTERN"},
		},
		{
			name:     "an unknown unused action joins the universe: no wildcard keeps it",
			policy:   policyOf(stmt("Allow", "Action", "s3:Get*")),
			findings: `["s3:GetFutureThing"]`,
			action:   ActionCreate,
			want:     [][]string{{"s3:GetBucket*", "s3:GetObject*"}},
			warnings: []string{"UNKNOWN_ACTION"},
		},
		{
			name:     "DETACH_POLICY when nothing allowed is still needed",
			policy:   policyOf(stmt("Allow", "Action", "ec2:*")),
			findings: `[{"serviceNamespace": "ec2"}]`,
			action:   ActionDetach,
			want:     nil,
		},
		{
			name:     "NONE when nothing allowed is unused",
			policy:   policyOf(stmt("Allow", "Action", "ec2:*")),
			findings: `["s3:GetObject"]`,
			action:   ActionNone,
			want:     [][]string{{"ec2:*"}},
		},
		{
			name:     "granularity char",
			policy:   policyOf(stmt("Allow", "Action", "s3:Get*")),
			findings: `["s3:GetBucketAcl"]`,
			gran:     GranularityChar,
			action:   ActionCreate,
			want:     [][]string{{"s3:GetBucketP*", "s3:GetO*"}},
		},
		{
			name:     "granularity word",
			policy:   policyOf(stmt("Allow", "Action", "s3:Get*")),
			findings: `["s3:GetBucketAcl"]`,
			gran:     GranularityWord,
			action:   ActionCreate,
			want:     [][]string{{"s3:GetBucketPolicy*", "s3:GetObject*"}},
		},
		{
			name:     "granularity action: exact names only",
			policy:   policyOf(stmt("Allow", "Action", "s3:Get*")),
			findings: `["s3:GetBucketAcl"]`,
			gran:     GranularityAction,
			action:   ActionCreate,
			want: [][]string{{"s3:GetBucketPolicy", "s3:GetBucketPolicyStatus", "s3:GetObject",
				"s3:GetObjectAcl", "s3:GetObjectTagging"}},
		},
	}
	cat := small(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := refineText(t, cat, tt.policy, tt.findings, Options{Granularity: tt.gran})
			if res.Action != tt.action {
				t.Errorf("Refine(%s, %s).Action = %s, want %s", tt.policy, tt.findings, res.Action, tt.action)
			}
			if got := patternsOf(t, res.Policy); !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("Refine(%s, %s) patterns = %q, want %q", tt.policy, tt.findings, got, tt.want)
			}
			var codes []string
			for _, w := range res.Warnings {
				codes = append(codes, w.Code)
			}
			if !slices.Equal(codes, tt.warnings) {
				t.Errorf("warnings = %v, want %v", res.Warnings, tt.warnings)
			}
			if !res.Verify.Exact {
				t.Errorf("verification failed: %+v", res.Verify)
			}
		})
	}
}

// TestRefineForms checks that the document keeps its forms and key order.
func TestRefineForms(t *testing.T) {
	tests := []struct {
		name, policy, findings, want string
	}{
		{
			name:     "Statement object and Action string stay; several entries become an array",
			policy:   `{"Statement": {"Sid": "A", "Action": "s3:GetObject*", "Resource": "*", "Effect": "Allow"}, "Version": "2012-10-17"}`,
			findings: `["s3:GetObject"]`,
			want:     `{"Statement":{"Sid":"A","Action":["s3:GetObjectAcl","s3:GetObjectTagging"],"Resource":"*","Effect":"Allow"},"Version":"2012-10-17"}`,
		},
		{
			name:     "an Action string replaced by one entry stays a string",
			policy:   `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetBucketPolicy*", "Resource": "*"}]}`,
			findings: `["s3:GetBucketPolicyStatus"]`,
			want:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketPolicy","Resource":"*"}]}`,
		},
		{
			name:     "other keys, conditions and unknown keys are untouched, in their order",
			policy:   `{"Id": "x", "Version": "2012-10-17", "Statement": [{"Condition": {"Bool": {"aws:SecureTransport": "true"}}, "Action": ["s3:List*"], "X-Custom": [1, 2.50, null], "Effect": "Allow", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}`,
			findings: `["s3:ListAllMyBuckets"]`,
			want:     `{"Id":"x","Version":"2012-10-17","Statement":[{"Condition":{"Bool":{"aws:SecureTransport":"true"}},"Action":["s3:ListBucket*"],"X-Custom":[1,2.50,null],"Effect":"Allow","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`,
		},
	}
	cat := small(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := refineText(t, cat, tt.policy, tt.findings, Options{})
			if got := string(AppendJSON(nil, res.Policy, "")); got != tt.want {
				t.Errorf("Refine(%s, %s) =\n%s\nwant\n%s", tt.policy, tt.findings, got, tt.want)
			}
			if !res.Verify.Exact {
				t.Errorf("verification failed: %+v", res.Verify)
			}
		})
	}
}

// TestVerifyCatchesMistakes feeds the independent check refinements that break
// each rule, to show it can fail.
func TestVerifyCatchesMistakes(t *testing.T) {
	cat := small(t)
	orig, err := parsePolicy([]byte(policyOf(stmt("Allow", "Action", "s3:Get*"), stmt("Deny", "Action", "iam:*"))))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := parseFindings([]byte(`["s3:GetBucketAcl"]`))
	u := Refine(orig, f, cat, Options{}).universe
	tests := []struct {
		name    string
		refined string
		kept    []int
		check   func(v Verification) []string
	}{
		{"keeps an unused action (C1)", policyOf(stmt("Allow", "Action", "s3:GetBucket*", "s3:GetObject*"), stmt("Deny", "Action", "iam:*")), []int{0, 1},
			func(v Verification) []string { return v.OverPermissive }},
		{"loses a wanted action (C1)", policyOf(stmt("Allow", "Action", "s3:GetObject*"), stmt("Deny", "Action", "iam:*")), []int{0, 1},
			func(v Verification) []string { return v.UnderPermissive }},
		{"broader than the original (C2)", policyOf(stmt("Allow", "Action", "s3:G*Policy*", "s3:GetObject*"), stmt("Deny", "Action", "iam:*")), []int{0, 1},
			func(v Verification) []string { return v.Broader }},
		{"Deny changed (C3)", policyOf(stmt("Allow", "Action", "s3:GetBucketPolicy*", "s3:GetObject*"), stmt("Deny", "Action", "iam:PassRole")), []int{0, 1},
			func(v Verification) []string { return v.Structure }},
		{"redundant entry (C5)", policyOf(stmt("Allow", "Action", "s3:GetBucketPolicy*", "s3:GetBucketPolicyStatus", "s3:GetObject*"), stmt("Deny", "Action", "iam:*")), []int{0, 1},
			func(v Verification) []string { return v.Redundant }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verifyRefinement(orig, []byte(tt.refined), tt.kept, u)
			if v.Exact || len(tt.check(v)) == 0 {
				t.Errorf("verifyRefinement(%s) = %+v, want it to report the mistake", tt.refined, v)
			}
		})
	}
}

// TestTriePath checks that options.triePath exports the one trie asked for.
func TestTriePath(t *testing.T) {
	cat := small(t)
	policy := policyOf(stmt("Allow", "Action", "s3:Get*", "iam:List*"))
	findings := `["s3:GetBucketAcl", "iam:ListMFADevices"]`
	all := refineText(t, cat, policy, findings, Options{Trie: true})
	one := refineText(t, cat, policy, findings, Options{TriePath: "Statement[0].Action[1]"})
	none := refineText(t, cat, policy, findings, Options{})
	if len(all.Tries) != 2 || len(none.Tries) != 0 {
		t.Fatalf("Trie: %d tries, none: %d, want 2 and 0", len(all.Tries), len(none.Tries))
	}
	if len(one.Tries) != 1 || one.Tries[0].Pattern != "iam:List*" || one.Tries[0].Root.Prefix != "iam:List" {
		t.Errorf("TriePath Statement[0].Action[1]: tries %+v, want the one of iam:List* rooted at iam:List", one.Tries)
	}
}

// TestPolicySizeLimit checks the named limit on the policy: the largest AWS
// managed policy passes, a larger document is refused as TOO_LARGE.
func TestPolicySizeLimit(t *testing.T) {
	largest := mustRead(t, "testdata/policies/AWSSupportServiceRolePolicy.json")
	if _, err := HandleRefine([]byte(`{"policy":` + string(largest) + `,"findings":["iam:PassRole"]}`)); err != nil {
		t.Fatalf("the largest AWS managed policy is refused: %v", err)
	}
	pad := strings.Repeat(" ", MaxPolicyBytes)
	body := `{"policy":{"Version":"2012-10-17",` + pad + `"Statement":[]},"findings":[]}`
	_, err := HandleRefine([]byte(body))
	if err == nil || err.Code != CodeTooLarge || err.Status() != 413 || err.Field != "policy" {
		t.Errorf("HandleRefine(policy of %d bytes) = %v, want TOO_LARGE for the policy", len(body), err)
	}
}

// TestTrieBlocker checks that an unsafe node names what makes it unsafe: an
// unused action, or one the pattern does not match.
func TestTrieBlocker(t *testing.T) {
	res := refineText(t, small(t), policyOf(stmt("Allow", "Action", "s3:*Object")), `["s3:DeleteObject"]`, Options{Trie: true})
	find := func(n *TrieNode, prefix string) *TrieNode {
		var walk func(n *TrieNode) *TrieNode
		walk = func(n *TrieNode) *TrieNode {
			if n.Prefix == prefix {
				return n
			}
			for _, c := range n.Children {
				if f := walk(c); f != nil {
					return f
				}
			}
			return nil
		}
		return walk(n)
	}
	if len(res.Tries) != 1 {
		t.Fatalf("%d tries, want 1", len(res.Tries))
	}
	root := res.Tries[0].Root
	for _, tt := range []struct {
		prefix, blocker string
		unused          bool
	}{
		{"s3:Delete", "s3:DeleteObject", true},
		{"s3:Get", "s3:GetBucketAcl", false}, // s3:*Object does not match it
		{"s3:GetObject", "s3:GetObjectAcl", false},
	} {
		n := find(root, tt.prefix)
		if n == nil || n.Safe || n.Blocker != tt.blocker || n.BlockerUnused != tt.unused {
			t.Errorf("node %s = %+v, want unsafe, blocked by %s (unused %v)", tt.prefix, n, tt.blocker, tt.unused)
		}
	}
}
