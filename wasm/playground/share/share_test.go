package share

import (
	"strconv"
	"strings"
	"testing"
)

var redactTests = []struct{ in, want string }{
	{`"Resource": "arn:aws:s3:::secret-bucket/*"`, `"Resource": "arn:aws:s3:::redacted"`},
	{`"arn:aws:lambda:us-east-1:210987654321:function:f"`, `"arn:aws:lambda:us-east-1:111122223333:redacted"`},
	{`"arn:aws:iam::aws:policy/ReadOnlyAccess"`, `"arn:aws:iam::aws:redacted"`},
	{`"arn:aws:s3:::*"`, `"arn:aws:s3:::*"`},
	{`"aws:SourceAccount": "210987654321", "n": 1234567890123`, `"aws:SourceAccount": "111122223333", "n": 1234567890123`},
	{`"Action": ["s3:Get*", "ec2:Describe*"]`, `"Action": ["s3:Get*", "ec2:Describe*"]`},
	{`arn:aws:s3:::a\"b`, `arn:aws:s3:::redacted\"b`},
	{`arn:aws:s3`, `arn:aws:s3`},
	{`210987654321`, `111122223333`},
}

func TestRedact(t *testing.T) {
	for _, tt := range redactTests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%#q) = %#q, want %#q", tt.in, got, tt.want)
		}
	}
	st := State{Policy: redactTests[0].in, Findings: redactTests[1].in, Catalog: redactTests[4].in}
	st.Redact()
	if st.Policy != redactTests[0].want || st.Findings != redactTests[1].want || st.Catalog != redactTests[4].want {
		t.Errorf("State.Redact() = %+v", st)
	}
}

func TestPayload(t *testing.T) {
	for _, tt := range []struct {
		fragment string
		z        string
		ok       bool
		err      string
	}{
		{"", "", false, ""},
		{"#top", "", false, ""},
		{"#vx.abc", "", false, ""},
		{"#v1", "", false, ""},
		{Fragment([]byte("hello")), "hello", true, ""},
		{"#v1.", "", true, ""},
		{"#v2.aGVsbG8", "", true, "it was made by another version of Whittle (v2, this page reads v1)."},
		{"#v1." + strings.Repeat("A", MaxLink+1), "", true, "it is longer than the 32,768 characters a link may have."},
		{"#v1.a*b", "", true, "it is cut or altered (illegal base64 data at input byte 1)."},
	} {
		z, ok, err := Payload(tt.fragment)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if string(z) != tt.z || ok != tt.ok || msg != tt.err {
			t.Errorf("Payload(%.40q) = %q, %v, %q, want %q, %v, %q", tt.fragment, z, ok, msg, tt.z, tt.ok, tt.err)
		}
	}
}

func TestDecode(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want string // policy|granularity|age|principal, or the error
	}{
		{`{"policy":"p","findings":"f","options":{}}`, "p|word|90|"},
		{`{"policy":"p","findings":"f","catalog":"c","options":{"granularity":"char","unusedAccessAge":30,"principal":"R"}}`, "p|char|30|R"},
		{`{"policy":"p","options":{"granularity":"action"}}`, "p|action|90|"},
		{`{"policy":"p","options":{"granularity":"letters"}}`, `options.granularity: want "word", "char" or "action", not string "letters".`},
		{`{"policy":"p","options":{"unusedAccessAge":400}}`, "options.unusedAccessAge: want a number of days from 1 to 365, not 400."},
		{`{"policy":"p","options":{"unusedAccessAge":-1}}`, "options.unusedAccessAge: want a number of days from 1 to 365, not -1."},
		{`[1]`, "its content is not a Whittle state (json: cannot unmarshal array into Go value of type share.State)."},
		{`{"policy":"` + strings.Repeat("x", MaxState) + `"}`, "it expands to more than 4,194,304 bytes."},
	} {
		st, err := Decode([]byte(tt.raw))
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = st.Policy + "|" + st.Options.Granularity + "|" + strconv.Itoa(st.Options.UnusedAccessAge) + "|" + st.Options.Principal
		}
		if got != tt.want {
			t.Errorf("Decode(%.60s) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
