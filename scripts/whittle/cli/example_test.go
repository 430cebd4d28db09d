package cli_test

import (
	"fmt"
	"os"

	"whittle/scripts/whittle/cli"
)

// The article's example with the 2024 catalog, one character a token, as a
// short report.
func ExampleRun() {
	code := cli.Run([]string{"refine",
		"--policy", "../../../engine/testdata/article/policy.json",
		"--findings", "../../../engine/testdata/article/findings.json",
		"--catalog", "../../../engine/testdata/catalog-2024-08-31.json",
		"--granularity", "char", "--output", "summary"}, os.Stdin, os.Stdout, os.Stderr)
	fmt.Println("exit code", code)
	// Output:
	// ../../../engine/testdata/article/policy.json: CREATE_POLICY: 9 patterns changed, 30 unused actions removed (List 1, Read 24, Write 4, Permissions management 1)
	//   verified: exact (C1), never broader (C2), structure kept (C3), no redundancy (C5)
	//   size: 444 → 331 characters without whitespace (managed policy quota 6,144)
	//   findings: access-analyzer
	//   changes:
	//     Statement[0].Action[0]: lambda:AddPermission removed (1 unused removed, 0 of 1 kept)
	//     Statement[0].Action[1]: lambda:GetFunctionConfiguration removed (1 unused removed, 0 of 1 kept)
	//     Statement[0].Action[2]: lambda:UpdateFunctionConfiguration removed (1 unused removed, 0 of 1 kept)
	//     Statement[0].Action[3]: lambda:UpdateFunctionCode removed (1 unused removed, 0 of 1 kept)
	//     Statement[0].Action[4]: lambda:CreateFunction removed (1 unused removed, 0 of 1 kept)
	//     Statement[0].Action[5]: lambda:DeleteFunction removed (1 unused removed, 0 of 1 kept)
	//     Statement[0].Action[6]: lambda:ListVersionsByFunction removed (1 unused removed, 0 of 1 kept)
	//     Statement[0].Action[7]: lambda:GetFunction removed (1 unused removed, 0 of 1 kept)
	//     Statement[1].Action[0]: s3:Get* → s3:GetAcces*, s3:GetAccountPublicAccessBlock, s3:GetDataAccess, s3:GetJobTagging, … 3 more (22 unused removed, 36 of 58 kept)
	// exit code 0
}
