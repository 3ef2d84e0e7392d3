package kernels

// The CUDA twins of the CPU kernels are written in CUDA C (*.cu) and compiled
// to PTX, which is checked in and embedded by ptx.go; the GPU driver JIT-
// compiles it for the actual device when package cuda loads it.
//
// Regenerate with `go generate ./kernels/` after editing a .cu file. The
// compiler is nvcc 11.8 from Debian 12 non-free, unpacked (not installed) by
// scripts/cuda-nvcc-setup.sh into /var/cache/cuda-debs/nvcc. Flags:
//   - -ptx -arch=compute_80: virtual architecture 8.0, so the PTX has
//     `.target sm_80` and runs on sm_80 (A100), sm_86/89 and sm_90 (H100)
//     through the driver's JIT; nvcc 11.8 writes `.version 7.8`, the newest
//     PTX ISA the CI's ptxas 11.8 accepts (it rejects 8.0);
//   - -ccbin /usr/bin/g++ -allow-unsupported-compiler: nvcc 11.8 wants
//     g++ <= 11 and Debian 12 ships g++-12. For -ptx the host compiler only
//     preprocesses, and the PTX is byte-identical to g++-11's (see
//     shared/notes/cuda-toolchain.md §3). The path is absolute because nvcc
//     puts its own bin/ (whose g++ wrapper accepts only g++-6..11) first on
//     PATH.
// CI (.ci/run) assembles every checked-in .ptx with ptxas for sm_80 and sm_90.
//
// One line per .cu file; add yours below.

//go:generate /var/cache/cuda-debs/nvcc/usr/lib/nvidia-cuda-toolkit/bin/nvcc -ccbin /usr/bin/g++ -allow-unsupported-compiler -ptx -arch=compute_80 -o fill.ptx fill.cu
//go:generate /var/cache/cuda-debs/nvcc/usr/lib/nvidia-cuda-toolkit/bin/nvcc -ccbin /usr/bin/g++ -allow-unsupported-compiler -ptx -arch=compute_80 -o axpy.ptx axpy.cu
