package engine

import (
	"os"
	"slices"
	"testing"
)

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// catalog2024 is the built-in catalog overlaid with the s3 and lambda lists of
// 2024-08-31, the data the article's example was computed on.
func catalog2024(t testing.TB) *Catalog {
	t.Helper()
	user, err := ParseCatalog(mustRead(t, "testdata/catalog-2024-08-31.json"))
	if err != nil {
		t.Fatal(err)
	}
	return BuiltinCatalog().Overlay(user)
}

func articleInputs(t testing.TB) (*Policy, *Findings) {
	t.Helper()
	p, err := parsePolicy(mustRead(t, "testdata/article/policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseFindings(mustRead(t, "testdata/article/findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	return p, f
}

// actionsOf returns the patterns of statement i of a refined document.
func actionsOf(t *testing.T, doc *Value, i int) []string {
	t.Helper()
	st := doc.Get("Statement")
	if st == nil || st.Kind != KindArray || i >= len(st.Arr) {
		t.Fatalf("refined document has no Statement[%d]: %s", i, AppendJSON(nil, doc, ""))
	}
	var out []string
	for _, v := range st.Arr[i].Get("Action").Arr {
		out = append(out, v.Str)
	}
	return out
}

// TestArticleExample reproduces the worked example of the article exactly.
func TestArticleExample(t *testing.T) {
	p, f := articleInputs(t)
	res := Refine(p, f, catalog2024(t), Options{})
	if res.Action != ActionCreate {
		t.Fatalf("Action = %s, want CREATE_POLICY", res.Action)
	}
	if got, want := actionsOf(t, res.Policy, 0), []string{"lambda:Invoke*"}; !slices.Equal(got, want) {
		t.Errorf("Statement[0].Action = %q, want %q", got, want)
	}
	want := []string{
		"s3:GetAccess*", "s3:GetAccountPublicAccessBlock", "s3:GetDataAccess", "s3:GetJobTagging",
		"s3:GetMulti*", "s3:GetObject*", "s3:GetStorage*", "s3:List*",
	}
	if got := actionsOf(t, res.Policy, 1); !slices.Equal(got, want) {
		t.Errorf("Statement[1].Action = %q,\nwant %q", got, want)
	}
	if !res.Verify.Exact {
		t.Errorf("verification failed: %+v", res.Verify)
	}
}

// TestArticleExampleToday runs the example on the built-in catalog: the
// article's seven entries, plus the two newer s3 actions that sit under the
// unsafe GetBucket node, listed by name.
func TestArticleExampleToday(t *testing.T) {
	p, f := articleInputs(t)
	res := Refine(p, f, BuiltinCatalog(), Options{})
	want := []string{
		"s3:GetAccess*", "s3:GetAccountPublicAccessBlock", "s3:GetBucketAbac",
		"s3:GetBucketMetadataTableConfiguration", "s3:GetDataAccess", "s3:GetJobTagging",
		"s3:GetMulti*", "s3:GetObject*", "s3:GetStorage*", "s3:List*",
	}
	if got := actionsOf(t, res.Policy, 1); !slices.Equal(got, want) {
		t.Errorf("Statement[1].Action = %q,\nwant %q", got, want)
	}
	if !res.Verify.Exact {
		t.Errorf("verification failed: %+v", res.Verify)
	}
}
