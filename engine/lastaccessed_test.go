package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// report builds a last-accessed report page completed at 2026-11-30T10:00:00Z
// (so the default window starts at 2026-09-01T10:00:00Z) listing services.
func reportPage(jobType string, services ...string) string {
	return `{"JobStatus": "COMPLETED", "JobType": "` + jobType + `", "JobCreationDate": "2026-11-30T09:58:00+00:00",
 "JobCompletionDate": "2026-11-30T10:00:00+00:00", "IsTruncated": false,
 "ServicesLastAccessed": [` + strings.Join(services, ",\n  ") + `]}`
}

// svcUsed is a ServiceLastAccessed entry authenticated at t ("" for never),
// with tracked actions.
func svcUsed(ns, t string, tracked ...string) string {
	s := `{"ServiceName": "x", "ServiceNamespace": "` + ns + `"`
	if t != "" {
		s += `, "LastAuthenticated": "` + t + `"`
	}
	if tracked != nil {
		s += `, "TrackedActionsLastAccessed": [` + strings.Join(tracked, ", ") + `]`
	}
	return s + `}`
}

// tracked is a TrackedActionLastAccessed entry accessed at t ("" for never).
func tracked(name, t string) string {
	if t == "" {
		return `{"ActionName": "` + name + `"}`
	}
	return `{"ActionName": "` + name + `", "LastAccessedTime": "` + t + `", "LastAccessedRegion": "us-east-1"}`
}

const (
	windowStart = "2026-09-01T10:00:00+00:00" // 90 days before the completion date
	justBefore  = "2026-09-01T09:59:59+00:00"
	completion  = "2026-11-30T10:00:00+00:00"
	recent      = "2026-11-20T08:00:00+00:00"
)

// TestLastAccessedRules: one row per rule of reading an IAM last-accessed
// report (refinement-contract.md, findings form 4).
func TestLastAccessedRules(t *testing.T) {
	tests := []struct {
		name string
		age  int
		in   string
		want string // findingsSummary
	}{
		{"a service never authenticated is unused as a whole", 90,
			reportPage("SERVICE_LEVEL", svcUsed("s3", recent), svcUsed("dynamodb", "")),
			"service dynamodb@ServicesLastAccessed[1].ServiceNamespace"},
		{"authenticated exactly at the window's start: used", 90,
			reportPage("SERVICE_LEVEL", svcUsed("s3", windowStart)), ""},
		{"authenticated one second before the window: unused", 90,
			reportPage("SERVICE_LEVEL", svcUsed("s3", justBefore)), "service s3@ServicesLastAccessed[0].ServiceNamespace"},
		{"authenticated at the window's end, or after it: used", 90,
			reportPage("SERVICE_LEVEL", svcUsed("s3", completion), svcUsed("sqs", "2026-12-01T00:00:00Z")), ""},
		{"a shorter window: 30 days", 30,
			reportPage("SERVICE_LEVEL", svcUsed("s3", "2026-10-31T10:00:00+00:00"), svcUsed("sqs", "2026-10-31T09:59:59+00:00")),
			"service sqs@ServicesLastAccessed[1].ServiceNamespace"},
		{"the longest window: 365 days", 365,
			reportPage("SERVICE_LEVEL", svcUsed("s3", "2025-11-30T10:00:00+00:00"), svcUsed("sqs", "2025-11-30T09:59:59+00:00")),
			"service sqs@ServicesLastAccessed[1].ServiceNamespace"},
		{"a tracked action not accessed in the window is unused; an accessed one is not", 90,
			reportPage("ACTION_LEVEL", svcUsed("s3", recent,
				tracked("CreateBucket", ""), tracked("ListAllMyBuckets", recent), tracked("DeleteBucket", justBefore), tracked("PutBucketPolicy", windowStart))),
			"s3:CreateBucket@ServicesLastAccessed[0].TrackedActionsLastAccessed[0].ActionName " +
				"s3:DeleteBucket@ServicesLastAccessed[0].TrackedActionsLastAccessed[2].ActionName"},
		{"untracked actions are never unused: nothing names them", 90,
			reportPage("ACTION_LEVEL", svcUsed("s3", recent, tracked("ListAllMyBuckets", recent))), ""},
		{"an unused service's tracked actions go with it, as a whole", 90,
			reportPage("ACTION_LEVEL", svcUsed("ec2", justBefore, tracked("RunInstances", justBefore))),
			"service ec2@ServicesLastAccessed[0].ServiceNamespace"},
		{"a tracked action used in the window uses its service, whatever LastAuthenticated says", 90,
			reportPage("ACTION_LEVEL", svcUsed("ec2", "", tracked("RunInstances", recent), tracked("StopInstances", ""))),
			"ec2:StopInstances@ServicesLastAccessed[0].TrackedActionsLastAccessed[1].ActionName"},
		{"a service-level report yields whole services only", 90,
			reportPage("SERVICE_LEVEL", svcUsed("s3", recent, tracked("CreateBucket", ""))), ""},
		{"JobType missing: a service-level report", 90,
			`{"JobStatus": "COMPLETED", "JobCompletionDate": "` + completion + `", "ServicesLastAccessed": [` +
				svcUsed("s3", recent, tracked("CreateBucket", "")) + `, ` + svcUsed("sqs", "") + `]}`,
			"service sqs@ServicesLastAccessed[1].ServiceNamespace"},
		{"action names with the prefix, in any case", 90,
			reportPage("ACTION_LEVEL", svcUsed("S3", recent, tracked("s3:CreateBucket", ""), tracked("S3:deletebucket", ""), tracked("putbucketpolicy", ""))),
			"s3:CreateBucket@ServicesLastAccessed[0].TrackedActionsLastAccessed[0].ActionName " +
				"s3:deletebucket@ServicesLastAccessed[0].TrackedActionsLastAccessed[1].ActionName " +
				"s3:putbucketpolicy@ServicesLastAccessed[0].TrackedActionsLastAccessed[2].ActionName"},
		{"a service the catalog does not know still counts", 90,
			reportPage("SERVICE_LEVEL", svcUsed("iot1click", "")), "service iot1click@ServicesLastAccessed[0].ServiceNamespace"},
		{"times as the CLI, an SDK or a person writes them", 90,
			reportPage("SERVICE_LEVEL", svcUsed("s3", "2026-09-01 10:00:00.000000+00:00"), svcUsed("sqs", "2026-09-01T09:59:59.999Z"),
				svcUsed("sns", "2026-09-01T12:00:00+02:00"), svcUsed("ec2", "2026-09-01T10:00:00")),
			"service sqs@ServicesLastAccessed[1].ServiceNamespace"},
		{"epoch seconds", 90,
			strings.Replace(reportPage("SERVICE_LEVEL", `{"ServiceNamespace": "s3", "LastAuthenticated": 1788256800}`,
				`{"ServiceNamespace": "sqs", "LastAuthenticated": 1788256799.5}`), `"`+completion+`"`, "1796032800", 1),
			"service sqs@ServicesLastAccessed[1].ServiceNamespace"},
		{"pages pasted as an array are one report", 90,
			`[` + strings.Replace(reportPage("ACTION_LEVEL", svcUsed("s3", recent, tracked("CreateBucket", ""))), `"IsTruncated": false`, `"IsTruncated": true, "Marker": "abc"`, 1) +
				`, ` + reportPage("ACTION_LEVEL", svcUsed("sqs", "")) + `]`,
			"s3:CreateBucket@[0].ServicesLastAccessed[0].TrackedActionsLastAccessed[0].ActionName service sqs@[1].ServicesLastAccessed[0].ServiceNamespace"},
		{"a service on two pages: used if either says so, each action too", 90,
			`[` + reportPage("ACTION_LEVEL", svcUsed("s3", "", tracked("CreateBucket", ""), tracked("DeleteBucket", ""))) +
				`, ` + reportPage("ACTION_LEVEL", svcUsed("s3", recent, tracked("CreateBucket", recent), tracked("DeleteBucket", ""))) + `]`,
			"s3:DeleteBucket@[0].ServicesLastAccessed[0].TrackedActionsLastAccessed[1].ActionName"},
		{"nothing unused", 90, reportPage("ACTION_LEVEL", svcUsed("s3", recent)), ""},
	}
	for _, tt := range tests {
		v, perr := ParseJSON([]byte(tt.in))
		if perr != nil {
			t.Fatalf("%s: the test's report is not JSON: %v", tt.name, perr)
		}
		f, err := findingsFromValue(v, tt.age)
		if err != nil {
			t.Errorf("%s: findingsFromValue(age %d) = %v", tt.name, tt.age, err.Locate([]byte(tt.in)))
			continue
		}
		if got := findingsSummary(f); got != tt.want {
			t.Errorf("%s:\n got  %s\n want %s", tt.name, got, tt.want)
		}
		if f.Form != FormLastAccessed || f.report == nil {
			t.Errorf("%s: form %q, want %q", tt.name, f.Form, FormLastAccessed)
		}
	}
}

// TestLastAccessedErrors: a report that is not done, truncated, or not of the
// report's shape is refused at its place.
func TestLastAccessedErrors(t *testing.T) {
	page := reportPage("ACTION_LEVEL", svcUsed("s3", recent, tracked("CreateBucket", "")))
	tests := []struct {
		name, in string
		path     string
		line     int
		msg      string // part of the message
	}{
		{"in progress", strings.Replace(page, `"COMPLETED"`, `"IN_PROGRESS"`, 1), "JobStatus", 1,
			"the report is IN_PROGRESS, not COMPLETED: run aws iam get-service-last-accessed-details"},
		{"failed, with its reason", strings.Replace(page, `"COMPLETED"`, `"FAILED", "Error": {"Message": "throttled", "Code": "x"}`, 1), "JobStatus", 1,
			"the report is FAILED (throttled)"},
		{"the last page truncated", strings.Replace(page, `"IsTruncated": false`, `"IsTruncated": true, "Marker": "m"`, 1), "IsTruncated", 2,
			"fetch the next page with --marker"},
		{"no completion date", strings.Replace(page, `"JobCompletionDate": "`+completion+`",`, ``, 1), "", 1, "JobCompletionDate is missing"},
		{"a bad completion date", strings.Replace(page, completion, "last tuesday", 1), "JobCompletionDate", 2, `not string "last tuesday"`},
		{"a bad time of access", strings.Replace(page, recent, "2026-13-01", 1), "ServicesLastAccessed[0].LastAuthenticated", 3, "want a date and time"},
		{"an unknown job type", strings.Replace(page, `"ACTION_LEVEL"`, `"ROLE_LEVEL"`, 1), "JobType", 1, `want "SERVICE_LEVEL" or "ACTION_LEVEL"`},
		{"no ServiceNamespace", reportPage("SERVICE_LEVEL", `{"ServiceName": "S3"}`), "ServicesLastAccessed[0]", 3, "ServiceNamespace is missing"},
		{"ServicesLastAccessed not a list", `{"JobStatus": "COMPLETED", "JobCompletionDate": "` + completion + `", "ServicesLastAccessed": {}}`,
			"ServicesLastAccessed", 1, "must be an array"},
		{"an action of another service", reportPage("ACTION_LEVEL", svcUsed("s3", recent, tracked("ec2:RunInstances", ""))),
			"ServicesLastAccessed[0].TrackedActionsLastAccessed[0].ActionName", 3, `"ec2:RunInstances" is not an action of service "s3"`},
		{"a wildcard action name", reportPage("ACTION_LEVEL", svcUsed("s3", recent, tracked("Get*", ""))),
			"ServicesLastAccessed[0].TrackedActionsLastAccessed[0].ActionName", 3, "is not an action name"},
		{"no ActionName", reportPage("ACTION_LEVEL", svcUsed("s3", recent, `{"LastAccessedTime": "`+recent+`"}`)),
			"ServicesLastAccessed[0].TrackedActionsLastAccessed[0]", 3, "ActionName is missing"},
		{"a report mixed with other findings", `["s3:GetObject", ` + page + `]`, "[1]", 1, "cannot be mixed"},
		{"pages of two reports", `[` + page + `, ` + strings.Replace(page, "ACTION_LEVEL", "SERVICE_LEVEL", 1) + `]`, "[1]", 3,
			"this page comes from another report"},
		{"a page that is not a report", `[` + page + `, {"findingDetails": []}]`, "[1]", 3, "want a page of the last-accessed report"},
	}
	for _, tt := range tests {
		_, err := parseFindings([]byte(tt.in))
		if err == nil {
			t.Errorf("%s: parseFindings accepted %s", tt.name, tt.in)
			continue
		}
		if err.Code != CodeInvalidFindings || err.Field != "findings" || err.Path != tt.path || err.Line != tt.line || !strings.Contains(err.Message, tt.msg) {
			t.Errorf("%s: error %s %q at %q line %d, want %s at %q line %d saying %q", tt.name, err.Code, err.Message, err.Path, err.Line,
				CodeInvalidFindings, tt.path, tt.line, tt.msg)
		}
	}
}

// TestUnusedAccessAgeOption: options.unusedAccessAge is checked, and moves the window.
func TestUnusedAccessAgeOption(t *testing.T) {
	report := reportPage("SERVICE_LEVEL", svcUsed("s3", "2026-10-15T00:00:00Z"))
	body := func(opt string) []byte {
		return []byte(`{"policy": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}},
 "findings": ` + report + `, "options": ` + opt + `}`)
	}
	for _, tt := range []struct {
		opt, action, errMsg string
	}{
		{`{}`, ActionNone, ""},
		{`{"unusedAccessAge": 90}`, ActionNone, ""},
		{`{"unusedAccessAge": 30}`, ActionDetach, ""}, // last used 46 days before completion
		{`{"unusedAccessAge": 0}`, "", "options.unusedAccessAge: want a number of days from 1 to 365, not 0"},
		{`{"unusedAccessAge": 366}`, "", "options.unusedAccessAge: want a number of days from 1 to 365, not 366"},
		{`{"unusedAccessAge": 1.5}`, "", "options.unusedAccessAge: want a whole number of days from 1 to 365, not number 1.5"},
		{`{"unusedAccessAge": "90"}`, "", `options.unusedAccessAge: want a whole number of days from 1 to 365, not string "90"`},
	} {
		req, err := ParseRequest(body(tt.opt))
		if err != nil {
			if err.Message != tt.errMsg || err.Code != CodeInvalidOptions || err.Line == 0 {
				t.Errorf("options %s: error %v (line %d), want %q", tt.opt, err, err.Line, tt.errMsg)
			}
			continue
		}
		if tt.errMsg != "" {
			t.Errorf("options %s accepted, want %q", tt.opt, tt.errMsg)
			continue
		}
		if got := Respond(req).RecommendedAction; got != tt.action {
			t.Errorf("options %s: %s, want %s", tt.opt, got, tt.action)
		}
	}
	if _, err := RequestFromTexts("{}", report, "", Options{UnusedAccessAge: 400}); err == nil || err.Code != CodeInvalidOptions {
		t.Errorf("RequestFromTexts with UnusedAccessAge 400 = %v, want INVALID_OPTIONS", err)
	}
}

// TestReportInfo: the answer says how a report was read, and counts the
// allowed actions kept because the report does not track them, as a brute
// force over the catalog counts them.
func TestReportInfo(t *testing.T) {
	policy := `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*"], "Resource": "*"},
  {"Effect": "Allow", "NotAction": ["lambda:*", "s3:*", "ec2:*", "iam:*", "sqs:*"], "Resource": "*"},
  {"Effect": "Deny", "Action": "ec2:DescribeImages", "Resource": "*"}]}`
	report := reportPage("ACTION_LEVEL",
		svcUsed("s3", recent, tracked("CreateBucket", ""), tracked("ListAllMyBuckets", recent)),
		svcUsed("ec2", recent, tracked("DescribeInstances", recent), tracked("DescribeVolumes", justBefore), tracked("RunInstances", "")),
		svcUsed("sns", recent),
		svcUsed("lambda", ""))
	req, err := RequestFromTexts(policy, report, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	info := Respond(req).Findings
	ri := info.Report
	if info.Form != FormLastAccessed || ri == nil {
		t.Fatalf("findings info %+v, want a report", info)
	}
	if ri.JobType != JobActionLevel || ri.WindowStart != windowStart || ri.WindowEnd != completion || ri.UnusedAccessAge != 90 || ri.Services != 4 {
		t.Errorf("report info %+v", ri)
	}
	if want := []string{"lambda"}; !slices.Equal(ri.UnusedServices, want) {
		t.Errorf("unused services %v, want %v", ri.UnusedServices, want)
	}
	if want := []string{"ec2:DescribeVolumes", "ec2:RunInstances", "s3:CreateBucket"}; !slices.Equal(ri.UnusedActions, want) {
		t.Errorf("unused actions %v, want %v", ri.UnusedActions, want)
	}
	// Brute force: actions of the used services, not tracked, allowed by an
	// Allow statement (Action: some pattern matches; NotAction: none does).
	cat := BuiltinCatalog()
	trackedSet := map[string]bool{"s3:createbucket": true, "s3:listallmybuckets": true,
		"ec2:describeinstances": true, "ec2:describevolumes": true, "ec2:runinstances": true}
	want := 0
	for _, svc := range []string{"s3", "ec2", "sns"} {
		for _, name := range cat.Actions(svc) {
			a := svc + ":" + name
			if trackedSet[strings.ToLower(a)] {
				continue
			}
			allowed := Match("s3:*", a) || Match("ec2:Describe*", a)
			notAction := false
			for _, p := range []string{"lambda:*", "s3:*", "ec2:*", "iam:*", "sqs:*"} {
				notAction = notAction || Match(p, a)
			}
			if allowed || !notAction {
				want++
			}
		}
	}
	if ri.UntrackedKept != want || want == 0 {
		t.Errorf("untrackedKept = %d, want %d", ri.UntrackedKept, want)
	}
	// Other forms say only their form.
	for in, form := range map[string]string{
		`[]`: FormEmpty, `["s3:GetObject"]`: FormActionNames, `[{"serviceNamespace": "s3"}]`: FormAnalyzer,
		`{"findingDetails": []}`: FormFindingV2, `["s3:GetObject", {"serviceNamespace": "s3"}]`: FormMixed,
	} {
		req, err := RequestFromTexts(policy, in, "", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := Respond(req).Findings; got.Form != form || got.Report != nil {
			t.Errorf("findings %s read as %+v, want form %s", in, got, form)
		}
	}
}

// FuzzLastAccessed checks the report reader against a model: random reports
// (services with or without an authentication time, tracked actions with or
// without an access time, each at some day and second around the window's
// start) are read, and what is unused is what the rules say.
func FuzzLastAccessed(f *testing.F) {
	f.Add([]byte{3, 0, 90, 1, 2, 89, 3, 91, 0}, uint8(90), true)
	f.Add([]byte{1, 255, 0}, uint8(1), false)
	f.Add([]byte{2, 10, 4, 1, 1, 200, 0, 2, 1, 0}, uint8(200), true)
	f.Fuzz(func(t *testing.T, data []byte, age uint8, actionLevel bool) {
		days := int(age)%MaxUnusedAccessAge + 1
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		// when turns a byte into a time: 0 is never; else days before completion,
		// around the window's edge (the same day, one second later or earlier).
		when := func(b int) (string, bool) {
			if b == 0 {
				return "", false
			}
			d := b - 1 // days back
			sec := -1 + b%3
			tm, _ := reportTime(strValue(completion))
			tm = tm.AddDate(0, 0, -d).Add(-time.Duration(sec) * time.Second)
			back := d*86400 + sec
			return tm.Format(timeLayout), back <= days*86400
		}
		jt := JobServiceLevel
		if actionLevel {
			jt = JobActionLevel
		}
		var services []string
		var want []string
		for i, n := 0, next()%6; i < n; i++ {
			ns := fmt.Sprintf("svc%d", i)
			st, used := when(next())
			var acts []string
			var unusedActs []string
			for j, m := 0, next()%4; j < m; j++ {
				at, in := when(next())
				name := fmt.Sprintf("Act%d", j)
				acts = append(acts, tracked(name, at))
				used = used || in && actionLevel
				if !in {
					unusedActs = append(unusedActs, ns+":"+name)
				}
			}
			services = append(services, svcUsed(ns, st, acts...))
			switch {
			case !used:
				want = append(want, "service "+ns)
			case actionLevel:
				want = append(want, unusedActs...)
			}
		}
		in := reportPage(jt, services...)
		v, perr := ParseJSON([]byte(in))
		if perr != nil {
			t.Fatalf("bad test report: %v\n%s", perr, in)
		}
		fs, err := findingsFromValue(v, days)
		if err != nil {
			t.Fatalf("%v\n%s", err, in)
		}
		var got []string
		for _, a := range fs.Actions {
			got = append(got, a.Name)
		}
		for _, s := range fs.Services {
			got = append(got, "service "+s.Name)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("window %d days:\n%s\ngot  %v\nwant %v", days, in, got, want)
		}
	})
}

// TestStatementAllows checks the range search of statementAllows against
// Match on every action of a few services, for each kind of pattern.
func TestStatementAllows(t *testing.T) {
	cat := BuiltinCatalog()
	patterns := [][]string{
		{"s3:GetObject"}, {"S3:getobject"}, {"s3:GetObject*"}, {"s3:get*"}, {"s3:Get*Tagging"},
		{"s3:Get?bject"}, {"s3:*"}, {"*"}, {"s*:List*"}, {"*:Describe*"}, {"ec2:Describe*", "s3:Put*"},
		{"s3:NoSuchAction"}, {"s3:"}, {"lambda:*"}, {"nosuchservice:*"}, {"ec2:*Instances"},
	}
	for _, ps := range patterns {
		for _, key := range []string{"Action", "NotAction"} {
			st := &Statement{Effect: "Allow", Key: key}
			for _, p := range ps {
				st.Patterns = append(st.Patterns, PatternRef{Text: p})
			}
			for _, svc := range []string{"s3", "ec2", "sns", "nosuchservice"} {
				names, keys := serviceNames(cat, svc)
				got := make([]bool, names.len())
				statementAllows(st, svc, names, keys, names.len() > 0 && isASCII(keys.text), got)
				for i := range names.len() {
					if want := allowsAction(st, names.at(i)); got[i] != want {
						t.Errorf("%s %q, %s: got %v, want %v", key, ps, names.at(i), got[i], want)
					}
				}
			}
		}
	}
}
