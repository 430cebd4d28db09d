//go:build js && wasm

package main

import "testing"

var redactTests = []struct{ in, want string }{
	{`"Resource": "arn:aws:s3:::secret-bucket/*"`, `"Resource": "arn:aws:s3:::redacted"`},
	{`"arn:aws:lambda:us-east-1:210987654321:function:f"`, `"arn:aws:lambda:us-east-1:111122223333:redacted"`},
	{`"arn:aws:iam::aws:policy/ReadOnlyAccess"`, `"arn:aws:iam::aws:redacted"`},
	{`"arn:aws:s3:::*"`, `"arn:aws:s3:::*"`},
	{`"aws:SourceAccount": "210987654321", "n": 1234567890123`, `"aws:SourceAccount": "111122223333", "n": 1234567890123`},
	{`"Action": ["s3:Get*", "ec2:Describe*"]`, `"Action": ["s3:Get*", "ec2:Describe*"]`},
	{`arn:aws:s3:::a\"b`, `arn:aws:s3:::redacted\"b`},
}

func TestRedact(t *testing.T) {
	for _, tt := range redactTests {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%#q) = %#q, want %#q", tt.in, got, tt.want)
		}
	}
}
