// Package awscli writes the AWS CLI commands that apply a recommendation:
// what the playground's "Copy as AWS CLI" button copies. It is plain string
// work on the engine's answers, tested natively (the page only shows the text).
package awscli

import (
	"strconv"
	"strings"

	"whittle/engine"
)

// Placeholders for what an answer cannot know.
const (
	PolicyARN     = "arn:aws:iam::ACCOUNT-ID:policy/POLICY-NAME" // the managed policy of a lone document
	PrincipalName = "ROLE-NAME"                                  // the role of a list of policies
)

// RefinedSuffix ends the name of the managed policy made from a refined one:
// AWS managed policies cannot be changed, so a refined copy is created.
const RefinedSuffix = "-refined"

// Quote quotes s for a POSIX shell: in single quotes, each ' written '\”.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// PolicyVersion is the command that makes document (compact JSON) the default
// version of a managed policy, for a lone policy document.
func PolicyVersion(document string) string {
	return "aws iam create-policy-version --policy-arn " + PolicyARN +
		" --policy-document " + Quote(document) + " --set-as-default"
}

// Recommendation is the shell script that applies rec to its principal, one
// command a line, in the order of the recommended steps: a refined managed
// policy is created as a new customer managed policy, attached, and the old
// one detached (attach before detach: no moment without the access still
// used); a refined inline policy is put in place of the old one; a wholly
// unused one is detached or deleted. Policies left unchanged get a comment.
func Recommendation(rec *engine.Recommendation) string {
	kind, name := "role", PrincipalName
	if p := rec.Whittle.Principal; p != nil {
		kind, name = p.Kind, p.Name
	}
	who := " --" + kind + "-name " + Quote(name)
	var b strings.Builder
	b.WriteString("set -e\n")
	made := 0
	for _, d := range rec.Whittle.Policies {
		label := d.ExistingPolicyID
		switch {
		case d.Answer == nil:
			b.WriteString("# " + oneLine(label) + ": not refined (" + oneLine(d.Missing) + ")\n")
			continue
		case d.Answer.RecommendedAction == engine.ActionNone:
			b.WriteString("# " + oneLine(label) + ": nothing unused, unchanged\n")
			continue
		}
		create := d.Answer.RecommendedAction == engine.ActionCreate
		doc := string(d.Answer.RecommendedPolicy) // compact, as the steps carry it
		if d.Kind == engine.PolicyManaged {
			if create {
				made++
				v := "arn" + strconv.Itoa(made)
				b.WriteString(v + "=$(aws iam create-policy --policy-name " + Quote(policyName(d.ExistingPolicyID)+RefinedSuffix) +
					" --policy-document " + Quote(doc) + " --query Policy.Arn --output text)\n")
				b.WriteString("aws iam attach-" + kind + "-policy" + who + " --policy-arn \"$" + v + "\"\n")
			}
			b.WriteString("aws iam detach-" + kind + "-policy" + who + " --policy-arn " + Quote(d.ExistingPolicyID) + "\n")
			continue
		}
		if create {
			b.WriteString("aws iam put-" + kind + "-policy" + who + " --policy-name " + Quote(d.ExistingPolicyID) + " --policy-document " + Quote(doc) + "\n")
		} else {
			b.WriteString("aws iam delete-" + kind + "-policy" + who + " --policy-name " + Quote(d.ExistingPolicyID) + "\n")
		}
	}
	return b.String()
}

// policyName is the name in a policy ARN (the part after the last /).
func policyName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// oneLine keeps a comment on its line.
func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }
