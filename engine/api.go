package engine

import "encoding/json"

// This file holds the JSON shapes of ../shared/design/api.md and the entry points
// that every wrapper (the playground, the Worker, the local server) calls. A wrapper
// passes the request body through and writes back the bytes it gets, so all three
// answer byte for byte alike.

// Granularity values of Options.Granularity.
const (
	GranularityWord   = "word"   // CamelCase words: s3:|Get|Bucket|Policy (default)
	GranularityChar   = "char"   // one character a token
	GranularityAction = "action" // no new wildcards: exact action names only
)

// Options tunes a refinement.
type Options struct {
	Granularity string `json:"granularity,omitempty"`
	// Trie asks for the trie of each replaced pattern (the playground draws it).
	Trie bool `json:"trie,omitempty"`
	// TriePath asks for the trie of the one replaced pattern at this JSON path
	// (e.g. Statement[1].Action[0]) only: a large policy has a trie per replaced
	// pattern, megabytes in all, where a page shows one at a time.
	TriePath string `json:"triePath,omitempty"`
	// UnusedAccessAge is the window of an IAM last-accessed report, in days
	// ending at its JobCompletionDate (0: DefaultUnusedAccessAge).
	UnusedAccessAge int `json:"unusedAccessAge,omitempty"`
	// Principal picks the role or user (name or ARN) of an authorization-details
	// dump (POST /api/v1/recommendation).
	Principal string `json:"principal,omitempty"`
}

// age is the window of a last-accessed report these options ask for.
func (o Options) age() int {
	if o.UnusedAccessAge == 0 {
		return DefaultUnusedAccessAge
	}
	return o.UnusedAccessAge
}

// Change explains one changed pattern of one statement.
type Change struct {
	Statement   int      `json:"statement"`         // 0-based index in the original Statement list
	Path        string   `json:"path"`              // JSON path of the pattern, e.g. Statement[1].Action[0]
	Kind        string   `json:"kind"`              // ChangeReplaced, ChangeRemoved or ChangeExcluded
	Pattern     string   `json:"pattern,omitempty"` // the original pattern ("" for NotAction additions)
	Replacement []string `json:"replacement"`       // the entries written in its place (empty when removed)
	Removed     []string `json:"removed"`           // unused actions it allowed, canonical casing, sorted
	Allowed     int      `json:"allowed"`           // universe actions the pattern allowed
	Kept        int      `json:"kept"`              // of those, still allowed after refinement
	// AccessLevels counts Removed by access level of the catalog ("List", "Read", ...).
	AccessLevels map[string]int `json:"accessLevels,omitempty"`
}

// Kinds of a [Change].
const (
	ChangeReplaced = "replaced" // a partly unused pattern, by its generalization
	ChangeRemoved  = "removed"  // a wholly unused pattern, or a NotAction statement left allowing nothing
	ChangeExcluded = "excluded" // unused actions added to a NotAction
)

// Verification is the result of the independent check of a refinement.
type Verification struct {
	Exact           bool     `json:"exact"`           // C1, C2, C3 and C5 hold
	OverPermissive  []string `json:"overPermissive"`  // "Statement[i]: action" allowed but unused or never allowed
	UnderPermissive []string `json:"underPermissive"` // "Statement[i]: action" still wanted but lost
	Broader         []string `json:"broader"`         // new patterns not included in the originals (C2)
	Redundant       []string `json:"redundant"`       // added entries covered by another entry (C5)
	Structure       []string `json:"structure"`       // C3 violations (keys changed, order, Deny touched)
}

// Size is the policy size in characters without whitespace, against the AWS quotas.
type Size struct {
	Before             int `json:"before"`
	After              int `json:"after"`
	ManagedPolicyQuota int `json:"managedPolicyQuota"` // 6,144
	RoleInlineQuota    int `json:"roleInlineQuota"`    // 10,240 (all inline policies of a role)
	UserInlineQuota    int `json:"userInlineQuota"`    // 2,048
	GroupInlineQuota   int `json:"groupInlineQuota"`   // 5,120
}

// Warning is something the user should know that does not stop the refinement.
type Warning struct {
	Code    string `json:"code"` // one of the Warn codes
	Message string `json:"message"`
	Path    string `json:"path,omitempty"`
}

// Warning codes.
const (
	WarnUnknownPattern  = "UNKNOWN_PATTERN"  // a pattern matches no action of the catalog: kept as written
	WarnUnknownAction   = "UNKNOWN_ACTION"   // an unused action the catalog lacks: it counts all the same
	WarnUnknownService  = "UNKNOWN_SERVICE"  // a wholly unused service the catalog lacks
	WarnOnlyDenyLeft    = "ONLY_DENY_LEFT"   // nothing allowed is still needed, the Deny statements are kept
	WarnNotAction       = "NOT_ACTION"       // an Allow NotAction statement, which Access Analyzer does not refine
	WarnOverQuota       = "OVER_QUOTA"       // the refined policy, or a principal's inline policies, over an AWS quota
	WarnMissingDocument = "MISSING_DOCUMENT" // an attached policy of the principal has no document: not refined
	WarnGroupPolicies   = "GROUP_POLICIES"   // the principal's groups have policies of their own
)

// CatalogInfo describes a catalog: where it comes from and how big it is.
type CatalogInfo struct {
	Source   string   `json:"source"`
	Version  string   `json:"version,omitempty"`
	Date     string   `json:"date"`
	Services int      `json:"services"`
	Actions  int      `json:"actions"`
	Overlay  []string `json:"overlay,omitempty"` // services replaced by the user's catalog
}

// TrieNode is one node of an exported trie, for drawing. A safe subtree is
// collapsed into its topmost node: safe nodes have no Children.
type TrieNode struct {
	Prefix string `json:"prefix"` // full prefix, e.g. s3:GetObject
	Token  string `json:"token"`  // the last token, e.g. Object
	Safe   bool   `json:"safe"`
	Chosen bool   `json:"chosen"`           // written to the refined policy
	Action string `json:"action,omitempty"` // the action ending exactly here, if any
	Wanted int    `json:"wanted"`           // universe actions under the prefix still wanted
	Unused int    `json:"unused"`           // unused actions under the prefix
	Other  int    `json:"other"`            // universe actions under the prefix the pattern does not match
	// Blocker names, for an unsafe node, the first action under its prefix that
	// makes it unsafe; BlockerUnused tells whether it is unused (else the
	// pattern does not match it).
	Blocker       string      `json:"blocker,omitempty"`
	BlockerUnused bool        `json:"blockerUnused,omitempty"`
	Children      []*TrieNode `json:"children,omitempty"`
}

// Trie is the exported trie of one replaced pattern.
type Trie struct {
	Statement int       `json:"statement"`
	Path      string    `json:"path"`
	Pattern   string    `json:"pattern"`
	Root      *TrieNode `json:"root"`
}

// Response is the answer of a refinement (POST /api/v1/refine).
type Response struct {
	RecommendedAction string `json:"recommendedAction"` // CREATE_POLICY, DETACH_POLICY or NONE
	// RecommendedPolicy is the refined document in the original key order:
	// compact (no white space) in this value, indented with the rest of the
	// answer in the API's JSON ([Response.PrettyPolicy] gives that layout);
	// null for DETACH_POLICY.
	RecommendedPolicy json.RawMessage `json:"recommendedPolicy"`
	Changes           []Change        `json:"changes"`
	Verification      Verification    `json:"verification"`
	Size              Size            `json:"size"`
	Warnings          []Warning       `json:"warnings"`
	Findings          FindingsInfo    `json:"findings"` // how the findings were read
	Catalog           CatalogInfo     `json:"catalog"`
	Tries             []Trie          `json:"tries,omitempty"` // with options.trie

	policy *Value // the refined document RecommendedPolicy was written from
}

// PrettyPolicy is the refined document laid out by [Value.Pretty], written
// from the document the engine refined (no parsing); nil for DETACH_POLICY
// and for an answer the engine did not make (decoded from JSON: use [Pretty]).
func (r *Response) PrettyPolicy() []byte {
	if r.policy == nil {
		return nil
	}
	return r.policy.Pretty()
}
