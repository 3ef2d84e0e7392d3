//go:build !noasm

package sgemm

import "github.com/klauspost/cpuid/v2"

// hardware is the best path the CPU has (cpuid checks the OS saves the
// YMM and ZMM/mask state too).
var hardware = func() Path {
	switch {
	case !cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3):
		return Go
	case !cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512DQ, cpuid.AVX512VL):
		return AVX2
	}
	return AVX512
}()
