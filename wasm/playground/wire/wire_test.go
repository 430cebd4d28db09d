package wire

import (
	"encoding/json"
	"reflect"
	"testing"

	"whittle/engine"
)

// TestChangesJSON checks AppendChanges against encoding/json: the
// page reads what the worker writes by hand with encoding/json.
func TestChangesJSON(t *testing.T) {
	cs := []engine.Change{
		{Statement: 0, Path: "Statement[0].Action[0]", Kind: "replaced", Pattern: "s3:Get*",
			Replacement: []string{"s3:GetObject*", "s3:GetMulti*"}, Removed: []string{"s3:GetAccelerateConfiguration", "s3:GetBucketAcl"},
			Allowed: 58, Kept: 36, AccessLevels: map[string]int{"Read": 1, "List": 1}},
		{Statement: 2, Path: `Statement[2].Action[1]`, Kind: "removed", Pattern: "odd\"name\\\n\u2028é", Allowed: 1},
		{Statement: 1, Path: "Statement[1].NotAction", Kind: "excluded", Replacement: []string{"s3:PutObject"}},
	}
	var want []Change
	for _, c := range cs {
		want = append(want, Change{Change: c, Removed: len(c.Removed)})
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, again := []Change{}, []Change{}
	if err := json.Unmarshal(AppendChanges(nil, cs), &got); err != nil {
		t.Fatalf("AppendChanges wrote JSON that does not parse: %v\n%s", err, AppendChanges(nil, cs))
	}
	if err := json.Unmarshal(wantJSON, &again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, again) {
		t.Errorf("AppendChanges reads back as\n%+v\nwant (encoding/json)\n%+v", got, again)
	}
}
