package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Fatal prints err to standard error and exits with status 1. Only main
// calls it. A message of the form "what went wrong; HINT: how to fix it" (the
// convention of the engine's user-facing errors) is printed on two lines:
//
//	error: what went wrong
//	HINT: how to fix it
func Fatal(err error) {
	fmt.Fprint(os.Stderr, fatalText(err))
	runFatalHooks()
	os.Exit(1)
}

// fatalHooks are what Fatal runs before it exits (os.Exit skips deferred
// calls): the CPU profile's stop, so the file is complete.
var fatalHooks struct {
	sync.Mutex
	fns []func()
}

// atFatal adds f to the functions Fatal runs before it exits; f must be
// safe to run after it already ran (a sync.Once).
func atFatal(f func()) {
	fatalHooks.Lock()
	defer fatalHooks.Unlock()
	fatalHooks.fns = append(fatalHooks.fns, f)
}

// runFatalHooks runs and forgets the functions atFatal added, last first.
func runFatalHooks() {
	fatalHooks.Lock()
	fns := fatalHooks.fns
	fatalHooks.fns = nil
	fatalHooks.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

// Check calls Fatal when err is not nil.
func Check(err error) {
	if err != nil {
		Fatal(err)
	}
}

// Must returns v, or calls Fatal when err is not nil.
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// Must2 is Must for functions returning two values and an error.
func Must2[A, B any](a A, b B, err error) (A, B) {
	Check(err)
	return a, b
}

// fatalText is what Fatal prints: "error: msg\n", with the part from the
// first "HINT:" on moved to a line of its own. The separator before the hint
// ("; ", ": ", " - ") is dropped from the first line.
func fatalText(err error) string {
	msg := "<nil>"
	if err != nil {
		msg = err.Error()
	}
	before, after, found := strings.Cut(msg, "HINT:")
	if !found {
		return "error: " + strings.TrimRight(msg, "\n") + "\n"
	}
	before = strings.TrimRight(before, " \t\n;:,-")
	after = strings.TrimSpace(after)
	// A hint in parentheses, "... (HINT: ...)", loses them: its ")" is
	// the first one that closes more than the hint opened.
	if b, ok := strings.CutSuffix(before, "("); ok {
		before = strings.TrimRight(b, " \t")
		depth := 0
		for i, r := range after {
			if r == '(' {
				depth++
			} else if r == ')' {
				if depth == 0 {
					after = strings.TrimSpace(after[:i] + after[i+1:])
					break
				}
				depth--
			}
		}
	}
	return "error: " + before + "\nHINT: " + after + "\n"
}

// FinalJSON writes v as one line of JSON followed by a newline. Each command
// calls it last, so that the last line of its standard output is its result.
// JSON has no NaN or infinity: a value holding one is an error, so callers
// put such numbers in as null (a pointer or any) themselves.
func FinalJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("final result: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ResolveCheckpoint returns the path to load for --resume, as the reference
// does: a bare file name (no path separator) that does not exist as given
// is taken to be inside modelDir. Anything else (a path with a directory, or
// a bare name that does exist in the working directory) is returned as is,
// and "" stays "" (no resume). The caller opens the result and reports the
// error naming it, so a missing file is not checked here.
func ResolveCheckpoint(resume, modelDir string) string {
	if resume == "" || modelDir == "" || strings.ContainsRune(resume, '/') ||
		strings.ContainsRune(resume, filepath.Separator) {
		return resume
	}
	if _, err := os.Stat(resume); err == nil {
		return resume
	}
	return filepath.Join(modelDir, resume)
}
