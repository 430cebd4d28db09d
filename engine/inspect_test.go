package engine

import (
	"slices"
	"testing"
)

func TestInspectTrie(t *testing.T) {
	body := []byte(`{"policy": ` + policyOf(stmt("Allow", "Action", "s3:*Object")) + `,
		"findings": ["s3:DeleteObject"], "catalog": ` + smallCatalog + `}`)
	req, err := ParseRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := inspectTrie(req, "Statement[0].Action[0]", "S3:getobject")
	if err != nil {
		t.Fatal(err)
	}
	want := []NodeAction{{"s3:GetObject", "wanted"}, {"s3:GetObjectAcl", "unmatched"}, {"s3:GetObjectTagging", "unmatched"}}
	if !slices.Equal(got, want) {
		t.Errorf("InspectTrie(s3:GetObject) = %v, want %v", got, want)
	}
	got, _ = inspectTrie(req, "Statement[0].Action[0]", "s3:Delete")
	if want := []NodeAction{{"s3:DeleteObject", "unused"}}; !slices.Equal(got, want) {
		t.Errorf("InspectTrie(s3:Delete) = %v, want %v", got, want)
	}
	if _, err := inspectTrie(req, "Statement[3].Action[0]", "s3:"); err == nil {
		t.Errorf("InspectTrie at a path with no pattern: no error")
	}
}
