package engine

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

var matchTests = []struct {
	p, a string
	want bool
}{
	// Case is ignored, as IAM ignores it.
	{"iam:ListRoles", "IAM:listroles", true},
	{"IAM:listroles", "iam:ListRoles", true},
	{"iam:ListRoles", "iam:ListRole", false},
	{"iam:ListRole", "iam:ListRoles", false},
	{"s3:GetObject", "s3:GetObject", true},
	{"s3:GetObject", "s3:PutObject", false},
	// A lone star matches every action.
	{"*", "s3:GetObject", true},
	{"*", "iam:PassRole", true},
	{"*", "", true},
	// Trailing, leading, middle and several stars; a star matches also nothing.
	{"s3:Get*", "s3:GetObject", true},
	{"s3:Get*", "s3:Get", true},
	{"s3:Get*", "s3:get", true},
	{"s3:Get*", "s3:PutObject", false},
	{"s3:Get*", "s3:Ge", false},
	{"s3:Get*", "ec2:GetObject", false},
	{"s3:*Object", "s3:GetObject", true},
	{"s3:*Object", "s3:GetObjectAcl", false},
	{"s3:*Object", "s3:Object", true},
	{"s3:Get*Acl", "s3:GetObjectAcl", true},
	{"s3:Get*Acl", "s3:GetAcl", true},
	{"s3:Get*Acl", "s3:GetObjectAclX", false},
	{"s3:*Object*", "s3:GetObjectAcl", true},
	{"s3:*a*b*c", "s3:xaybzc", true},
	{"s3:*a*b*c", "s3:cba", false},
	{"s3:*aab", "s3:aaab", true}, // backtracking
	{"s3:*ab*ab", "s3:abab", true},
	{"s3:*ab*ab", "s3:abaab", true},
	{"s3:*ab*ab", "s3:aba", false},
	{"s3:**", "s3:", true},
	{"s3:G**t", "s3:GetObjectGet", true},
	{"*:*", "s3:GetObject", true},
	{"*:*", "nocolon", false},
	{"*Object", "s3:GetObject", true},
	{"s3*", "s3:GetObject", true}, // a star matches ':' too
	// Wildcards in the service part.
	{"s*:Get*", "s3:GetObject", true},
	{"s?:GetObject", "s3:GetObject", true},
	{"s?:GetObject", "sqs:GetObject", false},
	// ? is exactly one character (not one byte).
	{"s3:Get?bject", "s3:GetObject", true},
	{"s3:Get?", "s3:Get", false},
	{"s3:Get?", "s3:GetAB", false},
	{"s3:???", "s3:abc", true},
	{"s3:?", "s3:é", true},
	{"s3:?", "s3:日", true},
	{"s3:??", "s3:é", false},
	{"s3:?*", "s3:", false},
	{"s3:*?", "s3:x", true},
	// Empty parts.
	{"", "", true},
	{"", "s3:a", false},
	{"s3:", "s3:", true},
	{"s3:*", "s3:", true},
	{"s3:a", "", false},
	// Unicode simple case folding.
	{"s3:\u212a", "s3:k", true}, // Kelvin sign
	{"s3:k", "s3:\u212a", true},
	{"s3:K", "s3:\u212a", true},
	{"s3:\u212a*", "s3:KEY", true},
	{"s3:\u017f", "s3:S", true}, // long s
	{"s3:é", "s3:É", true},
	{"s3:Σ", "s3:ς", true},
	{"s3:ß", "s3:SS", false}, // no full case folding
	{"s3:get*", "s3:GETé", true},
	{"s3:é*", "s3:Éx", true},
	{"s3:a", "s3:á", false},
	// Backtracking over letters of several bytes.
	{"s3:*é", "s3:ééÉ", true},
	{"s3:*?x", "s3:日本x", true},
	{"s3:*??x", "s3:日x", false},
	{"s3:é*\u212a", "s3:Éxyk", true},
}

func TestMatch(t *testing.T) {
	for _, tt := range matchTests {
		if got := Match(tt.p, tt.a); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.p, tt.a, got, tt.want)
		}
	}
}

// TestMatchPathological checks that many stars do not make Match exponential.
func TestMatchPathological(t *testing.T) {
	p := "s3:" + strings.Repeat("*a", 30) + "b"
	a := "s3:" + strings.Repeat("a", 5000)
	if Match(p, a) {
		t.Errorf("Match(%q, %q…) = true, want false", p, a[:20])
	}
	if !Match(p, a+"b") {
		t.Errorf("Match(%q, %q…b) = false, want true", p, a[:20])
	}
}

var validatePatternTests = []struct {
	p       string
	wantErr string // "" for valid, else a substring of the reason
}{
	{"*", ""},
	{"s3:GetObject", ""},
	{"S3:getobject", ""},
	{"s3:*", ""},
	{"s3:Get?bject", ""},
	{"*:*", ""},
	{"s?:Get*", ""},
	{"s3-outposts:GetObject", ""},
	{"execute-api:Invoke", ""},
	{"s3:GetObjécts", ""},
	{"s3:" + strings.Repeat("a", MaxPatternLength-3), ""},
	{"s3:" + strings.Repeat("a", MaxPatternLength-2), "longer than"},
	{"s3", "not service:action"},
	{"s3GetObject", "not service:action"},
	{"", "not service:action"},
	{"**", "not service:action"},
	{":GetObject", "empty service"},
	{"s3:", "empty action name"},
	{"s3:Get:Object", "more than one ':'"},
	{"s3::", "more than one ':'"},
	{"s 3:Get", "service prefix"},
	{"s3_x:Get", "service prefix"},
	{"sé:Get", "service prefix"},
	{"s3:Get Object", "action name"},
	{"s3:Get\tObject", "action name"},
	{"s3:GetObject\n", "action name"},
	{"s3:Get\x00", "action name"},
	{"s3:Get\u00a0Object", "action name"},
	{"s3:Get\u2028", "action name"},
}

func TestValidatePattern(t *testing.T) {
	for _, tt := range validatePatternTests {
		got := validatePattern(tt.p)
		if tt.wantErr == "" && got != "" || tt.wantErr != "" && !strings.Contains(got, tt.wantErr) {
			t.Errorf("validatePattern(%q) = %q, want %q", tt.p, got, tt.wantErr)
		}
	}
}

var includesTests = []struct {
	p, q string
	want bool
}{
	// The contract's examples (C2).
	{"s3:GetObject*", "s3:Get*", true},
	{"s3:Put*", "s3:*Object", false},
	{"s3:*Object", "s3:*", true},
	{"s3:Get?bject", "s3:Get*", true},
	{"s3:G*t", "s3:G*", true},
	{"s3:*a*", "s3:*", true},
	{"s3:*", "s3:*a*", false},
	{"*", "s3:*", false},
	{"s3:*", "*", true},
	{"*", "*", true},
	// Equal patterns, in any spelling.
	{"s3:GetObject", "s3:GetObject", true},
	{"s3:Get*", "s3:Get*", true},
	{"s3:*Object", "s3:*Object", true},
	{"s3:G?t*Acl", "s3:G?t*Acl", true},
	{"s3:*a*b*", "s3:*a*b*", true},
	{"S3:GETOBJECT*", "s3:getobject*", true},
	{"s3:*OBJECT", "s3:*object", true},
	// Exact names.
	{"s3:GetObject", "s3:Get*", true},
	{"s3:GetObject", "s3:*Object", true},
	{"s3:GetObject", "s3:Put*", false},
	{"s3:GetObject", "s3:GetObjectAcl", false},
	{"s3:Get*", "s3:GetObject", false},
	// One more or one less character.
	{"s3:Get?", "s3:Get*", true},
	{"s3:Get*", "s3:Get?", false},
	{"s3:Get??", "s3:Get?*", true},
	{"s3:Get?*", "s3:Get??*", false},
	{"s3:Get??*", "s3:Get?*", true},
	{"s3:?", "s3:*", true},
	{"s3:?", "s3:a", false},
	{"s3:?", "s3:é", false},
	{"s3:Get*", "s3:GetObject*", false},
	// Middle stars.
	{"s3:*Object", "s3:*ct", true},
	{"s3:*ct", "s3:*Object", false},
	{"s3:a*b*c", "s3:a*c", true},
	{"s3:a*c", "s3:a*b*c", false},
	{"s3:*ab*", "s3:*a*b*", true},
	{"s3:*a*b*", "s3:*ab*", false},
	{"s3:GetObject*", "s3:*Object*", true},
	{"s3:*Object*", "s3:GetObject*", false},
	{"s3:Get*Acl", "s3:*Acl", true},
	{"s3:Get*Acl", "s3:Get*", true},
	{"s3:*Acl", "s3:Get*Acl", false},
	{"s3:a*a", "s3:a*", true},
	{"s3:a*", "s3:*a", false},
	{"s3:aa*", "s3:a*a*", true},
	// Wildcard services.
	{"s?:GetObject", "s3:*", false},
	{"s3:GetObject", "s?:Get*", true},
	{"s3:*", "s*:*", true},
	{"s*:*", "s3:*", false},
	// Unicode folding.
	{"s3:\u212a*", "s3:k*", true},
	{"s3:k*", "s3:\u212a*", true},
	{"s3:\u212aey", "s3:K*", true},
	{"s3:é*", "s3:É*", true},
	{"s3:É?", "s3:é*", true},
	{"s3:ß*", "s3:ss*", false},
	{"s3:a*", "s3:á*", false},
}

func TestIncludes(t *testing.T) {
	for _, tt := range includesTests {
		if got := includes(tt.p, tt.q, nil); got != tt.want {
			t.Errorf("Includes(%q, %q) = %v, want %v", tt.p, tt.q, got, tt.want)
		}
	}
}

var includesAnyTests = []struct {
	p    string
	qs   []string
	want bool
}{
	// Unions where no single pattern includes p.
	{"s3:Get*", []string{"s3:Get", "s3:Get?*"}, true},
	{"s3:*", []string{"s3:", "s3:?*"}, true},
	{"s3:G*", []string{"s3:G", "s3:G?", "s3:G??*"}, true},
	{"s3:G*", []string{"s3:G", "s3:G??*"}, false}, // s3:Gx
	{"s3:*x*", []string{"s3:x*", "s3:?*x*"}, true},
	{"s3:Get*", []string{"s3:GetObject*", "s3:GetBucket*", "s3:Get"}, false},
	{"s3:a?", []string{"s3:ab", "s3:a?"}, true},
	{"s3:?", []string{"s3:a", "s3:b"}, false},
	{"s3:*Acl", []string{"s3:Get*", "s3:Put*"}, false},
	{"s3:Get*Acl", []string{"s3:Put*", "s3:*Acl"}, true},
	// Empty unions include nothing.
	{"s3:GetObject", nil, false},
	{"s3:*", nil, false},
	{"s3:GetObject", []string{"s3:Put*", "*"}, true},
}

func TestIncludesAny(t *testing.T) {
	for _, tt := range includesAnyTests {
		if got := includesAny(tt.p, tt.qs, nil); got != tt.want {
			t.Errorf("IncludesAny(%q, %q) = %v, want %v", tt.p, tt.qs, got, tt.want)
		}
	}
	// The union rows must not be decided by one member alone.
	for _, tt := range includesAnyTests[:5] {
		if !tt.want {
			continue
		}
		for _, q := range tt.qs {
			if includes(tt.p, q, nil) {
				t.Errorf("test is weak: Includes(%q, %q) = true on its own", tt.p, q)
			}
		}
	}
}

var tokensTests = []struct {
	name, gran string
	want       []string
}{
	{"GetBucketPolicyStatus", GranularityWord, []string{"Get", "Bucket", "Policy", "Status"}},
	{"ListMFADevices", GranularityWord, []string{"List", "MFA", "Devices"}},
	{"ListObjectsV2", GranularityWord, []string{"List", "Objects", "V2"}},
	{"GetBucketCORS", GranularityWord, []string{"Get", "Bucket", "CORS"}},
	{"CreateDBInstance", GranularityWord, []string{"Create", "DB", "Instance"}},
	{"GetS3Bucket", GranularityWord, []string{"Get", "S3", "Bucket"}},
	{"DescribeEC2Instances", GranularityWord, []string{"Describe", "EC2", "Instances"}},
	{"ListV2Objects", GranularityWord, []string{"List", "V2", "Objects"}},
	{"GetObject", GranularityWord, []string{"Get", "Object"}},
	{"getObject", GranularityWord, []string{"get", "Object"}},
	{"listbuckets", GranularityWord, []string{"listbuckets"}},
	{"CORS", GranularityWord, []string{"CORS"}},
	{"Get-Object", GranularityWord, []string{"Get-", "Object"}},
	{"put_object", GranularityWord, []string{"put_", "object"}},
	{"GetÉtat", GranularityWord, []string{"Get", "État"}},
	{"G", GranularityWord, []string{"G"}},
	{"", GranularityWord, nil},
	{"GetObject", "", []string{"Get", "Object"}}, // word is the default
	{"GetObject", GranularityChar, []string{"G", "e", "t", "O", "b", "j", "e", "c", "t"}},
	{"V2é", GranularityChar, []string{"V", "2", "é"}},
	{"", GranularityChar, nil},
	{"GetBucketPolicyStatus", GranularityAction, []string{"GetBucketPolicyStatus"}},
}

func TestTokens(t *testing.T) {
	for _, tt := range tokensTests {
		got := tokens(tt.name, tt.gran)
		if !slices.Equal(got, tt.want) {
			t.Errorf("tokens(%q, %q) = %q, want %q", tt.name, tt.gran, got, tt.want)
		}
		if strings.Join(got, "") != tt.name {
			t.Errorf("tokens(%q, %q) = %q, which do not join to the name", tt.name, tt.gran, got)
		}
	}
}

func TestFold(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"GetObject", "getobject"}, {"\u212a", "k"}, {"K", "k"}, {"É", "é"}, {"Σ", "ς"}, {"\u017f", "s"},
	} {
		if foldKey(tt.a) != foldKey(tt.b) {
			t.Errorf("foldKey(%q) = %q, foldKey(%q) = %q, want equal", tt.a, foldKey(tt.a), tt.b, foldKey(tt.b))
		}
	}
	if foldKey("a") == foldKey("á") || foldKey("ß") == foldKey("ss") {
		t.Errorf("foldKey merges letters that differ beyond case")
	}
}

// TestPatternRange checks the universe's range search against a scan.
func TestPatternRange(t *testing.T) {
	u := newUniverse(BuiltinCatalog(), map[string]bool{"s3": true, "s3-outposts": true, "ec2": true, "iam": true}, false, []string{"s3:GetFuture"})
	for _, p := range []string{"*", "s3:*", "S3:get*", "s3:GetObject", "s3:GetObject*", "s3:Get?bject", "s3-outposts:*",
		"ec2:Describe*", "ec2:DescribeZZZ*", "iam:*", "lambda:*", "*:Get*", "s3*:List*", "s3:GetFuture", "s3:", "s"} {
		lo, hi := u.patternRange(p)
		lit := strings.ToLower(literalPrefix(p))
		wantLo, wantHi := -1, -1
		for i, k := range u.keys.strings() {
			if strings.HasPrefix(k, lit) {
				if wantLo < 0 {
					wantLo = i
				}
				wantHi = i + 1
			}
		}
		if wantLo < 0 {
			if lo != hi {
				t.Errorf("patternRange(%q) = [%d, %d), want an empty range", p, lo, hi)
			}
			continue
		}
		if lo != wantLo || hi != wantHi {
			t.Errorf("patternRange(%q) = [%d, %d), want [%d, %d)", p, lo, hi, wantLo, wantHi)
		}
	}
}

// TestPatternIndexCandidates checks candidates against its definition (the
// patterns whose folded literal prefix starts the query's) on random lists,
// small ones (tested one by one) and large ones (searched).
func TestPatternIndexCandidates(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	parts := []string{"s3:", "S3:", "s3:Get", "s3:get", "s3:GetObject", "s3:G", "ec2:", "ec2:Describe", "", "s", "s3:GetObjectAcl", "K", "\u212a"}
	word := func() string {
		p := parts[rng.IntN(len(parts))]
		switch rng.IntN(3) {
		case 0:
			return p + "*"
		case 1:
			return p + "?x*"
		}
		return p
	}
	for round := 0; round < 400; round++ {
		n := 1 + rng.IntN(2*linearKeys+4)
		var items []string
		for range n {
			items = append(items, word())
		}
		x := &patternIndex{}
		for i, it := range items {
			x.keys = append(x.keys, foldKey(literalPrefix(it)))
			x.idx = append(x.idx, i)
		}
		sort.Sort(x)
		for range 20 {
			q := word()
			lq := foldKey(literalPrefix(q))
			var want, got []int
			for i, it := range items {
				if strings.HasPrefix(lq, foldKey(literalPrefix(it))) {
					want = append(want, i)
				}
			}
			x.candidates(q, func(i int) bool { got = append(got, i); return true })
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("%d patterns %q, query %q: candidates %v, want %v", n, items, q, got, want)
			}
		}
	}
}

// TestValidateNameFast checks validatePattern's byte-by-byte reading of an
// action name against the rune-by-rune rule (validateName) for every ASCII
// character and some others, alone, first, last and after a non-ASCII one.
func TestValidateNameFast(t *testing.T) {
	var runes []rune
	for r := rune(0); r < 0x80; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, 0x85, 0xa0, 0x200b, 0x2028, 0x3000, 'é', 0xfeff, utf8.RuneError)
	for _, r := range runes {
		for _, name := range []string{string(r), string(r) + "Object", "Get" + string(r), "Get" + string(r) + "Object", "é" + string(r)} {
			if got, want := validatePattern("s3:"+name), validateName(name); got != want {
				t.Errorf("validatePattern(%q) = %q, want %q", "s3:"+name, got, want)
			}
		}
	}
}

// TestFoldHelpers checks appendFold, hasPrefixFold and equalFoldKey against
// their definitions by foldKey, on every pair of short strings over an
// alphabet with the cases that differ: ASCII letters in both cases, a rune of
// three bytes that folds to an ASCII letter (the Kelvin sign), one that folds
// to another of two bytes, and a byte that is not UTF-8.
func TestFoldHelpers(t *testing.T) {
	alphabet := []string{"k", "K", "\u212a", "ß", "\u1e9e", "\xff", ":", "*", "s"}
	var strs []string
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		strs = append(strs, prefix)
		if n == 0 {
			return
		}
		for _, a := range alphabet {
			gen(prefix+a, n-1)
		}
	}
	gen("", 3)
	for _, a := range strs {
		if got, want := string(appendFold([]byte("x"), a)), "x"+foldKey(a); got != want {
			t.Fatalf("appendFold(%q, %q) = %q, want %q", "x", a, got, want)
		}
		for _, b := range strs {
			if got, want := hasPrefixFold(a, b), strings.HasPrefix(foldKey(a), foldKey(b)); got != want {
				t.Fatalf("hasPrefixFold(%q, %q) = %v, want %v", a, b, got, want)
			}
			if got, want := equalFoldKey(a, b), foldKey(a) == foldKey(b); got != want {
				t.Fatalf("equalFoldKey(%q, %q) = %v, want %v", a, b, got, want)
			}
		}
	}
}
