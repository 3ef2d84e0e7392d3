package main

import (
	"path/filepath"
	"testing"

	"twostage/data/datatest"
	"twostage/kernels"
	"twostage/nn"
	"twostage/superand"
)

// TestAdoptNetwork: stage 2 takes --network from a stage-1 checkpoint unless
// given, as it takes --width: wrn28_2 from a wrn28_2 checkpoint, resnet18
// from the resnet18 one (stage1), and an explicit --network wins.
func TestAdoptNetwork(t *testing.T) {
	cfg := superand.DefaultConfig()
	cfg.Network, cfg.LowDim, cfg.BatchSize = nn.NetworkWRN28_2, 8, 8
	tr := superand.NewTrainer(&kernels.CPU{}, cfg, datatest.Bands(8, 1), nil)
	ck, err := tr.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	wrn := filepath.Join(t.TempDir(), "wrn.safetensors")
	if err := ck.Save(wrn); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--resume", wrn}, nn.NetworkWRN28_2},
		{[]string{"--resume", stage1}, nn.NetworkResNet18},
		{[]string{"--resume", stage1, "--network", "wrn28_2"}, nn.NetworkWRN28_2},
	} {
		got, _ := parseFlags(c.args)
		if got.Network != c.want {
			t.Errorf("%v: --network %q, want %q", c.args, got.Network, c.want)
		}
	}
}
