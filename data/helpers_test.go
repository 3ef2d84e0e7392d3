package data_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"twostage/data"
)

// sharedDir is $SHARED_DIR, or ../shared relative to the repository root
// (the directory holding go.mod).
func sharedDir() string {
	if d := os.Getenv("SHARED_DIR"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return filepath.Join("..", "..", "shared")
		}
		dir = parent
	}
}

// needPath skips the test when path is missing, except under CI=true where
// the absence is a failure.
func needPath(t testing.TB, path, what string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s missing (CI=true): %v", what, err)
		}
		t.Skipf("%s missing, skipping: %v", what, err)
	}
}

// randomDataset returns n seeded random uint8 images with labels i%10.
func randomDataset(rng *rand.Rand, n, c, h, w int) *data.Dataset {
	d := &data.Dataset{Name: "random", N: n, C: c, H: h, W: w, Pixels: make([]uint8, n*c*h*w), Labels: make([]int, n)}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(rng.Uint32())
	}
	for i := range d.Labels {
		d.Labels[i] = i % 10
	}
	for i := range 10 {
		d.Classes = append(d.Classes, string(rune('a'+i)))
	}
	for range c {
		d.Mean = append(d.Mean, 0.5)
		d.Std = append(d.Std, 0.25)
	}
	return d
}

// randomImage returns c*h*w seeded values in [0,1].
func randomImage(rng *rand.Rand, c, h, w int) []float32 {
	x := make([]float32, c*h*w)
	for i := range x {
		x[i] = rng.Float32()
	}
	return x
}

// maxAbsDiff returns max |a[i] - b[i]| (and +Inf on a length mismatch).
func maxAbsDiff(a []float32, b []float64) float64 {
	if len(a) != len(b) {
		return 1e300
	}
	m := 0.0
	for i := range a {
		d := float64(a[i]) - b[i]
		if d < 0 {
			d = -d
		}
		m = max(m, d)
	}
	return m
}
