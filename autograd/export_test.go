package autograd

// SetOverwrite turns the write mode of first gradients (gradSlot) on or
// off and returns a function restoring the previous setting: off, every
// gradient is allocated as zeros and accumulated into, the reference the
// tests compare the write mode with bit for bit.
func SetOverwrite(on bool) (restore func()) {
	old := overwrite
	overwrite = on
	return func() { overwrite = old }
}

// FreshGrads is the number of gradients gradSlot has handed out fresh (to
// be written, not added to) since the process started.
func FreshGrads() int64 { return freshGrads.Load() }
