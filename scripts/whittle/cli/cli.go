// Package cli is the `whittle` command: thin wrappers over the engine's entry
// points, so that every answer is byte for byte what the HTTP API answers for
// the same files (see ../../../shared/design/api.md).
//
//	whittle refine    --policy FILE --findings FILE [--catalog FILE] [--output json|policy|summary]
//	whittle recommend --policies FILE --findings FILE [--principal NAME]
//	whittle recommend --authorization-details FILE --last-accessed DIR --out DIR
//	whittle check     --policy FILE --findings FILE --candidate FILE
//	whittle catalog
//	whittle version
//
// A file named "-" is read from standard input. The exit codes are the
// constants Exit*.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"whittle/engine"
)

// Exit codes of [Run], for CI jobs.
const (
	ExitOK       = 0  // done
	ExitBadInput = 1  // a file is unreadable or bad: the placed message is on standard error
	ExitNotExact = 2  // whittle check found a candidate not exact (over- or under-permissive, broader, changed)
	ExitUnused   = 3  // --fail-on-unused: the policies grant something unused
	ExitUsage    = 64 // the command line itself is wrong (sysexits' EX_USAGE)
)

// Version is the version the binary reports; main sets it from its own
// main.version, which release builds set with -ldflags '-X main.version=…'.
var Version = "dev"

// stdinName names standard input in messages.
const stdinName = "<stdin>"

const usage = `whittle refines AWS IAM policies to least privilege, as the Whittle API does.

Usage:
  whittle refine    --policy FILE --findings FILE [--catalog FILE]
                    [--granularity word|char|action] [--unused-access-age DAYS]
                    [--output json|policy|summary] [--fail-on-unused]
  whittle recommend --policies FILE --findings FILE [--principal NAME] [options]
  whittle recommend --authorization-details FILE --last-accessed DIR --out DIR [options]
  whittle check     --policy FILE (or --policies FILE [--principal NAME]) --findings FILE
                    --candidate FILE [options]
  whittle catalog   the built-in action catalog's source, date and counts
  whittle version

options: --catalog FILE, --granularity, --unused-access-age DAYS, --fail-on-unused;
the second recommend also --jobs N (default: every core).
A FILE named - is read from standard input (one of them at most).
"whittle COMMAND -h" describes a command's flags.

Exit codes:
  0   done
  1   bad input: the message on standard error says where (policy.json:9:9: Statement[1].Action[0]: ...)
  2   whittle check: a candidate is not exact (over- or under-permissive, broader, changed)
  3   --fail-on-unused, and the policies grant something unused
  64  usage: an unknown command or flag, a missing or bad flag value
`

// runner is one run of the command, with what it reads and writes.
type runner struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
	terminal       func(io.Writer) bool // whether to draw a progress bar on it
	cores          int
}

// Run runs the whittle command with args (without the program name) and
// returns its exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	r := &runner{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, terminal: isTerminal, cores: runtime.NumCPU()}
	return r.run(args)
}

func (r *runner) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(r.stderr, usage)
		return ExitUsage
	}
	switch args[0] {
	case "refine":
		return r.refine(args[1:])
	case "recommend":
		return r.recommend(args[1:])
	case "check":
		return r.check(args[1:])
	case "catalog":
		return r.simple("catalog", args[1:], func() { r.stdout.Write(engine.HandleCatalog()) })
	case "version":
		return r.simple("version", args[1:], func() {
			info := engine.BuiltinCatalog().Info()
			fmt.Fprintf(r.stdout, "whittle %s (catalog %s, %d actions; %s %s/%s)\n", Version, info.Date, info.Actions,
				runtime.Version(), runtime.GOOS, runtime.GOARCH)
		})
	case "help", "-h", "-help", "--help":
		fmt.Fprint(r.stdout, usage)
		return ExitOK
	}
	return r.usageError("unknown command %q (want refine, recommend, check, catalog or version)", args[0])
}

// usageError reports a wrong command line.
func (r *runner) usageError(format string, args ...any) int {
	fmt.Fprintf(r.stderr, "whittle: %s\nRun whittle -h for usage.\n", fmt.Sprintf(format, args...))
	return ExitUsage
}

// simple runs a command that takes no flags.
func (r *runner) simple(name string, args []string, do func()) int {
	fs := r.flags(name, "whittle "+name+"\n")
	if code, ok := r.parse(fs, args); !ok {
		return code
	}
	do()
	return ExitOK
}

// flags makes a command's flag set; help is its description.
func (r *runner) flags(name, help string) *flag.FlagSet {
	fs := flag.NewFlagSet("whittle "+name, flag.ContinueOnError)
	fs.SetOutput(r.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), help)
		fmt.Fprintln(fs.Output(), "\nFlags (- or --):")
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nExit codes: 0 done, 1 bad input, 2 a check found a candidate not exact, 3 --fail-on-unused found something unused, 64 usage.")
	}
	return fs
}

// parse parses args into fs; ok is false when the run is over, with code.
func (r *runner) parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			// -h prints the usage on standard error (the flag package's way);
			// asked for, it is not an error.
			return ExitOK, false
		}
		return ExitUsage, false // the flag package has said what is wrong
	}
	if fs.NArg() > 0 {
		return r.usageError("%s: unexpected argument %q (flags take their value as --flag VALUE)", fs.Name(), fs.Arg(0)), false
	}
	return 0, true
}

// common holds the options every refining command takes.
type common struct {
	catalog      string
	granularity  string
	age          int
	failOnUnused bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.catalog, "catalog", "", "a catalog `FILE` overlaying the built-in one per service ({\"s3\": [\"GetObject\", ...]})")
	fs.StringVar(&c.granularity, "granularity", engine.GranularityWord, "new wildcards at CamelCase `word`s, at any char, or none (action)")
	fs.IntVar(&c.age, "unused-access-age", engine.DefaultUnusedAccessAge, "a last-accessed report's window, in `DAYS` ending at its JobCompletionDate")
	fs.BoolVar(&c.failOnUnused, "fail-on-unused", false, "exit 3 when the policies grant something unused")
}

// options checks the common flags and makes the engine's options.
func (c *common) options(r *runner) (engine.Options, int, bool) {
	switch c.granularity {
	case engine.GranularityWord, engine.GranularityChar, engine.GranularityAction:
	default:
		return engine.Options{}, r.usageError("--granularity: want word, char or action, not %q", c.granularity), false
	}
	if c.age < engine.MinUnusedAccessAge || c.age > engine.MaxUnusedAccessAge {
		return engine.Options{}, r.usageError("--unused-access-age: want %d to %d days, not %d", engine.MinUnusedAccessAge, engine.MaxUnusedAccessAge, c.age), false
	}
	opt := engine.Options{}
	if c.granularity != engine.GranularityWord {
		opt.Granularity = c.granularity
	}
	if c.age != engine.DefaultUnusedAccessAge {
		opt.UnusedAccessAge = c.age
	}
	return opt, 0, true
}

// fileFlag is a flag naming a file to read, and the engine's field for it.
type fileFlag struct{ field, flag, name string }

// readFiles reads the files named by flags ("" for none), at most one of them
// from standard input; ok is false when the run is over, with code.
func (r *runner) readFiles(flags ...fileFlag) (files map[string]input, code int, ok bool) {
	stdin := ""
	for _, f := range flags {
		if f.name == "-" {
			if stdin != "" {
				return nil, r.usageError("--%s and --%s both read standard input (-): one of them at most", stdin, f.flag), false
			}
			stdin = f.flag
		}
	}
	files = map[string]input{}
	for _, f := range flags {
		in, err := r.read(f.flag, f.name)
		if err != nil {
			fmt.Fprintln(r.stderr, "whittle:", err)
			return nil, ExitBadInput, false
		}
		files[f.field] = in
	}
	return files, 0, true
}

// input is a file the command reads: the flag naming it, its name in messages
// and its text.
type input struct {
	flag, name, text string
}

// read reads the file named by flag (standard input for "-"). A missing
// optional file ("" name) is empty.
func (r *runner) read(flagName, name string) (input, error) {
	in := input{flag: flagName, name: name}
	if name == "" {
		return in, nil
	}
	var b []byte
	var err error
	if name == "-" {
		in.name = stdinName
		b, err = io.ReadAll(r.stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return in, fmt.Errorf("--%s: %w", flagName, err)
	}
	in.text = string(b)
	return in, nil
}

// badInput reports a refusal of the engine at its place: the file's name, the
// line and column in it, the message. files maps the engine's field names
// (policy, findings, catalog, policies) to the inputs.
func (r *runner) badInput(e *engine.Error, files map[string]input) int {
	fmt.Fprintln(r.stderr, placed(e, files))
	return ExitBadInput
}

// optionFlags names the flag of each engine option.
var optionFlags = map[string]string{
	"granularity":     "--granularity",
	"unusedAccessAge": "--unused-access-age",
	"principal":       "--principal",
}

// placed formats e as file:line:column: message.
func placed(e *engine.Error, files map[string]input) string {
	if in, ok := files[e.Field]; ok {
		if e.Line > 0 {
			return fmt.Sprintf("%s:%d:%d: %s", in.name, e.Line, e.Column, e.Message)
		}
		return fmt.Sprintf("%s: %s", in.name, e.Message)
	}
	if f, ok := optionFlags[e.Path]; ok && e.Field == "options" {
		return "whittle: " + f + ": " + strings.TrimPrefix(e.Message, "options."+e.Path+": ")
	}
	return "whittle: " + e.Error()
}

// isTerminal reports whether w is a terminal (a character device: standard
// library only; /dev/null counts too, where a progress bar harms no one).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// count formats n with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// plural formats n things: "1 worker", "2 workers".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return count(n) + " " + thing + "s"
}
