package engine

import (
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file reads the findings form that costs nothing: the IAM last-accessed
// report of `aws iam get-service-last-accessed-details`, read the way Access
// Analyzer reads the same data.
//
//	{"JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL",
//	 "JobCompletionDate": "2026-11-30T10:00:00+00:00",
//	 "ServicesLastAccessed": [
//	   {"ServiceNamespace": "s3", "LastAuthenticated": "2026-11-29T08:00:00+00:00",
//	    "TrackedActionsLastAccessed": [{"ActionName": "CreateBucket"}, ...]},
//	   {"ServiceNamespace": "lambda"}]}
//
// The window is the UnusedAccessAge days that end at JobCompletionDate (never
// the clock: the same report gives the same answer next month). A service not
// authenticated in the window is unused as a whole; in a service used in the
// window, each tracked action not accessed in it is unused. Actions the report
// does not track (data-plane actions such as s3:GetObject, iam:PassRole) are
// never unused. A service-level report only ever yields whole services. Several
// pages of one report, pasted as an array, are read as one.

// Default and bounds of Options.UnusedAccessAge, the days of the window; the
// same as Access Analyzer's unused-access age setting.
const (
	DefaultUnusedAccessAge = 90
	MinUnusedAccessAge     = 1
	MaxUnusedAccessAge     = 365
)

// The forms findings come in ([FindingsInfo.Form]).
const (
	FormAnalyzer     = "access-analyzer"      // [{"serviceNamespace": "s3", "actions": [...]}]
	FormFindingV2    = "get-finding-v2"       // {"findingDetails": [...]} or an array of them
	FormActionNames  = "action-names"         // ["s3:GetBucketAcl", ...]
	FormLastAccessed = "last-accessed-report" // get-service-last-accessed-details, one page or an array of pages
	FormMixed        = "mixed"                // an array mixing the first three forms
	FormEmpty        = "empty"                // [] or a report with no findings details
)

// Job types of a last-accessed report.
const (
	JobServiceLevel = "SERVICE_LEVEL"
	JobActionLevel  = "ACTION_LEVEL"
)

// report is what a last-accessed report says beyond the unused actions: the
// window, and the services used in it with the actions the report tracks, which
// [FindingsInfo] needs to count the allowed actions kept because untracked.
type report struct {
	jobType    string
	start, end time.Time
	age        int
	services   int                        // services the report lists
	used       map[string]map[string]bool // service used in the window → its tracked actions (foldKey of the name)

	// allowedBy memoizes untrackedOf: a principal's answer reads each
	// policy's set twice (its own answer, and the union for the principal).
	mu         sync.Mutex
	allowedBy  map[*Policy][]uint64
	allowedCat *Catalog // the catalog of allowedBy's sets
}

// FindingsInfo says how the findings were read: their form, and for an IAM
// last-accessed report the window and what it found.
type FindingsInfo struct {
	Form   string      `json:"form"` // one of the Form constants
	Report *ReportInfo `json:"report,omitempty"`
}

// ReportInfo is what Whittle read in an IAM last-accessed report.
type ReportInfo struct {
	JobType         string   `json:"jobType"`         // SERVICE_LEVEL or ACTION_LEVEL
	WindowStart     string   `json:"windowStart"`     // JobCompletionDate minus UnusedAccessAge days
	WindowEnd       string   `json:"windowEnd"`       // JobCompletionDate
	UnusedAccessAge int      `json:"unusedAccessAge"` // days
	Services        int      `json:"services"`        // services the report lists
	UnusedServices  []string `json:"unusedServices"`  // not authenticated in the window, sorted
	UnusedActions   []string `json:"unusedActions"`   // tracked, not accessed in the window (of used services), sorted
	// UntrackedKept counts the catalog actions the policy allows, of services used
	// in the window, that stay because the report does not track them.
	UntrackedKept int `json:"untrackedKept"`
}

// timeLayout is how answers write a report's times: as the AWS CLI does.
const timeLayout = "2006-01-02T15:04:05-07:00"

// info describes f for an answer; for a report, UntrackedKept counts what the
// policies allow (each action once, whichever policy allows it).
func (f *Findings) info(cat *Catalog, policies ...*Policy) FindingsInfo {
	if f == nil {
		return FindingsInfo{Form: FormEmpty}
	}
	fi := FindingsInfo{Form: f.Form}
	rep := f.report
	if rep == nil {
		return fi
	}
	ri := &ReportInfo{JobType: rep.jobType, UnusedAccessAge: rep.age, Services: rep.services,
		WindowStart: rep.start.UTC().Format(timeLayout), WindowEnd: rep.end.UTC().Format(timeLayout),
		UnusedServices: []string{}, UnusedActions: []string{}}
	for _, s := range f.Services {
		ri.UnusedServices = append(ri.UnusedServices, s.Name)
	}
	for _, a := range f.Actions {
		name := a.Name
		if canon, ok := cat.lookup(name); ok {
			name = canon
		}
		ri.UnusedActions = append(ri.UnusedActions, name)
	}
	slices.Sort(ri.UnusedServices)
	ri.UnusedServices = slices.Compact(ri.UnusedServices)
	slices.Sort(ri.UnusedActions)
	ri.UnusedActions = slices.Compact(ri.UnusedActions)
	ri.UntrackedKept = rep.untrackedAllowed(cat, policies)
	fi.Report = ri
	return fi
}

// untrackedAllowed counts the catalog actions of services used in the window
// that the report does not track and some Allow statement of the policies allows.
func (rep *report) untrackedAllowed(cat *Catalog, policies []*Policy) int {
	var union []uint64
	for _, p := range policies {
		set := rep.untrackedOf(cat, p)
		if union == nil {
			union = make([]uint64, len(set))
		}
		for i, w := range set {
			union[i] |= w
		}
	}
	n := 0
	for _, w := range union {
		n += bits.OnesCount64(w)
	}
	return n
}

// untrackedOf returns the untracked actions of the used services that policy p
// allows, as a bit set over the catalog actions of those services (in the
// order of their sorted prefixes), made once per policy and catalog.
func (rep *report) untrackedOf(cat *Catalog, p *Policy) []uint64 {
	rep.mu.Lock()
	defer rep.mu.Unlock()
	if set, ok := rep.allowedBy[p]; ok && rep.allowedCat == cat {
		return set
	}
	if rep.allowedCat != cat {
		rep.allowedBy, rep.allowedCat = map[*Policy][]uint64{}, cat
	}
	services := slices.Sorted(maps.Keys(rep.used))
	total := 0
	for _, svc := range services {
		if names := cat.names(svc); names != nil {
			total += names.len()
		}
	}
	set := make([]uint64, (total+63)/64)
	base := 0
	for _, svc := range services {
		names, keys := serviceNames(cat, svc) // "svc:Name" and its key, kept across requests
		n := names.len()
		allowed := make([]bool, n)
		ascii := n > 0 && keys.ascii
		for _, s := range p.Statements {
			if s.Effect == "Allow" {
				statementAllows(s, svc, names, keys, ascii, allowed)
			}
		}
		tracked := rep.used[svc]
		for i := range n {
			if allowed[i] && !tracked[keys.at(i)[len(svc)+1:]] { // the key of Name: svc is lower-case ASCII
				set[(base+i)/64] |= 1 << ((base + i) % 64)
			}
		}
		base += n
	}
	rep.allowedBy[p] = set
	return set
}

// statementAllows marks in allowed the actions of service svc (names, and
// their keys, ascending; ascii when every key is) that statement s allows.
func statementAllows(s *Statement, svc string, names, keys *strtab, ascii bool, allowed []bool) {
	matched := allowed
	if s.Key == "NotAction" {
		matched = make([]bool, len(allowed))
	}
	for _, p := range s.Patterns {
		if ps, ok := serviceOf(p.Text); ok && ps != svc {
			continue // names another service
		}
		matchNames(p.Text, names, keys, ascii, matched)
	}
	if s.Key == "NotAction" {
		for i, m := range matched {
			allowed[i] = allowed[i] || !m
		}
	}
}

// matchNames marks in matched the names that pattern p matches. Only the
// names whose key starts with p's folded literal prefix can match: their
// range is found by binary search (the keys ascend; a service with non-ASCII
// keys, whose catalog order may differ, is searched whole).
func matchNames(p string, names, keys *strtab, ascii bool, matched []bool) {
	lo, hi := 0, names.len()
	if hi == 0 {
		return
	}
	if _, literal := serviceOf(p); literal && ascii {
		lit := foldKey(literalPrefix(p))
		lo, hi = keys.prefixRange(lit, lo, hi)
		if !hasWildcard(p) { // one name, if its key is lit
			if lo < hi && keys.at(lo) == lit {
				matched[lo] = true
			}
			return
		}
		if _, prefix := isPrefixPattern(p); prefix { // every name of the range
			for i := lo; i < hi; i++ {
				matched[i] = true
			}
			return
		}
	}
	m := compileMatch(p)
	for i := lo; i < hi; i++ {
		if !matched[i] && m(names.at(i)) {
			matched[i] = true
		}
	}
}

// isReport reports whether v has the shape of a last-accessed report page.
func isReport(v *Value) bool {
	return v.Kind == KindObject && (v.Get("ServicesLastAccessed") != nil || v.Get("JobStatus") != nil)
}

// reportTime reads a time of a report: ISO 8601 as the CLI prints it (with T or
// a space, with or without fractional seconds and offset), or seconds since
// 1970 as an SDK's JSON may give them.
func reportTime(v *Value) (time.Time, bool) {
	switch v.Kind {
	case KindString:
		s := strings.Replace(strings.TrimSpace(v.Str), " ", "T", 1)
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, true
			}
		}
	case KindNumber:
		f, err := strconv.ParseFloat(v.Str, 64)
		if err == nil && f >= 0 && f < 1e11 {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
		}
	}
	return time.Time{}, false
}

// reports reads the pages of one last-accessed report (paths[i] is where
// pages[i] stands) into r.f. A service listed twice (on two pages) is used
// when either listing says so, and so is each of its tracked actions.
func (r *findingsReader) reports(pages []*Value, paths []string) {
	rep := &report{age: r.age, used: map[string]map[string]bool{}}
	ss := &reportServices{byKey: map[string]*reportService{}}
	for i, page := range pages {
		path := paths[i]
		jt, end, ok := r.reportPage(page, path, i == len(pages)-1)
		if !ok {
			return
		}
		if i == 0 {
			rep.jobType, rep.end = jt, end
			rep.start = end.Add(-time.Duration(r.age) * 24 * time.Hour)
		} else if jt != rep.jobType || !end.Equal(rep.end) {
			r.fail(page, path, "this page comes from another report (JobType %s, JobCompletionDate %s) than the first (%s, %s)",
				jt, end.UTC().Format(timeLayout), rep.jobType, rep.end.UTC().Format(timeLayout))
			return
		}
		if !r.pageServices(page, path, jt, rep.start, ss) {
			return
		}
	}
	rep.services = len(ss.order)
	if r.unusedServices(ss, rep) {
		r.f.report = rep
	}
}

// reportServices are the services of a last-accessed report, by lowercase
// prefix, in the order the pages list them first.
type reportServices struct {
	order []string
	byKey map[string]*reportService
}

type reportService struct {
	ns      *Value // the ServiceNamespace
	path    string
	used    bool
	tracked []trackedAction
}

type trackedAction struct {
	name     *Value // the ActionName
	path     string
	accessed bool // in the window
}

// pageServices reads the services of one page (at path) of a report of job
// type jt into ss: whether each was used in the window that starts at start,
// and, in an action-level report, its tracked actions. ok is false when the
// page is malformed (r.err is set).
func (r *findingsReader) pageServices(page *Value, path, jt string, start time.Time, ss *reportServices) (ok bool) {
	lp := join(path, "ServicesLastAccessed")
	for j, sv := range page.Get("ServicesLastAccessed").Arr {
		sp := lp + "[" + strconv.Itoa(j) + "]"
		if sv.Kind != KindObject {
			r.fail(sv, sp, "must be an object, not %s", sv.describe())
			return false
		}
		ns := sv.Get("ServiceNamespace")
		if ns == nil {
			r.fail(sv, sp, "ServiceNamespace is missing")
			return false
		}
		if ns.Kind != KindString || !validCatalogService(ns.Str) {
			r.fail(ns, join(sp, "ServiceNamespace"), "want a service prefix such as \"s3\", not %s", ns.describe())
			return false
		}
		key := strings.ToLower(ns.Str)
		s := ss.byKey[key]
		if s == nil {
			s = &reportService{ns: ns, path: join(sp, "ServiceNamespace")}
			ss.byKey[key] = s
			ss.order = append(ss.order, key)
		}
		used, ok := r.inWindow(sv, sp, "LastAuthenticated", start)
		if !ok {
			return false
		}
		s.used = s.used || used
		ta := sv.Get("TrackedActionsLastAccessed")
		if ta == nil || ta.Kind == KindNull || jt != JobActionLevel {
			continue // a service-level report yields whole services only
		}
		tp := join(sp, "TrackedActionsLastAccessed")
		if ta.Kind != KindArray {
			r.fail(ta, tp, "must be an array, not %s", ta.describe())
			return false
		}
		for k, a := range ta.Arr {
			ap := tp + "[" + strconv.Itoa(k) + "]"
			if a.Kind != KindObject {
				r.fail(a, ap, "must be an object, not %s", a.describe())
				return false
			}
			name := a.Get("ActionName")
			if name == nil {
				r.fail(a, ap, "ActionName is missing")
				return false
			}
			in, ok := r.inWindow(a, ap, "LastAccessedTime", start)
			if !ok {
				return false
			}
			s.used = s.used || in // an action used in the window uses its service
			s.tracked = append(s.tracked, trackedAction{name, join(ap, "ActionName"), in})
		}
	}
	return true
}

// unusedServices adds to r.f what the services ss of report rep leave
// unused: a service not used in the window, or else the tracked actions of a
// used one not accessed in it; it records each service's tracked actions in
// rep.used. ok is false when an action name is malformed (r.err is set).
func (r *findingsReader) unusedServices(ss *reportServices, rep *report) (ok bool) {
	for _, key := range ss.order {
		s := ss.byKey[key]
		if !s.used {
			r.f.Services = append(r.f.Services, UnusedService{Name: key, Path: s.path})
			continue
		}
		tracked := map[string]bool{} // foldKey of "svc:Name" → accessed in the window
		var names []UnusedAction
		for _, t := range s.tracked {
			before := len(r.f.Actions)
			r.action(t.name, t.path, key)
			if r.err != nil {
				return false
			}
			a := r.f.Actions[before]
			r.f.Actions = r.f.Actions[:before]
			k := foldKey(a.Name)
			if _, dup := tracked[k]; !dup {
				names = append(names, a)
			}
			tracked[k] = tracked[k] || t.accessed
		}
		set := map[string]bool{}
		for _, a := range names {
			k := foldKey(a.Name)
			set[k[len(key)+1:]] = true
			if !tracked[k] {
				r.f.Actions = append(r.f.Actions, a)
			}
		}
		rep.used[key] = set
	}
	return true
}

// reportPage checks the top of one page of a report: done, of a known job
// type, with a completion date, not truncated if it is the last, and with a
// list of services. ok is false when r.err is set.
func (r *findingsReader) reportPage(page *Value, path string, last bool) (jobType string, end time.Time, ok bool) {
	if !isReport(page) {
		r.fail(page, path, "want a page of the last-accessed report like the others, not %s", page.describe())
		return
	}
	st := page.Get("JobStatus")
	if st == nil || st.Kind != KindString {
		r.fail(page, path, "JobStatus is missing: paste the whole output of aws iam get-service-last-accessed-details")
		return
	}
	if st.Str != "COMPLETED" {
		why := ""
		if m := page.Get("Error").Get("Message"); m != nil && m.Kind == KindString {
			why = " (" + m.Str + ")"
		}
		r.fail(st, join(path, "JobStatus"), "the report is %s%s, not COMPLETED: run aws iam get-service-last-accessed-details --job-id … again when it is done, and paste that", st.Str, why)
		return
	}
	jobType = JobServiceLevel
	if v := page.Get("JobType"); v != nil && v.Kind != KindNull {
		if v.Kind != KindString || v.Str != JobServiceLevel && v.Str != JobActionLevel {
			r.fail(v, join(path, "JobType"), "want \"SERVICE_LEVEL\" or \"ACTION_LEVEL\", not %s", v.describe())
			return
		}
		jobType = v.Str
	}
	cd := page.Get("JobCompletionDate")
	if cd == nil || cd.Kind == KindNull {
		r.fail(page, path, "JobCompletionDate is missing: the window of unused access ends there")
		return
	}
	end, good := r.readTime(cd, join(path, "JobCompletionDate"))
	if !good {
		return
	}
	if tr := page.Get("IsTruncated"); last && tr != nil && tr.Kind == KindBool && tr.Str == "true" {
		r.fail(tr, join(path, "IsTruncated"), "the report goes on past this page: fetch the next page with --marker (this page's Marker) and paste all the pages as one array [page1, page2, …]")
		return
	}
	list := page.Get("ServicesLastAccessed")
	if list == nil {
		r.fail(page, path, "ServicesLastAccessed is missing")
		return
	}
	if list.Kind != KindArray {
		r.fail(list, join(path, "ServicesLastAccessed"), "must be an array, not %s", list.describe())
		return
	}
	return jobType, end, true
}

// inWindow reads the optional time v[key] and tells whether it lies in the
// window that starts at start: at or after it (a time after the window's end
// is in it too: the access happened). ok is false when the time is malformed
// (r.err is set).
func (r *findingsReader) inWindow(v *Value, path, key string, start time.Time) (in, ok bool) {
	t := v.Get(key)
	if t == nil || t.Kind == KindNull {
		return false, true
	}
	at, good := r.readTime(t, join(path, key))
	if !good {
		return false, false
	}
	return !at.Before(start), true
}

// readTime reads the report's time v, at path; ok is false when it is malformed
// (r.err is set).
func (r *findingsReader) readTime(v *Value, path string) (t time.Time, ok bool) {
	if t, ok = reportTime(v); !ok {
		r.fail(v, path, "want a date and time such as %q, not %s", "2026-11-30T10:00:00+00:00", v.describe())
	}
	return t, ok
}

// checkAge validates an unused-access age in days.
func checkAge(days int) string {
	if days < MinUnusedAccessAge || days > MaxUnusedAccessAge {
		return fmt.Sprintf("want a number of days from %d to %d, not %d", MinUnusedAccessAge, MaxUnusedAccessAge, days)
	}
	return ""
}
