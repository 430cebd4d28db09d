// Command whittle is Whittle on the command line: the engine as one static
// binary, answering byte for byte as the HTTP API does. Run whittle -h.
//
//	go install ./scripts/whittle
package main

import (
	"os"

	"whittle/scripts/whittle/cli"
)

// version is set by release builds: -ldflags '-X main.version=…' (scripts/build-cli).
var version = "dev"

func main() {
	cli.Version = version
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
