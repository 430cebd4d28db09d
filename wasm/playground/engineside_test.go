//go:build js && wasm

package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"whittle/engine"
)

// TestPageChangesJSON checks appendPageChanges against encoding/json: the
// page reads what the worker writes by hand with encoding/json.
func TestPageChangesJSON(t *testing.T) {
	cs := []engine.Change{
		{Statement: 0, Path: "Statement[0].Action[0]", Kind: "replaced", Pattern: "s3:Get*",
			Replacement: []string{"s3:GetObject*", "s3:GetMulti*"}, Removed: []string{"s3:GetAccelerateConfiguration", "s3:GetBucketAcl"},
			Allowed: 58, Kept: 36, AccessLevels: map[string]int{"Read": 1, "List": 1}},
		{Statement: 2, Path: `Statement[2].Action[1]`, Kind: "removed", Pattern: "odd\"name\\\n\u2028é", Allowed: 1},
		{Statement: 1, Path: "Statement[1].NotAction", Kind: "excluded", Replacement: []string{"s3:PutObject"}},
	}
	var want []pageChange
	for _, c := range cs {
		want = append(want, pageChange{Change: c, Removed: len(c.Removed)})
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, again := []pageChange{}, []pageChange{}
	if err := json.Unmarshal(appendPageChanges(nil, cs), &got); err != nil {
		t.Fatalf("appendPageChanges wrote JSON that does not parse: %v\n%s", err, appendPageChanges(nil, cs))
	}
	if err := json.Unmarshal(wantJSON, &again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, again) {
		t.Errorf("appendPageChanges reads back as\n%+v\nwant (encoding/json)\n%+v", got, again)
	}
}
