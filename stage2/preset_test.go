package stage2_test

import (
	"flag"
	"testing"

	"twostage/stage2"
)

// TestPresets: every preset names only real flags with values they accept,
// and the config it gives validates (the main job runs "cpu").
func TestPresets(t *testing.T) {
	for name, p := range stage2.Presets {
		cfg := stage2.DefaultConfig()
		fs := flag.NewFlagSet("stage2", flag.ContinueOnError)
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
	if len(stage2.Presets["cpu"]) == 0 {
		t.Fatal("no cpu preset")
	}
}
