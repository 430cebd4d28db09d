package locate

import (
	"os"
	"strconv"
	"testing"
	"time"

	"whittle/engine"
)

const policy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:Get*", "lambda:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
    {"Effect": "Allow", "NotAction": ["iam:*", "s3:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": "ec2:Describ\u00e9*", "Resource": "*"}
  ]
}`

func TestChange(t *testing.T) {
	req, eerr := engine.RequestFromTexts(policy, "[]", "", engine.Options{})
	if eerr != nil {
		t.Fatal(eerr)
	}
	for _, tt := range []struct {
		stmt int
		path string
		want string // the text selected, "" for none
		span Span
	}{
		{0, "Statement[0].Action[0]", `"s3:Get*"`, Span{4, 36, 4, 45}},
		{0, "Statement[0].Action[1]", `"lambda:*"`, Span{4, 47, 4, 57}},
		{0, "Statement[0].Action[2]", "", Span{}},
		{1, "Statement[1].Action", `"sqs:*"`, Span{5, 35, 5, 42}},
		{2, "Statement[2].NotAction", `["iam:*", "s3:*"]`, Span{6, 38, 6, 55}},
		{2, "Statement[2].NotAction[1]", `"s3:*"`, Span{6, 48, 6, 54}},
		{3, "Statement[3].Action", `"ec2:Describ\u00e9*"`, Span{7, 35, 7, 55}},
		{1, "Statement[0].Action[0]", "", Span{}},
		{1, "Statement[1].Resource", "", Span{}},
		{9, "Statement[9].Action", "", Span{}},
	} {
		c := &engine.Change{Statement: tt.stmt, Path: tt.path}
		from, to, ok := Range(req.Policy, c)
		got := ""
		if ok {
			got = policy[from:to]
		}
		span, sok := Change(policy, req.Policy, c)
		if got != tt.want || span != tt.span || sok != (tt.want != "") {
			t.Errorf("%s: Range = %q, Change = %+v, %v; want %q, %+v", tt.path, got, span, sok, tt.want, tt.span)
		}
	}
	// A text other than the one parsed, too short for the place: no span.
	if span, ok := Change(policy[:50], req.Policy, &engine.Change{Statement: 1, Path: "Statement[1].Action"}); ok {
		t.Errorf("Change on a cut text = %+v, want none", span)
	}
}

// TestChangeInDump: in an account's authorization details, each change of
// each policy given as an object stands at its pattern in the whole text.
func TestChangeInDump(t *testing.T) {
	dump, _ := os.ReadFile("../../../engine/testdata/role/authorization-details.json")
	report, _ := os.ReadFile("../../../engine/testdata/role/last-accessed-action-level.json")
	rr, eerr := engine.RecommendationFromTexts(string(dump), string(report), "", engine.Options{})
	if eerr != nil {
		t.Fatal(eerr)
	}
	rec := engine.Recommend(rr, time.Now)
	n := 0
	for i, d := range rec.Whittle.Policies {
		if rr.Set.Policies[i].Offset < 0 || d.Answer == nil {
			continue
		}
		req := rr.Request(i)
		for k := range d.Answer.Changes {
			c := &d.Answer.Changes[k]
			from, to, ok := Range(req.Policy, c)
			if !ok || string(dump[from:to]) != strconv.Quote(c.Pattern) {
				t.Errorf("policy %d %s: Range = %q, %v, want %q", i, c.Path, dump[from:to], ok, strconv.Quote(c.Pattern))
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no change in the dump's policies")
	}
}
