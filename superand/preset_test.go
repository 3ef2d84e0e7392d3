package superand_test

import (
	"flag"
	"testing"

	"twostage/superand"
)

// TestPresets: every preset names only real flags with values they accept,
// and the config it gives validates (the main job runs "cpu").
func TestPresets(t *testing.T) {
	for name, p := range superand.Presets {
		cfg := superand.DefaultConfig()
		fs := flag.NewFlagSet("superand", flag.ContinueOnError)
		cfg.RegisterFlags(fs)
		for k, v := range p {
			if err := fs.Set(k, v); err != nil {
				t.Errorf("preset %s: %s=%s: %v", name, k, v, err)
			}
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
	if len(superand.Presets["cpu"]) == 0 {
		t.Fatal("no cpu preset")
	}
}
