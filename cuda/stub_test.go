//go:build !cuda

package cuda_test

import (
	"errors"
	"strings"
	"testing"

	"twostage/cuda"
	"twostage/tensor"
)

// The stub must compile to the same API as the real backend and refuse to
// open with an error that tells the user how to get a CUDA build.
func TestOpenNotBuilt(t *testing.T) {
	for _, dev := range []int{0, 1, -1} {
		be, err := cuda.Open(dev)
		if be != nil {
			t.Fatalf("Open(%d) returned a backend in a build without -tags cuda", dev)
		}
		if !errors.Is(err, cuda.ErrNotBuilt) {
			t.Fatalf("Open(%d) error = %v, want ErrNotBuilt", dev, err)
		}
		for _, hint := range []string{"without CUDA", "-tags cuda", "cuda-ci-setup.sh", "cpu backend"} {
			if !strings.Contains(err.Error(), hint) {
				t.Errorf("ErrNotBuilt message %q lacks %q", err, hint)
			}
		}
	}
	var be tensor.Backend = (*cuda.Backend)(nil) // the type still satisfies the seam
	_ = be
	if err := (*cuda.Backend)(nil).Close(); !errors.Is(err, cuda.ErrNotBuilt) {
		t.Errorf("Close = %v, want ErrNotBuilt", err)
	}
}
