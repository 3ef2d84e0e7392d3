// Package kernels is the engine's CPU backend (type CPU, implementing
// tensor.Backend) and the home of every compute kernel: the float32 CPU code,
// its AVX2/FMA twins where they pay, and the CUDA twins (*.cu, *.ptx, embedded
// by ptx.go and launched by package cuda).
//
// Rules shared by all kernels:
//   - layouts are contiguous row-major; images are NCHW;
//   - forward kernels write (=) their outputs, backward kernels add (+=) into
//     gradients;
//   - shape errors panic with a constant "kernels: ..." text;
//   - parallel loops split work into fixed chunks (parallelFor), and every
//     reduction sums within a chunk and then over chunks in a fixed order, so
//     a given thread count always gives the same bits.
//
// Each kernel's float64 textbook reference lives in its test file (package
// kernels_test), and the same tests run over every backend.
package kernels
