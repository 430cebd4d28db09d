package engine

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// fixture2024 is the s3 and lambda lists of AWS as of 2024-08-31, made by
// scripts/update-catalog (see testdata/catalog-2024-08-31.txt).
const fixture2024 = "testdata/catalog-2024-08-31.json"

func readCatalog(t testing.TB, file string) *Catalog {
	t.Helper()
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c, perr := ParseCatalog(text)
	if perr != nil {
		t.Fatalf("ParseCatalog(%s): %v", file, perr)
	}
	return c
}

var lookupTests = []struct {
	in        string
	canonical string // "" when unknown
	level     string
}{
	{"s3:GetObject", "s3:GetObject", AccessRead},
	{"s3:getobject", "s3:GetObject", AccessRead},
	{"S3:GETOBJECT", "s3:GetObject", AccessRead},
	{"IAM:listroles", "iam:ListRoles", AccessList},
	{"iam:listmfadevices", "iam:ListMFADevices", AccessList},
	{"s3:ListBucket", "s3:ListBucket", AccessList},
	{"s3:PutObject", "s3:PutObject", AccessWrite},
	{"s3:putbucketpolicy", "s3:PutBucketPolicy", AccessPermissions},
	{"s3:PutObjectTagging", "s3:PutObjectTagging", AccessTagging}, // "Tagging, Write" in the package
	{"iam:TagRole", "iam:TagRole", AccessTagging},
	{"iam:PutRolePolicy", "iam:PutRolePolicy", AccessPermissions},
	{"s3:listobjectsv2", "", ""}, // ListObjectsV2 is an API, not an action
	{"s3:GetBucketAbac", "s3:GetBucketAbac", AccessRead},
	{"s3:getbucketmetadatatableconfiguration", "s3:GetBucketMetadataTableConfiguration", AccessRead},
	{"S3-Outposts:GetObject", "s3-outposts:GetObject", AccessRead},
	{"cloudsearch:SEARCH", "cloudsearch:search", AccessRead}, // lowercase canonical names exist
	{"aws-marketplace-management:UPLOADFILES", "aws-marketplace-management:uploadFiles", AccessWrite},
	{"lambda:InvokeFunction", "lambda:InvokeFunction", AccessWrite},
	{"s3:NoSuchAction", "", ""},
	{"nosuch:GetObject", "", ""},
	{"s3:GetObject*", "", ""},
	{"s3:GetObject ", "", ""},
	{"s3: GetObject", "", ""},
	{"s3:", "", ""},
	{":GetObject", "", ""},
	{"s3", "", ""},
	{"", "", ""},
	{"s3:GetObject:x", "", ""},
	{"ſ3:GetObject", "", ""}, // service prefixes are ASCII
}

func TestBuiltinLookup(t *testing.T) {
	c := BuiltinCatalog()
	for _, tt := range lookupTests {
		got, ok := c.lookup(tt.in)
		if got != tt.canonical || ok != (tt.canonical != "") {
			t.Errorf("Lookup(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.canonical, tt.canonical != "")
		}
		if level := c.AccessLevel(tt.in); level != tt.level {
			t.Errorf("AccessLevel(%q) = %q, want %q", tt.in, level, tt.level)
		}
	}
}

func TestBuiltinActions(t *testing.T) {
	c := BuiltinCatalog()
	tests := []struct {
		service string
		n       int // 0: unknown
		first   string
	}{
		{"s3", 180, "AbortMultipartUpload"},
		{"S3", 180, "AbortMultipartUpload"},
		{"lambda", 119, "AddLayerVersionPermission"},
		{"s3-outposts", 48, "AbortMultipartUpload"},
		{"nosuch", 0, ""},
		{"", 0, ""},
		{"s3:", 0, ""},
	}
	for _, tt := range tests {
		got := c.Actions(tt.service)
		if len(got) != tt.n || tt.n == 0 && got != nil || tt.n > 0 && got[0] != tt.first {
			t.Errorf("Actions(%q) = %d names starting %q, want %d starting %q", tt.service, len(got), first(got), tt.n, tt.first)
		}
	}
	services := c.Services()
	i, j := slices.Index(services, "s3-outposts"), slices.Index(services, "s3")
	if i < 0 || j < 0 || i > j {
		t.Errorf("Services(): s3-outposts at %d, s3 at %d; want s3-outposts first ('-' < ':')", i, j)
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// TestCatalogNoAllocs: the engine calls these in its inner loops.
func TestCatalogNoAllocs(t *testing.T) {
	c := BuiltinCatalog()
	tests := []struct {
		name string
		f    func()
		max  float64
	}{
		{"names", func() { c.names("S3") }, 0}, // Actions makes a slice for its caller; the engine reads names
		{"Services", func() { c.Services() }, 0},
		{"Lookup canonical", func() { c.lookup("s3:GetObject") }, 0},
		{"Lookup other casing", func() { c.lookup("S3:getobject") }, 1}, // the answer string
		{"Lookup unknown", func() { c.lookup("s3:NoSuchAction") }, 0},
		{"AccessLevel", func() { c.AccessLevel("S3:getobject") }, 0},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n > tt.max {
			t.Errorf("%s: %v allocations a call, want at most %v", tt.name, n, tt.max)
		}
	}
}

// TestCatalogOrder checks the order every catalog keeps, on the built-in one and
// on the 2024 fixture: services by "svc:", names by lowercase then bytes, so the
// concatenated "svc:Name" list is sorted; no two names differ only in case.
func TestCatalogOrder(t *testing.T) {
	for name, c := range map[string]*Catalog{"builtin": BuiltinCatalog(), "2024": readCatalog(t, fixture2024)} {
		var all []string
		for _, svc := range c.Services() {
			if svc != strings.ToLower(svc) || !validCatalogService(svc) {
				t.Errorf("%s: service %q is not a lowercase prefix", name, svc)
			}
			for _, a := range c.Actions(svc) {
				all = append(all, svc+":"+a)
			}
		}
		if !slices.IsSortedFunc(c.Services(), func(a, b string) int { return strings.Compare(a+":", b+":") }) {
			t.Errorf("%s: services are not in the order of \"svc:\"", name)
		}
		for i := 1; i < len(all); i++ {
			if compareActions(all[i-1], all[i]) >= 0 {
				t.Errorf("%s: %q comes before %q", name, all[i-1], all[i])
			}
			if strings.EqualFold(all[i-1], all[i]) {
				t.Errorf("%s: %q and %q differ only in case", name, all[i-1], all[i])
			}
		}
		if info := c.Info(); info.Actions != len(all) || info.Services != len(c.Services()) {
			t.Errorf("%s: Info() counts %d services, %d actions; the lists hold %d, %d",
				name, info.Services, info.Actions, len(c.Services()), len(all))
		}
		for _, a := range all {
			if got, ok := c.lookup(strings.ToUpper(a)); !ok || got != a {
				t.Errorf("%s: Lookup(%q) = %q, %v, want %q, true", name, strings.ToUpper(a), got, ok, a)
			}
		}
	}
}

func TestFixture2024(t *testing.T) {
	c := readCatalog(t, fixture2024)
	want := CatalogInfo{Source: SourceUserCatalog, Services: 2, Actions: 229}
	if got := c.Info(); !infoEqual(got, want) {
		t.Errorf("Info() = %+v, want %+v", got, want)
	}
	if n, m := len(c.Actions("s3")), len(c.Actions("lambda")); n != 159 || m != 70 {
		t.Errorf("s3, lambda: %d, %d actions, want 159, 70", n, m)
	}
	for _, a := range []string{"s3:GetBucketAbac", "s3:GetBucketMetadataTableConfiguration"} {
		if _, ok := c.lookup(a); ok {
			t.Errorf("the 2024 list holds %s, which is newer", a)
		}
	}
}

func infoEqual(a, b CatalogInfo) bool {
	return a.Source == b.Source && a.Version == b.Version && a.Date == b.Date &&
		a.Services == b.Services && a.Actions == b.Actions && slices.Equal(a.Overlay, b.Overlay)
}

func TestOverlay(t *testing.T) {
	base := BuiltinCatalog()
	baseInfo := base.Info()
	s3, lambda := base.Actions("s3"), base.Actions("lambda")
	user := readCatalog(t, fixture2024)

	c := base.Overlay(user)
	want := baseInfo
	want.Actions = baseInfo.Actions - len(s3) - len(lambda) + 159 + 70
	want.Overlay = []string{"lambda", "s3"}
	if got := c.Info(); !infoEqual(got, want) {
		t.Errorf("Overlay(2024).Info() = %+v, want %+v", got, want)
	}
	if !slices.Equal(c.Actions("s3"), user.Actions("s3")) || !slices.Equal(c.Actions("lambda"), user.Actions("lambda")) {
		t.Error("Overlay(2024): s3 and lambda are not the user's lists")
	}
	if !slices.Equal(c.Services(), base.Services()) {
		t.Error("Overlay(2024) changed the list of services")
	}
	if got, ok := c.lookup("s3:GetBucketAbac"); ok {
		t.Errorf("Overlay(2024).lookup(s3:GetBucketAbac) = %q, true; the user's s3 list replaces the built-in one", got)
	}
	if got, ok := c.lookup("EC2:describeinstances"); !ok || got != "ec2:DescribeInstances" {
		t.Errorf("Overlay(2024).lookup(EC2:describeinstances) = %q, %v: other services must come from the base", got, ok)
	}
	// Levels of the base carry over to the overlaid names the base knows.
	for _, tt := range []struct{ action, level string }{
		{"s3:GetObject", AccessRead}, {"lambda:AddPermission", AccessPermissions}, {"ec2:TerminateInstances", AccessWrite},
	} {
		if got := c.AccessLevel(tt.action); got != tt.level {
			t.Errorf("Overlay(2024).AccessLevel(%q) = %q, want %q", tt.action, got, tt.level)
		}
		if got := user.AccessLevel(tt.action); got != "" {
			t.Errorf("user.AccessLevel(%q) = %q, want \"\" (user catalogs have no levels)", tt.action, got)
		}
	}
	// Neither input changed.
	if got := base.Info(); !infoEqual(got, baseInfo) || len(base.Actions("s3")) != len(s3) {
		t.Errorf("Overlay changed the base: %+v", got)
	}
	if got := user.Info(); got.Services != 2 || got.Overlay != nil {
		t.Errorf("Overlay changed the user catalog: %+v", got)
	}

	// A new service is added in order; overlaying again accumulates.
	extra, err := ParseCatalog([]byte(`{"S3-Zeta": ["DoIt"], "aaa": ["B", "a"]}`))
	if err != nil {
		t.Fatal(err)
	}
	c2 := c.Overlay(extra)
	want2 := want
	want2.Services += 2
	want2.Actions += 3
	want2.Overlay = []string{"aaa", "lambda", "s3-zeta", "s3"} // the order of Services
	if got := c2.Info(); !infoEqual(got, want2) {
		t.Errorf("Overlay(2024).Overlay(extra).Info() = %+v, want %+v", got, want2)
	}
	if got := c2.Actions("aaa"); !slices.Equal(got, []string{"a", "B"}) {
		t.Errorf("Actions(aaa) = %q, want [a B]", got)
	}
	if got, _ := c2.lookup("s3-zeta:doit"); got != "s3-zeta:DoIt" {
		t.Errorf("Lookup(s3-zeta:doit) = %q, want s3-zeta:DoIt", got)
	}
	if got := c2.AccessLevel("s3-zeta:DoIt"); got != "" {
		t.Errorf("AccessLevel(s3-zeta:DoIt) = %q, want \"\"", got)
	}
	if !slices.IsSortedFunc(c2.Services(), func(a, b string) int { return strings.Compare(a+":", b+":") }) {
		t.Errorf("Services() after overlay are not in order: %q", c2.Services())
	}
	if base.Overlay(nil) != base {
		t.Error("Overlay(nil) is not the catalog itself")
	}
}

func TestParseCatalog(t *testing.T) {
	tests := []struct {
		in   string
		want map[string][]string
	}{
		{`{}`, map[string][]string{}},
		{`{"s3": ["GetObject"]}`, map[string][]string{"s3": {"GetObject"}}},
		{" \n{\"S3\": [\"getObject\", \"AbortMultipartUpload\"], \"lambda\": [\"b\", \"A\"]}\n",
			map[string][]string{"s3": {"AbortMultipartUpload", "getObject"}, "lambda": {"A", "b"}}},
		{`{"my-svc2": ["Ünïcode", "x-y_z.1"]}`, map[string][]string{"my-svc2": {"x-y_z.1", "Ünïcode"}}},
	}
	for _, tt := range tests {
		c, err := ParseCatalog([]byte(tt.in))
		if err != nil {
			t.Errorf("ParseCatalog(%#q): %v", tt.in, err)
			continue
		}
		got := map[string][]string{}
		for _, svc := range c.Services() {
			got[svc] = c.Actions(svc)
		}
		if !mapsEqual(got, tt.want) {
			t.Errorf("ParseCatalog(%#q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

// parseCatalogErrors: each bad catalog, the place named and what the message says.
var parseCatalogErrors = []struct {
	in           string
	path         string
	line, column int
	msg          string // a part of the message
}{
	{``, "", 1, 1, "empty"},
	{"  \n ", "", 2, 2, "empty"},
	{`nope`, "", 1, 1, "not JSON: unexpected character 'n', want a value"},
	{`[]`, "", 1, 1, "a catalog is an object of string arrays"},
	{`"s3"`, "", 1, 1, `not string "s3"`},
	{`null`, "", 1, 1, "not null"},
	{`{"s3": "GetObject"}`, "s3", 1, 8, `want an array of action names, not string "GetObject"`},
	{`{"s3": {"GetObject": 1}}`, "s3", 1, 8, "want an array of action names, not object"},
	{"{\n  \"s3\": [\"GetObject\", 7]\n}", "s3[1]", 2, 23, "want an action name (a string), not number 7"},
	{`{"s3": [["GetObject"]]}`, "s3[0]", 1, 9, "want an action name (a string), not array"},
	{`{"s3": [null]}`, "s3[0]", 1, 9, "not null"},
	{`{"": ["GetObject"]}`, `[""]`, 1, 2, "empty service name"},
	{`{"s3": []}`, "s3", 1, 8, "empty list of actions"},
	{`{"s 3": ["GetObject"]}`, `["s 3"]`, 1, 2, `service name "s 3" is not letters, digits and '-'`},
	{`{"s3:": ["GetObject"]}`, `["s3:"]`, 1, 2, "is not letters, digits and '-'"},
	{`{"ſ3": ["GetObject"]}`, `["ſ3"]`, 1, 2, "is not letters"},
	{"{\n\t\"s3\": [\"GetObject\"],\n\t\"S3\": [\"PutObject\"]\n}", "S3", 3, 2, `services "s3" and "S3" differ only in case`},
	{`{"s3": ["A"], "s3": ["B"]}`, "s3", 1, 15, `service "s3" is listed twice`},
	{`{"s3": [""]}`, "s3[0]", 1, 9, "empty action name"},
	{`{"s3": ["s3:GetObject"]}`, "s3[0]", 1, 9, `holds ':'`},
	{`{"s3": ["Get*"]}`, "s3[0]", 1, 9, `holds '*'`},
	{`{"s3": ["Get?bject"]}`, "s3[0]", 1, 9, `holds '?'`},
	{`{"s3": ["Get Object"]}`, "s3[0]", 1, 9, "white space"},
	{`{"s3": ["GetObject\t"]}`, "s3[0]", 1, 9, "white space"},
	{`{"s3": ["GetObject\u00a0"]}`, "s3[0]", 1, 9, "white space"},
	{"{\"s3\": [\n  \"GetObject\",\n  \"PutObject\",\n  \"getobject\"\n]}", "s3[2]", 4, 3,
		`"getobject" and "GetObject" (at s3[0]) differ only in case`},
	{`{"s3": ["PutObject", "PutObject"]}`, "s3[1]", 1, 22, `"PutObject" is listed twice (also at s3[0])`},
	{`{"s3": ["ǅ", "ǆ"]}`, "s3[1]", 1, 14, "differ only in case"},                            // title case vs lower case
	{`{"s3": ["Kelvin", "\u212aelvin"]}`, "s3[1]", 1, 19, "differ only in case"},             // Kelvin sign folds to k
	{`{"s3": ["İx", "ix"]}`, "s3[1]", 1, 15, `"ix" and "İx" (at s3[0]) differ only in case`}, // equal in lowercase only
	{"{\"s3\": [\"GetObject\"]", "", 1, 21, "unexpected end"},
	{`{"s3": ["GetObject"`, "s3", 1, 20, "not JSON: unexpected end of input in array"},
	{`{"s3": ["GetObject",]}`, "s3[1]", 1, 21, "not JSON: unexpected character ']', want a value"},
	{`{"s3": ["GetObject"]} {}`, "", 1, 23, "not JSON: unexpected character '{' after the end of the JSON value"},
	{`{"s3": ["GetObject"]}]`, "", 1, 22, "after the end of the JSON value"},
	{`{"s3" ["GetObject"]}`, "", 1, 7, `not JSON: unexpected character '[' after key "s3", want ':'`},
	{"{\"s3\": [\"a\",\n\"b\" \"c\"]}", "s3", 2, 5, "not JSON: unexpected character '\"' in array, want ',' or ']'"},
	{"{\"é\": []}", `["é"]`, 1, 2, "is not letters"},
	{"{\"lambda\": [\"ok\"],\n \"ééé\": [\"x\"], \"s3\": [1]}", `["ééé"]`, 2, 2, "is not letters"},
	{"{\"éé\":1}", `["éé"]`, 1, 2, "is not letters"},
	{"{\"a\":[\"é\", 1]}", "a[1]", 1, 12, "not number 1"},
	{"{\"s3\": [\"Get\xffObject\"]}", "s3[0]", 1, 13, "not JSON: "}, // invalid UTF-8 in a name: refused, as in policies and findings
	{"{\"s\xff3\": [\"GetObject\"]}", "", 1, 4, "not JSON: "},
}

func TestParseCatalogErrors(t *testing.T) {
	for _, tt := range parseCatalogErrors {
		_, err := ParseCatalog([]byte(tt.in))
		if err == nil {
			t.Errorf("ParseCatalog(%#q) = ok, want an error at %s %d:%d", tt.in, tt.path, tt.line, tt.column)
			continue
		}
		if err.Code != CodeInvalidCatalog || err.Field != "catalog" || err.Path != tt.path ||
			err.Line != tt.line || err.Column != tt.column || !strings.Contains(err.Message, tt.msg) {
			t.Errorf("ParseCatalog(%#q) = %s %q %d:%d %q,\n\twant INVALID_CATALOG %q %d:%d containing %q",
				tt.in, err.Code, err.Path, err.Line, err.Column, err.Message, tt.path, tt.line, tt.column, tt.msg)
		}
		if tt.path != "" && !strings.HasPrefix(err.Message, tt.path+": ") {
			t.Errorf("ParseCatalog(%#q): message %q does not start with its path %q", tt.in, err.Message, tt.path)
		}
	}
}

// FuzzParseCatalog checks that ParseCatalog never panics, that its errors name a
// place, and that what it accepts is a well-formed catalog that reads back the same.
func FuzzParseCatalog(f *testing.F) {
	for _, tt := range parseCatalogErrors {
		f.Add(tt.in)
	}
	f.Add(`{"s3": ["GetObject", "PutObject"], "lambda": ["InvokeFunction"]}`)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCatalog([]byte(in))
		if err != nil {
			if err.Code != CodeInvalidCatalog || err.Field != "catalog" || err.Message == "" {
				t.Fatalf("ParseCatalog(%#q): bad error %+v", in, err)
			}
			if err.Offset < 0 || err.Offset > len(in) || err.Line < 1 || err.Column < 1 {
				t.Fatalf("ParseCatalog(%#q): no place: %+v", in, err)
			}
			if err.Path != "" && !strings.HasPrefix(err.Message, err.Path+": ") {
				t.Fatalf("ParseCatalog(%#q): message %q does not start with path %q", in, err.Message, err.Path)
			}
			return
		}
		m := map[string][]string{}
		total := 0
		for i, svc := range c.Services() {
			if !validCatalogService(svc) || svc != strings.ToLower(svc) {
				t.Fatalf("ParseCatalog(%#q): service %q", in, svc)
			}
			if i > 0 && compareService(c.Services()[i-1], svc) >= 0 {
				t.Fatalf("ParseCatalog(%#q): services out of order: %q", in, c.Services())
			}
			names := c.Actions(svc)
			if len(names) == 0 {
				t.Fatalf("ParseCatalog(%#q): %s has no actions", in, svc)
			}
			for j, name := range names {
				if j > 0 && (compareActions(names[j-1], name) >= 0 || strings.EqualFold(names[j-1], name)) {
					t.Fatalf("ParseCatalog(%#q): %s: %q then %q", in, svc, names[j-1], name)
				}
				if got, ok := c.lookup(strings.ToUpper(svc) + ":" + name); !ok || got != svc+":"+name {
					t.Fatalf("ParseCatalog(%#q): lookup(%s:%s) = %q, %v", in, svc, name, got, ok)
				}
			}
			m[svc] = names
			total += len(names)
		}
		if info := c.Info(); info.Services != len(m) || info.Actions != total {
			t.Fatalf("ParseCatalog(%#q): Info() = %+v, lists hold %d, %d", in, info, len(m), total)
		}
		again, _ := json.Marshal(m)
		c2, err := ParseCatalog(again)
		if err != nil {
			t.Fatalf("ParseCatalog(%#q) read back: %v", again, err)
		}
		if !slices.Equal(c2.Services(), c.Services()) {
			t.Fatalf("ParseCatalog(%#q) read back: services %q, want %q", again, c2.Services(), c.Services())
		}
	})
}
