package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// ParseFlags parses args into fs the way both commands want it, and is the
// only place besides Fatal that exits:
//
//	-h, --help           the usage (every flag) on standard error, exit 0
//	a bad flag or value  one line, "error: <what flag said>" and a HINT
//	                     pointing at -h, exit 1 (Fatal)
//
// The flag package's own ExitOnError would print the whole usage after the
// error, burying the one line that matters under a screenful of flags.
// fs is switched to ContinueOnError.
func ParseFlags(fs *flag.FlagSet, args []string) {
	fs.Init(fs.Name(), flag.ContinueOnError)
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(out, "Usage of %s:\n", fs.Name())
		fs.PrintDefaults()
		os.Exit(0)
	case err != nil:
		Fatal(fmt.Errorf("%v; HINT: %s -h lists the flags", err, fs.Name()))
	}
}
