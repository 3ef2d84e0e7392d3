package kernels

// SetConvPath forces the conv paths for tests and benchmarks:
// mode "auto" (the shape heuristics), "winograd" (Winograd wherever it
// applies, ignoring its channel bound), "always" (the padded-width grid
// wherever it applies, no Winograd) or "never" (im2col everywhere: no
// Winograd, no phase planes for strided convs). It
// returns a function restoring the previous modes.
func SetConvPath(mode string) (restore func()) {
	old, oldWino, oldPhase := convPadMode, winoMode, convPhaseOn
	convPhaseOn = mode != "never"
	switch mode {
	case "auto":
		convPadMode, winoMode = padAuto, padAuto
	case "winograd":
		convPadMode, winoMode = padAuto, padAlways
	case "always":
		convPadMode, winoMode = padAlways, padNever
	case "never":
		convPadMode, winoMode = padNever, padNever
	default:
		panic("kernels: SetConvPath: unknown mode")
	}
	return func() { convPadMode, winoMode, convPhaseOn = old, oldWino, oldPhase }
}
