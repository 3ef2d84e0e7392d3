package kernels

// SetConvPadded forces the stride-1 conv path for tests and benchmarks:
// mode "auto" (the shape heuristic), "always" (the padded-width grid wherever
// it applies) or "never" (im2col). It returns a function restoring the
// previous mode.
func SetConvPadded(mode string) (restore func()) {
	old := convPadMode
	switch mode {
	case "auto":
		convPadMode = padAuto
	case "always":
		convPadMode = padAlways
	case "never":
		convPadMode = padNever
	default:
		panic("kernels: SetConvPadded: unknown mode")
	}
	return func() { convPadMode = old }
}
