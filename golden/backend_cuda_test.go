//go:build cuda

package golden_test

import (
	"fmt"
	"os"

	"twostage/cuda"
)

// Under -tags cuda with GOLDEN_BACKEND=cuda, the golden cases run through
// the CUDA backend on device 0 instead of the CPU (scripts/gpu-check.sh;
// TWOSTAGE_CUDA_FP32=1 selects the exact FP32 mode the goldens' tolerances
// were set for). The harness's ops all go through the package's backend
// variable, so this is the only switch.
func init() {
	if os.Getenv("GOLDEN_BACKEND") != "cuda" {
		return
	}
	be, err := cuda.Open(0)
	if err != nil {
		panic(fmt.Sprintf("golden: GOLDEN_BACKEND=cuda: %v", err))
	}
	cpu = be
}
