package sgemm

// Blocking constants for the external tests, which probe sizes just around
// every block edge.
const (
	MR = mr
	NR = nr
	KC = kc
	MC = mc
	NC = nc
)

// HaveAVX2 reports whether the assembly kernel can run here.
var HaveAVX2 = useAVX2
