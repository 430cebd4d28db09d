package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Findings are the unused permissions of a principal, as Access Analyzer reports them.
type Findings struct {
	Actions  []UnusedAction  // unused actions, "service:Name" as given
	Services []UnusedService // services of which nothing is used
	Form     string          // the form they came in: FormAnalyzer, FormLastAccessed, ...

	report *report // what a last-accessed report says besides (nil for other forms)
}

// UnusedAction is one unused action and where the findings named it.
type UnusedAction struct {
	Name string // "s3:GetBucketAcl", service prefix lower-cased, name as given
	Path string
}

// UnusedService is a service all of whose actions are unused.
type UnusedService struct {
	Name string // lower case
	Path string
}

// parseFindings reads findings in any of the forms of the refinement contract,
// detected by shape, item by item:
//
//   - the article's array: [{"serviceNamespace": "s3", "actions": ["GetBucketAcl"]}]
//   - aws accessanalyzer get-finding-v2 output: {"findingDetails": [{"unusedPermissionDetails":
//     {"serviceNamespace": "s3", "actions": [{"action": "s3:GetBucketAcl"}]}}]}, or an array of them
//   - a flat array of action names: ["s3:GetBucketAcl"]
//   - aws iam get-service-last-accessed-details output (one page, or an array of
//     pages), read with a window of [DefaultUnusedAccessAge] days (see lastaccessed.go)
//
// A detail with a serviceNamespace and no actions means the whole service is
// unused. Action names may come with or without the "service:" prefix.
func parseFindings(text []byte) (*Findings, *Error) {
	v, err := ParseJSON(text)
	if err != nil {
		err.Field = "findings"
		return nil, err
	}
	f, err := findingsFromValue(v, DefaultUnusedAccessAge)
	if err != nil {
		return nil, err.Locate(text)
	}
	return f, nil
}

// findingsFromValue reads findings from a parsed value; a last-accessed report
// is read with a window of age days. Errors carry an Offset into the text v was
// parsed from; the caller locates them.
func findingsFromValue(v *Value, age int) (*Findings, *Error) {
	r := &findingsReader{f: &Findings{}, age: age}
	r.top(v)
	if r.err != nil {
		return nil, r.err
	}
	switch {
	case r.f.report != nil:
		r.f.Form = FormLastAccessed
	case len(r.forms) == 1:
		r.f.Form = r.forms[0]
	case len(r.forms) > 1:
		r.f.Form = FormMixed
	default:
		r.f.Form = FormEmpty
	}
	return r.f, nil
}

type findingsReader struct {
	f     *Findings
	err   *Error
	age   int      // days of a last-accessed report's window
	forms []string // the forms seen, each once
}

// form records that an item of the given form was read.
func (r *findingsReader) form(f string) {
	if !slices.Contains(r.forms, f) {
		r.forms = append(r.forms, f)
	}
}

func (r *findingsReader) fail(v *Value, path, format string, args ...any) {
	if r.err != nil {
		return
	}
	r.err = errorAt(CodeInvalidFindings, "findings", path, v.Off, format, args...)
}

// indexed is the path of item i of the array at path ("actions[3]"), without
// fmt: it is made for every item read.
func indexed(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (r *findingsReader) top(v *Value) {
	switch v.Kind {
	case KindArray:
		if len(v.Arr) > 0 && isReport(v.Arr[0]) {
			paths := make([]string, len(v.Arr))
			for i := range paths {
				paths[i] = fmt.Sprintf("[%d]", i)
			}
			r.reports(v.Arr, paths)
			return
		}
		for i, item := range v.Arr {
			r.item(item, fmt.Sprintf("[%d]", i))
		}
	case KindObject:
		if isReport(v) {
			r.reports([]*Value{v}, []string{""})
			return
		}
		r.object(v, "")
	default:
		r.fail(v, "", "findings must be an array or an object, not %s", v.describe())
	}
}

// item reads one element of a top-level array, whatever its form.
func (r *findingsReader) item(v *Value, path string) {
	switch v.Kind {
	case KindString:
		r.form(FormActionNames)
		r.action(v, path, "")
	case KindObject:
		if isReport(v) {
			r.fail(v, path, "a last-accessed report cannot be mixed with other findings: paste its pages alone, as an array")
			return
		}
		r.object(v, path)
	default:
		r.fail(v, path, "want an action name or a finding object, not %s", v.describe())
	}
}

func (r *findingsReader) object(v *Value, path string) {
	switch {
	case v.Get("findingDetails") != nil:
		r.form(FormFindingV2)
		details := v.Get("findingDetails")
		dp := join(path, "findingDetails")
		if details.Kind != KindArray {
			r.fail(details, dp, "must be an array, not %s", details.describe())
			return
		}
		for i, d := range details.Arr {
			ip := indexed(dp, i)
			if d.Kind != KindObject {
				r.fail(d, ip, "must be an object, not %s", d.describe())
				return
			}
			if u := d.Get("unusedPermissionDetails"); u != nil {
				r.detail(u, join(ip, "unusedPermissionDetails"))
			}
			// Other kinds of finding details (unused roles, keys, passwords) say
			// nothing about actions and are passed over.
		}
	case v.Get("unusedPermissionDetails") != nil:
		r.form(FormFindingV2)
		r.detail(v.Get("unusedPermissionDetails"), join(path, "unusedPermissionDetails"))
	case v.Get("serviceNamespace") != nil:
		r.form(FormAnalyzer)
		r.detail(v, path)
	default:
		r.fail(v, path, "a finding needs serviceNamespace, unusedPermissionDetails or findingDetails (or, for an IAM last-accessed report, ServicesLastAccessed)")
	}
}

// detail reads {"serviceNamespace": "s3", "actions": [...]}, where an action is a
// name or {"action": name, ...}.
func (r *findingsReader) detail(v *Value, path string) {
	if v.Kind != KindObject {
		r.fail(v, path, "must be an object, not %s", v.describe())
		return
	}
	ns := v.Get("serviceNamespace")
	nsPath := join(path, "serviceNamespace")
	if ns == nil {
		r.fail(v, path, "serviceNamespace is missing")
		return
	}
	if ns.Kind != KindString || !validCatalogService(ns.Str) {
		r.fail(ns, nsPath, "want a service prefix such as \"s3\", not %s", ns.describe())
		return
	}
	svc := strings.ToLower(ns.Str)
	actions := v.Get("actions")
	ap := join(path, "actions")
	if actions == nil || actions.Kind == KindNull {
		r.f.Services = append(r.f.Services, UnusedService{Name: svc, Path: nsPath})
		return
	}
	if actions.Kind != KindArray {
		r.fail(actions, ap, "must be an array, not %s", actions.describe())
		return
	}
	for i, a := range actions.Arr {
		ip := indexed(ap, i)
		if a.Kind == KindObject {
			name := a.Get("action")
			if name == nil {
				r.fail(a, ip, "an action object needs \"action\"")
				return
			}
			a, ip = name, join(ip, "action")
		}
		r.action(a, ip, svc)
	}
}

// action reads one action name; svc is the namespace it belongs to ("" if none).
func (r *findingsReader) action(v *Value, path, svc string) {
	if v.Kind != KindString {
		r.fail(v, path, "want an action name, not %s", v.describe())
		return
	}
	name := v.Str
	s, n, ok := strings.Cut(name, ":")
	switch {
	case ok && svc != "" && !strings.EqualFold(s, svc):
		r.fail(v, path, "%q is not an action of service %q", name, svc)
		return
	case ok:
		svc = strings.ToLower(s)
		name = n
	case svc == "":
		r.fail(v, path, "%q is not service:action", name)
		return
	}
	if !validCatalogService(svc) || hasWildcard(name) || validatePattern(svc+":"+name) != "" {
		r.fail(v, path, "%q is not an action name", v.Str)
		return
	}
	r.f.Actions = append(r.f.Actions, UnusedAction{Name: svc + ":" + name, Path: path})
}
