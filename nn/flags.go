package nn

import "fmt"

// FlagChecks collects the rules of a stage's Config.Validate (superand,
// stage2, finetune): the first rule that fails, in the order checked, is
// the error, naming the flag and its value ("--epochs 0: must be at least
// 1"). The zero value has no failure.
type FlagChecks struct{ err error }

// Check records "--flag val: why" when bad holds and no earlier rule failed.
func (f *FlagChecks) Check(bad bool, flag string, val any, why string) {
	if bad && f.err == nil {
		f.err = fmt.Errorf("--%s %v: %s", flag, val, why)
	}
}

// Err returns the first failed rule's error, or nil.
func (f *FlagChecks) Err() error { return f.err }
