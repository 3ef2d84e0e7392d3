package sgemm_test

import (
	"os"
	"strings"
	"testing"

	"twostage/kernels/sgemm"
)

// TestPaths checks the path table's rules and logs the paths in use
// (bench_peer.sh reads the "path=" line): names round-trip, Default is the
// best of Paths, Hardware bounds it, TWOSTAGE_SIMD caps it, a request above
// it resolves to it and Auto to the default.
func TestPaths(t *testing.T) {
	ps := sgemm.Paths()
	var names []string
	for _, p := range ps {
		names = append(names, p.String())
		if q, err := sgemm.ParsePath(p.String()); err != nil || q != p {
			t.Errorf("ParsePath(%q) = %v, %v", p, q, err)
		}
		if !p.Available() || p.Resolve() != p {
			t.Errorf("%v: Available %v, Resolve %v", p, p.Available(), p.Resolve())
		}
	}
	t.Logf("path=%v hardware=%v paths=%s", sgemm.Default(), sgemm.Hardware(), strings.Join(names, ","))
	def := sgemm.Default()
	switch {
	case ps[0] != sgemm.Go || ps[len(ps)-1] != def:
		t.Errorf("Paths() = %v, want go … %v", ps, def)
	case def > sgemm.Hardware():
		t.Errorf("Default %v above Hardware %v", def, sgemm.Hardware())
	case sgemm.Auto.Resolve() != def || sgemm.Path(def+1).Resolve() != def || sgemm.Path(def+1).Available():
		t.Errorf("Auto and %v resolve to %v, %v, want %v", sgemm.Path(def+1), sgemm.Auto.Resolve(), sgemm.Path(def+1).Resolve(), def)
	}
	if s := os.Getenv("TWOSTAGE_SIMD"); s != "" && s != "auto" {
		if cap, _ := sgemm.ParsePath(s); def != min(cap, sgemm.Hardware()) {
			t.Errorf("TWOSTAGE_SIMD=%s: Default %v, want %v", s, def, min(cap, sgemm.Hardware()))
		}
	} else if def != sgemm.Hardware() {
		t.Errorf("Default %v, want the hardware's %v", def, sgemm.Hardware())
	}
	if _, err := sgemm.ParsePath("sse2"); err == nil {
		t.Error(`ParsePath("sse2") did not fail`)
	}
	if got := (sgemm.Config{NoSIMD: true, Path: sgemm.AVX512}).RunPath(); got != sgemm.Go {
		t.Errorf("NoSIMD runs %v, want go", got)
	}
}
