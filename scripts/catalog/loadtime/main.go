// Command loadtime measures what the built-in catalog costs a fresh process: it
// prints the microseconds its first [engine.BuiltinCatalog] call takes, the call
// a fresh Worker instance pays on each request. Built with -tags nocatalog it
// leaves the built-in catalog out (and prints 0), so that comparing the two
// binaries gives the size the catalog adds. README's Performance section has
// the commands.
package main

import (
	"fmt"
	"time"

	"whittle/engine"
)

func main() {
	start := time.Now()
	n := load()
	elapsed := time.Since(start)
	// Link the rest of the catalog code in both variants.
	user, _ := engine.ParseCatalog([]byte(`{"s3": ["GetObject"]}`))
	if n < 0 || user == nil {
		panic("unreachable")
	}
	fmt.Println(elapsed.Microseconds())
}
