//go:build !amd64 || noasm

package conv

// useAVX512 is false where there is no assembly.
const useAVX512 = false

func winoInLanesAVX512(v *float32, vxi, vpos int, r *float32, rw int, n int) {
	panic("conv: AVX-512 loop without assembly")
}

func winoOutLanesAVX512(o *float32, orw int, m *float32, mxi int, n int) {
	panic("conv: AVX-512 loop without assembly")
}

func winoDyLanesAVX512(v *float32, vxi, vpos int, r *float32, rw int, n int) {
	panic("conv: AVX-512 loop without assembly")
}

func tr16(dst *float32, drow, dblk int, src *float32, srow, sblk int, n int, flags int, shift float32, res *float32) {
	panic("conv: AVX-512 loop without assembly")
}

func addRows16AVX512(dst *float32, ds int, src *float32, n int) {
	panic("conv: AVX-512 loop without assembly")
}

func dot38AVX512(m *float32, ldm int, w *float32, ldw int, v *float32, ldv int, n int) {
	panic("conv: AVX-512 loop without assembly")
}

func copyRowsNTAVX512(dst, src *float32, srow, rows, w16 int) {
	panic("conv: AVX-512 loop without assembly")
}
