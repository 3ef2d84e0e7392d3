package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"twostage/cuda"
	"twostage/kernels"
	"twostage/tensor"
)

// OpenBackend opens the compute backend named by the --device flag:
//
//	"cpu"              kernels.CPU on threads goroutines (0: GOMAXPROCS)
//	"cuda", "cuda:N"   cuda.Open(N) (N = 0 for "cuda")
//
// It returns the backend and a function that closes it (a no-op for the
// CPU); call it once the last tensor is no longer needed. In a binary built
// without -tags cuda, "cuda" fails with an error wrapping cuda.ErrNotBuilt,
// which says how to rebuild. Any other name is an error naming the value.
// With TWOSTAGE_CPUPROFILE set (ProfileEnv), a CPU profile runs from here
// until the close function.
func OpenBackend(device string, threads int) (tensor.Backend, func(), error) {
	be, closeBE, err := openBackend(device, threads)
	if err != nil {
		return nil, nil, err
	}
	stop, err := startProfile()
	if err != nil {
		closeBE()
		return nil, nil, err
	}
	return be, func() { stop(); closeBE() }, nil
}

func openBackend(device string, threads int) (tensor.Backend, func(), error) {
	if threads < 0 {
		return nil, nil, fmt.Errorf("--threads %d: must be >= 0 (0 uses every core)", threads)
	}
	switch {
	case device == "cpu":
		return &kernels.CPU{Threads: threads}, func() {}, nil
	case device == "cuda" || strings.HasPrefix(device, "cuda:"):
		ordinal := 0
		if s, ok := strings.CutPrefix(device, "cuda:"); ok {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return nil, nil, fmt.Errorf("--device %q: bad GPU ordinal %q; HINT: use cuda or cuda:N with N >= 0", device, s)
			}
			ordinal = n
		}
		b, err := cuda.Open(ordinal)
		if err != nil {
			// ErrNotBuilt already says "built without CUDA support" and
			// gives the rebuild command (-tags cuda) after its HINT.
			return nil, nil, fmt.Errorf("--device %s: %w", device, err)
		}
		closeFn := func() {
			if err := b.Close(); err != nil {
				fmt.Fprintf(os.Stderr, "warning: closing %s: %v\n", device, err)
			}
		}
		return b, closeFn, nil
	default:
		return nil, nil, fmt.Errorf("--device %q: unknown device; HINT: use cpu, or cuda (cuda:N) in a binary built with -tags cuda", device)
	}
}
