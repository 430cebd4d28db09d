package engine_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"whittle/engine"
)

// The article's example: s3:Get* is partly unused and is replaced, in place,
// by its shortest safe prefixes; lambda actions wholly unused are removed.
func ExampleHandleRefine() {
	body := `{
  "policy": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["lambda:AddPermission", "lambda:Invoke*"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["s3:GetObject*", "s3:GetBucket*"], "Resource": "*"}]},
  "findings": [{"serviceNamespace": "lambda", "actions": ["AddPermission"]},
               {"serviceNamespace": "s3", "actions": ["GetBucketAcl"]}]
}`
	answer, err := engine.HandleRefine([]byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	var resp engine.Response
	_ = json.Unmarshal(answer, &resp)
	fmt.Println(resp.RecommendedAction, "exact:", resp.Verification.Exact)
	for _, c := range resp.Changes {
		fmt.Printf("%s %s → %d entries\n", c.Kind, c.Pattern, len(c.Replacement))
	}
	// Output:
	// CREATE_POLICY exact: true
	// removed lambda:AddPermission → 0 entries
	// replaced s3:GetBucket* → 14 entries
}

// A Session answers an edit of the policy, then of the findings, as Respond
// would, reusing what it computed before.
func ExampleSession() {
	var s engine.Session
	policy := `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}`
	for _, edit := range []struct{ policy, findings string }{
		{policy, `["s3:GetObjectAcl"]`},
		{strings.Replace(policy, `"Resource": "*"`, `"Resource": "arn:aws:s3:::logs/*"`, 1), `["s3:GetObjectAcl"]`},
		{policy, `["s3:GetObjectAcl", "s3:GetObjectTagging"]`},
	} {
		req, err := engine.RequestFromTexts(edit.policy, edit.findings, "", engine.Options{})
		if err != nil {
			fmt.Println(err)
			return
		}
		resp := s.Respond(req)
		fmt.Println(resp.RecommendedAction, resp.Verification.Exact, resp.Changes[0].Kept, "of", resp.Changes[0].Allowed, "kept")
	}
	// Output:
	// CREATE_POLICY true 62 of 63 kept
	// CREATE_POLICY true 62 of 63 kept
	// CREATE_POLICY true 61 of 63 kept
}
