package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
)

// ProfileEnv names the environment variable that turns on CPU profiling of a
// command: TWOSTAGE_CPUPROFILE=cpu.pprof go run ./cmd/superand ... writes a
// pprof profile of the whole run (read it with go tool pprof). The profile
// starts when the backend opens and stops when it closes, or when the
// command exits through Fatal.
const ProfileEnv = "TWOSTAGE_CPUPROFILE"

// startProfile starts the CPU profile ProfileEnv asks for and returns the
// function that stops it (a no-op when the variable is unset).
func startProfile() (func(), error) {
	path := os.Getenv(ProfileEnv)
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", ProfileEnv, path, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s=%s: %w", ProfileEnv, path, err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				fmt.Fprintf(os.Stderr, "warning: %s=%s: %v\n", ProfileEnv, path, err)
			}
		})
	}
	// A command that ends in Fatal still leaves a whole profile.
	atFatal(stop)
	return stop, nil
}
