package kernels

// The CUDA twins of the CPU kernels are CUDA C++ sources in kernels/gpu/
// (*.cu, one per op family, each naming the CPU kernel it mirrors), compiled
// to PTX that is checked in beside them and embedded by ptx.go; the GPU
// driver JIT-compiles the PTX for the actual device when package cuda loads
// it, so a `go build -tags cuda` binary needs only the driver at run time.
//
// Regenerate with `go generate ./kernels/` after editing a .cu file. It runs
// scripts/cuda-gen.sh, which holds the one nvcc command line for every file:
//
//	nvcc -ccbin /usr/bin/g++ -allow-unsupported-compiler -std=c++17 \
//	     -Xcudafe --display_error_number --fmad=true -ptx -arch=compute_80 \
//	     -o gpu/<name>.ptx gpu/<name>.cu
//
// The compiler is nvcc 11.8 from Debian 12 non-free, unpacked (not
// installed) by scripts/cuda-nvcc-setup.sh into /var/cache/cuda-debs/nvcc.
//   - -ptx -arch=compute_80: virtual architecture 8.0, so the PTX has
//     `.target sm_80` and runs on sm_80 (A100), sm_86/89 and sm_90 (H100,
//     H200) through the driver's JIT; nvcc 11.8 writes `.version 7.8`, the
//     newest PTX ISA the CI's ptxas 11.8 accepts (it rejects 8.0). TF32
//     mma.sync and cp.async, which the GEMM core uses, need nothing newer;
//   - -ccbin /usr/bin/g++ -allow-unsupported-compiler: nvcc 11.8 wants
//     g++ <= 11 and Debian 12 ships g++-12. For -ptx the host compiler only
//     preprocesses, and the PTX is byte-identical to g++-11's (see
//     shared/notes/cuda-toolchain.md §3). The path is absolute because nvcc
//     puts its own bin/ (whose g++ wrapper accepts only g++-6..11) first on
//     PATH.
//
// CI (.ci/run) regenerates every module into a scratch folder and fails if
// it differs from the committed PTX, assembles each with ptxas for sm_80 and
// sm_90 (failing on spills), holds registers and shared memory to the budget
// in kernels/gpu/budget.txt, and looks for tensor-core and async-copy
// instructions in the GEMM core's SASS (scripts/cuda-ptx-check.sh).

//go:generate bash ../scripts/cuda-gen.sh
