package cli

import (
	"flag"
	"testing"

	"twostage/stage2"
	"twostage/superand"
)

// TestStagePresets: every preset of both stages applies through
// ApplyPreset (only real flags, values they accept) and gives a config
// that validates; the main job runs "cpu".
func TestStagePresets(t *testing.T) {
	// fresh returns a default config's flag registration and validation.
	type fresh func() (register func(*flag.FlagSet), validate func() error)
	for _, st := range []struct {
		name    string
		fresh   fresh
		presets map[string]map[string]string
	}{
		{"superand", func() (func(*flag.FlagSet), func() error) {
			c := superand.DefaultConfig()
			return c.RegisterFlags, c.Validate
		}, superand.Presets},
		{"stage2", func() (func(*flag.FlagSet), func() error) {
			c := stage2.DefaultConfig()
			return c.RegisterFlags, c.Validate
		}, stage2.Presets},
	} {
		if len(st.presets["cpu"]) == 0 {
			t.Errorf("%s: no cpu preset", st.name)
		}
		for name := range st.presets {
			register, validate := st.fresh()
			fs := flag.NewFlagSet(st.name, flag.ContinueOnError)
			register(fs)
			if err := ApplyPreset(fs, name, st.presets); err != nil {
				t.Errorf("%s: %v", st.name, err)
			}
			if err := validate(); err != nil {
				t.Errorf("%s --preset %s: %v", st.name, name, err)
			}
		}
	}
}
