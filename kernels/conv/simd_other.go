//go:build !amd64 || noasm

package conv

// useAVX2 is false where there is no assembly: the Go loops run.
const useAVX2 = false

// The assembly loops are never called when useAVX2 is false; these bodies
// exist so the dispatch compiles on every platform.

func winoInAVX2(v *float32, vst int, r *float32, rw int, n int) {
	panic("conv: AVX2 loop without assembly")
}

func winoOutAVX2(o *float32, orw int, m *float32, mst int, n int) {
	panic("conv: AVX2 loop without assembly")
}

func winoDyAVX2(v *float32, vst int, r *float32, rw int, n int) {
	panic("conv: AVX2 loop without assembly")
}

func winoInLanes(v *float32, vxi, vpos int, r *float32, rw int, n int) {
	panic("conv: AVX2 loop without assembly")
}

func winoOutLanes(o *float32, orw int, m *float32, mxi int, n int) {
	panic("conv: AVX2 loop without assembly")
}

func winoDyLanes(v *float32, vxi, vpos int, r *float32, rw int, n int) {
	panic("conv: AVX2 loop without assembly")
}

func tr8(dst *float32, drow, dblk int, src *float32, srow, sblk int, n int, flags int, shift float32, res *float32) {
	panic("conv: AVX2 loop without assembly")
}

func addRows16(dst *float32, ds int, src *float32, n int) {
	panic("conv: AVX2 loop without assembly")
}

func dot34(m *float32, ldm int, w *float32, ldw int, v *float32, ldv int, n int) {
	panic("conv: AVX2 loop without assembly")
}

func copyRowsNT(dst, src *float32, srow, rows, w16 int) {
	panic("conv: AVX2 loop without assembly")
}
