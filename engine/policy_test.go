package engine

import (
	"strings"
	"testing"
)

// apiMDPolicy is the example behind the error of api.md:
// 9:9: Statement[1].Action[0]: "s3GetObject" is not service:action.
const apiMDPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
    {
      "Effect": "Allow",
      "Resource": "*",
      "Action": [
        "s3GetObject"
      ]
    }
  ]
}`

func TestParsePolicyAPIExample(t *testing.T) {
	_, err := parsePolicy([]byte(apiMDPolicy))
	if err == nil {
		t.Fatal("parsePolicy accepted s3GetObject")
	}
	want := Error{Code: CodeInvalidPolicy, Field: "policy", Path: "Statement[1].Action[0]", Line: 9, Column: 9,
		Message: `Statement[1].Action[0]: "s3GetObject" is not service:action`}
	if err.Code != want.Code || err.Field != want.Field || err.Path != want.Path || err.Line != want.Line ||
		err.Column != want.Column || err.Message != want.Message {
		t.Errorf("parsePolicy(api.md example) error = %+v,\n\twant %+v", *err, want)
	}
	if got, want := err.Error(), `policy: 9:9: Statement[1].Action[0]: "s3GetObject" is not service:action`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if err.Status() != 400 {
		t.Errorf("Status() = %d, want 400", err.Status())
	}
}

var parsePolicyErrorTests = []struct {
	in        string
	code      string
	line, col int
	path      string
	msg       string // substring
}{
	{`[]`, CodeInvalidPolicy, 1, 1, "", "must be a JSON object"},
	{`"policy"`, CodeInvalidPolicy, 1, 1, "", "must be a JSON object"},
	{`{"Version": "2012-10-17"}`, CodeInvalidPolicy, 1, 1, "", "no Statement"},
	{`{"Version": 2012, "Statement": []}`, CodeInvalidPolicy, 1, 13, "Version", "must be a string"},
	{`{"Statement": "Allow"}`, CodeInvalidPolicy, 1, 15, "Statement", "object or an array"},
	{`{"Statement": [42]}`, CodeInvalidPolicy, 1, 16, "Statement[0]", "must be an object"},
	// Effect.
	{`{"Statement": [{"Action": "s3:*"}]}`, CodeInvalidPolicy, 1, 16, "Statement[0]", "no Effect"},
	{`{"Statement": [{"Effect": "Permit", "Action": "s3:*"}]}`, CodeInvalidPolicy, 1, 27, "Statement[0].Effect", `"Allow" or "Deny"`},
	{`{"Statement": [{"Effect": true, "Action": "s3:*"}]}`, CodeInvalidPolicy, 1, 27, "Statement[0].Effect", `"Allow" or "Deny"`},
	// Action and NotAction.
	{`{"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*"}]}`, CodeInvalidPolicy, 1, 67, "Statement[0].NotAction", "not both"},
	{`{"Statement": [{"Effect": "Allow", "Resource": "*"}]}`, CodeInvalidPolicy, 1, 16, "Statement[0]", "neither Action nor NotAction"},
	{`{"Statement": [{"Effect": "Allow", "Action": 3}]}`, CodeInvalidPolicy, 1, 46, "Statement[0].Action", "string or an array"},
	{`{"Statement": [{"Effect": "Allow", "Action": ["s3:*", {}]}]}`, CodeInvalidPolicy, 1, 55, "Statement[0].Action[1]", "must be a string, not object"},
	{`{"Statement": [{"Effect": "Allow", "NotAction": ["s3:", "s3:*"]}]}`, CodeInvalidPolicy, 1, 50, "Statement[0].NotAction[0]", "empty action name"},
	{`{"Statement": [{"Effect": "Deny", "Action": "s3 :Get"}]}`, CodeInvalidPolicy, 1, 45, "Statement[0].Action", "service prefix"},
	{`{"Statement": [{"Effect": "Allow", "Action": "s3:Get Object"}]}`, CodeInvalidPolicy, 1, 46, "Statement[0].Action", "action name"},
	// Statement as one object: paths say Statement, not Statement[0].
	{`{"Statement": {"Effect": "Allow", "Action": "s3"}}`, CodeInvalidPolicy, 1, 45, "Statement.Action", "not service:action"},
	{`{"Statement": {"Action": "s3:*"}}`, CodeInvalidPolicy, 1, 15, "Statement", "no Effect"},
	// Duplicate keys are refused where they change the meaning, at the second key.
	{`{"Statement": [], "Version": "2012-10-17", "Statement": []}`, CodeInvalidPolicy, 1, 44, "Statement", "appears twice"},
	{"{\"Statement\": [{\"Effect\": \"Allow\",\n  \"Action\": \"s3:*\",\n  \"Action\": \"iam:*\"}]}", CodeInvalidPolicy, 3, 3, "Statement[0].Action", "appears twice"},
	{`{"Statement": {"Effect": "Allow", "Effect": "Deny", "Action": "s3:*"}}`, CodeInvalidPolicy, 1, 35, "Statement.Effect", "appears twice"},
	// Syntax errors come from the JSON parser, placed in the policy.
	{"{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": [\"s3:*\",]}\n  ]\n}", CodeInvalidJSON, 3, 43, "Statement[0].Action[1]", "want a value"},
	{"{\"Statement\": []", CodeInvalidJSON, 1, 17, "", "end of input"},
}

func TestParsePolicyErrors(t *testing.T) {
	for _, tt := range parsePolicyErrorTests {
		_, err := parsePolicy([]byte(tt.in))
		if err == nil {
			t.Errorf("parsePolicy(%s) succeeded, want an error", tt.in)
			continue
		}
		if err.Code != tt.code || err.Field != "policy" || err.Line != tt.line || err.Column != tt.col ||
			err.Path != tt.path || !strings.Contains(err.Message, tt.msg) {
			t.Errorf("parsePolicy(%s) error = %s %s %d:%d path %q %q,\n\twant %s policy %d:%d path %q containing %q",
				tt.in, err.Code, err.Field, err.Line, err.Column, err.Path, err.Message, tt.code, tt.line, tt.col, tt.path, tt.msg)
		}
		if tt.path != "" && !strings.HasPrefix(err.Message, tt.path+": ") {
			t.Errorf("parsePolicy(%s) message %q does not start with its path", tt.in, err.Message)
		}
	}
}

// policySummary writes the statements of p compactly: effect, key, array form
// and the patterns with their paths.
func policySummary(p *Policy) string {
	var b strings.Builder
	if p.StatementArray {
		b.WriteString("array")
	} else {
		b.WriteString("object")
	}
	for _, s := range p.Statements {
		b.WriteString(" | ")
		b.WriteString(s.Effect + " " + s.Key)
		if s.Array {
			b.WriteString("[]")
		}
		for _, pat := range s.Patterns {
			b.WriteString(" " + pat.Text + "@" + pat.Path)
		}
	}
	return b.String()
}

var parsePolicyTests = []struct {
	in   string
	want string
}{
	{`{"Version": "2012-10-17", "Statement": [
  {"Sid": "A", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"},
  {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
  {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "NotResource": "arn:aws:s3:::x"}
]}`, "array | Allow Action[] s3:Get*@Statement[0].Action[0] s3:List*@Statement[0].Action[1]" +
		" | Deny Action iam:*@Statement[1].Action" +
		" | Allow NotAction[] iam:*@Statement[2].NotAction[0] organizations:*@Statement[2].NotAction[1]"},
	{`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`, "object | Allow Action *@Statement.Action"},
	{`{"Statement": []}`, "array"},
	{`{"Statement": [{"Effect": "Allow", "Action": []}]}`, "array | Allow Action[]"},
	{`{"Id": "x", "Statement": [{"Effect": "Allow", "Action": "IAM:listroles", "Principal": {"AWS": "*"}, "Custom": [1, {"k": null}]}]}`,
		"array | Allow Action IAM:listroles@Statement[0].Action"},
	// Duplicate keys deeper down (a Condition block) are the user's business.
	{`{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Condition": {"Bool": {}, "Bool": {}}}]}`, "array | Allow Action s3:*@Statement[0].Action"},
}

func TestParsePolicy(t *testing.T) {
	for _, tt := range parsePolicyTests {
		p, err := parsePolicy([]byte(tt.in))
		if err != nil {
			t.Errorf("parsePolicy(%s) = %v", tt.in, err)
			continue
		}
		if got := policySummary(p); got != tt.want {
			t.Errorf("parsePolicy(%s) =\n\t%s\nwant\n\t%s", tt.in, got, tt.want)
		}
		// The document is kept as written: keys, order, unknown keys, forms.
		compact := AppendJSON(nil, p.Doc, "")
		v, _ := ParseJSON([]byte(tt.in))
		if want := AppendJSON(nil, v, ""); string(compact) != string(want) {
			t.Errorf("parsePolicy(%s).Doc = %s, want the document as written %s", tt.in, compact, want)
		}
		for i, s := range p.Statements {
			if s.Index != i {
				t.Errorf("parsePolicy(%s): statement %d has Index %d", tt.in, i, s.Index)
			}
			for _, pat := range s.Patterns {
				if !strings.HasPrefix(tt.in[pat.Off:], `"`+pat.Text+`"`) {
					t.Errorf("parsePolicy(%s): pattern %q has offset %d (%.20q)", tt.in, pat.Text, pat.Off, tt.in[pat.Off:])
				}
			}
		}
	}
}

// TestParsePolicyColumnsInCharacters places an error after non-ASCII text.
func TestParsePolicyColumnsInCharacters(t *testing.T) {
	in := `{"Statement": [{"Sid": "Zugriff für Prüfer 日本", "Effect": "Allow", "Action": "s3"}]}`
	_, err := parsePolicy([]byte(in))
	if err == nil {
		t.Fatal("parsePolicy accepted s3")
	}
	wantCol := len([]rune(in[:strings.Index(in, `"s3"`)])) + 1
	if err.Line != 1 || err.Column != wantCol || err.Path != "Statement[0].Action" {
		t.Errorf("parsePolicy(%s) error at %d:%d %q, want 1:%d Statement[0].Action", in, err.Line, err.Column, err.Path, wantCol)
	}
}
