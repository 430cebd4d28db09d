package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// findingsSummary writes findings compactly for comparison: actions with their
// paths, then whole services.
func findingsSummary(f *Findings) string {
	var parts []string
	for _, a := range f.Actions {
		parts = append(parts, a.Name+"@"+a.Path)
	}
	for _, s := range f.Services {
		parts = append(parts, "service "+s.Name+"@"+s.Path)
	}
	return strings.Join(parts, " ")
}

var parseFindingsTests = []struct {
	name string
	in   string
	want string
}{
	{"article form", `[
  {"serviceNamespace": "lambda", "actions": ["UpdateFunctionCode", "AddPermission"]},
  {"serviceNamespace": "s3", "actions": ["GetBucketAcl"]}
]`, "lambda:UpdateFunctionCode@[0].actions[0] lambda:AddPermission@[0].actions[1] s3:GetBucketAcl@[1].actions[0]"},
	{"article form, names with their service", `[{"serviceNamespace": "s3", "actions": ["s3:GetBucketAcl", "S3:GetObject"]}]`,
		"s3:GetBucketAcl@[0].actions[0] s3:GetObject@[0].actions[1]"},
	{"service namespace in upper case", `[{"serviceNamespace": "S3", "actions": ["GetBucketAcl"]}]`,
		"s3:GetBucketAcl@[0].actions[0]"},
	{"get-finding-v2", `{
  "analyzedAt": "2024-08-31T10:00:00Z",
  "findingType": "UnusedPermission",
  "id": "abc",
  "resource": "arn:aws:iam::123456789012:role/MyRole",
  "status": "ACTIVE",
  "findingDetails": [
    {"unusedPermissionDetails": {"serviceNamespace": "s3",
      "actions": [{"action": "s3:GetBucketAcl", "lastAccessed": "2024-01-01T00:00:00Z"}, {"action": "GetObject"}],
      "lastAccessed": "2024-01-01T00:00:00Z"}},
    {"unusedPermissionDetails": {"serviceNamespace": "dynamodb"}},
    {"unusedIamRoleDetails": {"lastAccessed": "2024-01-01T00:00:00Z"}}
  ]
}`, "s3:GetBucketAcl@findingDetails[0].unusedPermissionDetails.actions[0].action " +
		"s3:GetObject@findingDetails[0].unusedPermissionDetails.actions[1].action " +
		"service dynamodb@findingDetails[1].unusedPermissionDetails.serviceNamespace"},
	{"array of get-finding-v2", `[
  {"findingDetails": [{"unusedPermissionDetails": {"serviceNamespace": "lambda", "actions": [{"action": "lambda:AddPermission"}]}}]},
  {"findingDetails": [{"unusedPermissionDetails": {"serviceNamespace": "s3", "actions": [{"action": "GetObject"}]}}]}
]`, "lambda:AddPermission@[0].findingDetails[0].unusedPermissionDetails.actions[0].action " +
		"s3:GetObject@[1].findingDetails[0].unusedPermissionDetails.actions[0].action"},
	{"one unusedPermissionDetails", `{"unusedPermissionDetails": {"serviceNamespace": "s3", "actions": [{"action": "s3:PutObject"}]}}`,
		"s3:PutObject@unusedPermissionDetails.actions[0].action"},
	{"flat array", `["s3:GetBucketAcl", "lambda:AddPermission", "IAM:PassRole"]`,
		"s3:GetBucketAcl@[0] lambda:AddPermission@[1] iam:PassRole@[2]"},
	{"whole services", `[{"serviceNamespace": "dynamodb"}, {"serviceNamespace": "SQS", "actions": null}]`,
		"service dynamodb@[0].serviceNamespace service sqs@[1].serviceNamespace"},
	{"mixed forms", `["s3:GetObject", {"serviceNamespace": "ec2", "actions": ["RunInstances"]}]`,
		"s3:GetObject@[0] ec2:RunInstances@[1].actions[0]"},
	{"nothing unused", `[]`, ""},
	{"no finding details", `{"findingDetails": []}`, ""},
	{"unknown action still counts", `["s3:NotYetInvented"]`, "s3:NotYetInvented@[0]"},
	{"service with digits and dashes", `["s3-outposts:GetObject", "execute-api:Invoke"]`,
		"s3-outposts:GetObject@[0] execute-api:Invoke@[1]"},
}

func TestParseFindings(t *testing.T) {
	for _, tt := range parseFindingsTests {
		f, err := parseFindings([]byte(tt.in))
		if err != nil {
			t.Errorf("%s: parseFindings(%s) = %v", tt.name, tt.in, err)
			continue
		}
		if got := findingsSummary(f); got != tt.want {
			t.Errorf("%s: parseFindings(%s) =\n\t%s\nwant\n\t%s", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestParseFindingsArticle reads the article's findings file: 8 lambda actions
// and the s3 ones, all with their service.
func TestParseFindingsArticle(t *testing.T) {
	f, err := parseFindings(mustRead(t, "testdata/article/findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	lambda := 0
	for _, a := range f.Actions {
		svc, name, ok := strings.Cut(a.Name, ":")
		if !ok || name == "" || svc != "lambda" && svc != "s3" {
			t.Errorf("unexpected action %q at %s", a.Name, a.Path)
		}
		if svc == "lambda" {
			lambda++
		}
	}
	if lambda != 8 || len(f.Services) != 0 {
		t.Errorf("article findings: %d lambda actions, %d services, want 8 and 0", lambda, len(f.Services))
	}
}

var parseFindingsErrorTests = []struct {
	in        string
	code      string
	line, col int
	path      string
	msg       string // substring
}{
	{`42`, CodeInvalidFindings, 1, 1, "", "array or an object"},
	{`"s3:GetObject"`, CodeInvalidFindings, 1, 1, "", "array or an object"},
	{`{"findingDetails": {}}`, CodeInvalidFindings, 1, 20, "findingDetails", "must be an array"},
	{`{"findingDetails": [42]}`, CodeInvalidFindings, 1, 21, "findingDetails[0]", "must be an object"},
	{`[{"serviceNamespace": "s3", "actions": "GetObject"}]`, CodeInvalidFindings, 1, 40, "[0].actions", "must be an array"},
	{`[{"serviceNamespace": "s3", "actions": ["GetObject", 42]}]`, CodeInvalidFindings, 1, 54, "[0].actions[1]", "not number 42"},
	{`[{"serviceNamespace": "s3", "actions": [{"lastAccessed": "x"}]}]`, CodeInvalidFindings, 1, 41, "[0].actions[0]", `needs "action"`},
	{`[{"serviceNamespace": "s3", "actions": [{"action": 7}]}]`, CodeInvalidFindings, 1, 52, "[0].actions[0].action", "not number 7"},
	{`[{"serviceNamespace": "s3", "actions": ["lambda:AddPermission"]}]`, CodeInvalidFindings, 1, 41, "[0].actions[0]", `not an action of service "s3"`},
	{`[{"serviceNamespace": "s3", "actions": ["Get*"]}]`, CodeInvalidFindings, 1, 41, "[0].actions[0]", "not an action name"},
	{`[{"serviceNamespace": "s3", "actions": ["Get Object"]}]`, CodeInvalidFindings, 1, 41, "[0].actions[0]", "not an action name"},
	{`[{"serviceNamespace": "s3", "actions": [""]}]`, CodeInvalidFindings, 1, 41, "[0].actions[0]", "not an action name"},
	{`[{"serviceNamespace": 3}]`, CodeInvalidFindings, 1, 23, "[0].serviceNamespace", "service prefix"},
	{`[{"serviceNamespace": "s 3", "actions": ["x"]}]`, CodeInvalidFindings, 1, 23, "[0].serviceNamespace", "service prefix"},
	{`[{"serviceNamespace": ""}]`, CodeInvalidFindings, 1, 23, "[0].serviceNamespace", "service prefix"},
	{`[{"actions": ["GetObject"]}]`, CodeInvalidFindings, 1, 2, "[0]", "needs serviceNamespace"},
	{`{"unusedPermissionDetails": []}`, CodeInvalidFindings, 1, 29, "unusedPermissionDetails", "must be an object"},
	{`{"findingDetails": [{"unusedPermissionDetails": {"actions": []}}]}`, CodeInvalidFindings, 1, 49,
		"findingDetails[0].unusedPermissionDetails", "serviceNamespace is missing"},
	// The flat form: a name without its service, a wildcard, a number.
	{`["s3:GetObject", "s3GetObject"]`, CodeInvalidFindings, 1, 18, "[1]", `"s3GetObject" is not service:action`},
	{"[\n  \"s3:GetObject\",\n  \"s3GetObject\"\n]", CodeInvalidFindings, 3, 3, "[1]", "not service:action"},
	{`["s3:*"]`, CodeInvalidFindings, 1, 2, "[0]", "not an action name"},
	{"[\"s3:Get\u007f\"]", CodeInvalidFindings, 1, 2, "[0]", "not an action name"}, // found by FuzzParse
	{`["s3:"]`, CodeInvalidFindings, 1, 2, "[0]", "not an action name"},
	{`[":GetObject"]`, CodeInvalidFindings, 1, 2, "[0]", "not an action name"},
	{`["s3:Get:Object"]`, CodeInvalidFindings, 1, 2, "[0]", "not an action name"},
	{`[1]`, CodeInvalidFindings, 1, 2, "[0]", "not number 1"},
	{`[null]`, CodeInvalidFindings, 1, 2, "[0]", "not null"},
	// Not JSON at all: the JSON error, placed in the findings.
	{"[\n  \"s3:GetObject\"\n  \"s3:PutObject\"\n]", CodeInvalidJSON, 3, 3, "", "want ',' or ']'"},
	{`[{"serviceNamespace": "s3", "actions": ["GetObject",]}]`, CodeInvalidJSON, 1, 53, "[0].actions[1]", "want a value"},
}

func TestParseFindingsErrors(t *testing.T) {
	for _, tt := range parseFindingsErrorTests {
		f, err := parseFindings([]byte(tt.in))
		if err == nil {
			t.Errorf("parseFindings(%s) = %s, want an error", tt.in, findingsSummary(f))
			continue
		}
		if err.Code != tt.code || err.Field != "findings" || err.Line != tt.line || err.Column != tt.col ||
			err.Path != tt.path || !strings.Contains(err.Message, tt.msg) {
			t.Errorf("parseFindings(%s) error = %s %s %d:%d path %q %q,\n\twant %s findings %d:%d path %q containing %q",
				tt.in, err.Code, err.Field, err.Line, err.Column, err.Path, err.Message, tt.code, tt.line, tt.col, tt.path, tt.msg)
		}
		if tt.path != "" && !strings.HasPrefix(err.Message, tt.path+": ") {
			t.Errorf("parseFindings(%s) message %q does not start with its path", tt.in, err.Message)
		}
		if want := fmt.Sprintf("findings: %d:%d: ", tt.line, tt.col); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("parseFindings(%s) Error() = %q, want it to start with %q", tt.in, err.Error(), want)
		}
	}
}

// TestParseFindingsNames checks that every parsed action is "service:Name" with
// a lower-case service and a name that is a valid, wildcard-free pattern.
func TestParseFindingsNames(t *testing.T) {
	for _, tt := range parseFindingsTests {
		f, err := parseFindings([]byte(tt.in))
		if err != nil {
			continue
		}
		for _, a := range f.Actions {
			checkUnusedActionName(t, a.Name)
		}
		for _, s := range f.Services {
			if s.Name != strings.ToLower(s.Name) || s.Name == "" {
				t.Errorf("service %q is not lower case", s.Name)
			}
		}
	}
}

func checkUnusedActionName(t testing.TB, name string) {
	t.Helper()
	svc, rest, _ := strings.Cut(name, ":")
	if why := validatePattern(name); why != "" || hasWildcard(name) || svc != strings.ToLower(svc) || rest == "" {
		t.Errorf("unused action %q is not a lower-case service and a name (%s)", name, why)
	}
	if slices.Contains([]string{"", "*"}, name) {
		t.Errorf("unused action %q", name)
	}
}
