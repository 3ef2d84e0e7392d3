package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cuda"
	"twostage/kernels"
)

func TestOpenBackendCPU(t *testing.T) {
	be, closeFn, err := OpenBackend("cpu", 3)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	cpu, ok := be.(*kernels.CPU)
	if !ok || cpu.Threads != 3 || be.Name() != "cpu" {
		t.Fatalf("OpenBackend(cpu, 3) = %T %+v (name %q), want *kernels.CPU with Threads 3", be, be, be.Name())
	}
}

// In a default build cuda.Open is the stub: "cuda" must fail with an error
// that wraps ErrNotBuilt and tells how to rebuild. In a -tags cuda build on a
// GPU machine it must open the device.
func TestOpenBackendCUDA(t *testing.T) {
	for _, dev := range []string{"cuda", "cuda:0"} {
		db, direct := cuda.Open(0) // what this build and machine can do
		if direct == nil {
			db.Close()
		}
		be, closeFn, err := OpenBackend(dev, 0)
		switch {
		case errors.Is(direct, cuda.ErrNotBuilt):
			if !errors.Is(err, cuda.ErrNotBuilt) {
				t.Fatalf("OpenBackend(%q) error = %v, want one wrapping cuda.ErrNotBuilt", dev, err)
			}
			for _, want := range []string{"-tags cuda", "without CUDA support", "HINT:"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("OpenBackend(%q) error %q lacks %q", dev, err, want)
				}
			}
			if be != nil || closeFn != nil {
				t.Errorf("OpenBackend(%q) returned a backend with its error", dev)
			}
		case direct == nil:
			if err != nil || !strings.HasPrefix(be.Name(), "cuda") {
				t.Fatalf("OpenBackend(%q) = %v, %v on a machine where cuda.Open works", dev, be, err)
			}
			closeFn()
		default:
			if err == nil || !errors.Is(err, direct) && !strings.Contains(err.Error(), direct.Error()) {
				t.Fatalf("OpenBackend(%q) error = %v, want it to carry %v", dev, err, direct)
			}
		}
	}
}

func TestOpenBackendBadNames(t *testing.T) {
	for _, c := range []struct {
		device  string
		threads int
		want    string
	}{
		{"tpu", 0, `"tpu"`},
		{"", 0, `""`},
		{"CPU ", 0, `"CPU "`},
		{"cuda:x", 0, `"cuda:x"`},
		{"cuda:-1", 0, `"cuda:-1"`},
		{"cpu", -2, "--threads -2"},
	} {
		_, _, err := OpenBackend(c.device, c.threads)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("OpenBackend(%q, %d) error = %v, want one naming %s", c.device, c.threads, err, c.want)
		}
	}
}

// TestOpenBackendProfile: with TWOSTAGE_CPUPROFILE set, the backend's
// lifetime is profiled into that file, also when the command ends in Fatal
// (its hooks stop the profile); an unwritable path is an error that names
// the variable.
func TestOpenBackendProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	t.Setenv(ProfileEnv, path)
	_, closeBE, err := OpenBackend("cpu", 1)
	if err != nil {
		t.Fatal(err)
	}
	closeBE()
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("profile %s not written: %v", path, err)
	}
	// A command that ends in Fatal: its hooks stop the profile, and the
	// backend's own close afterwards (were it reached) does nothing more.
	path2 := filepath.Join(t.TempDir(), "fatal.pprof")
	t.Setenv(ProfileEnv, path2)
	_, closeBE, err = OpenBackend("cpu", 1)
	if err != nil {
		t.Fatal(err)
	}
	runFatalHooks()
	st, err := os.Stat(path2)
	if err != nil || st.Size() == 0 {
		t.Fatalf("profile %s not written by Fatal's hooks: %v", path2, err)
	}
	closeBE()
	if st2, err := os.Stat(path2); err != nil || st2.Size() != st.Size() {
		t.Fatalf("profile %s changed after it was stopped: %v", path2, err)
	}
	t.Setenv(ProfileEnv, filepath.Join(t.TempDir(), "missing", "cpu.pprof"))
	if _, _, err := OpenBackend("cpu", 1); err == nil || !strings.Contains(err.Error(), ProfileEnv) {
		t.Fatalf("unwritable profile path: err %v, want one naming %s", err, ProfileEnv)
	}
}
