package stage2_test

import (
	"context"
	"flag"
	"strings"
	"testing"

	"twostage/data/datatest"
	"twostage/kernels"
	"twostage/nn"
	"twostage/stage2"
	"twostage/superand"
)

// TestWRNStages: a wrn28_2 stage-1 checkpoint starts a wrn28_2 stage 2 (the
// encoder loaded entry for entry), whose own checkpoint restores bit for
// bit and records the network; a resnet18 stage 2 refuses the wrn28_2
// checkpoint, naming both networks.
func TestWRNStages(t *testing.T) {
	be := &kernels.CPU{}
	train := datatest.Bands(16, 4)
	c1 := stage1Config()
	c1.Network, c1.BatchSize, c1.Epochs = nn.NetworkWRN28_2, 8, 1
	s1 := superand.NewTrainer(be, c1, train, nil)
	ck1 := saveLoad(t, s1.Checkpoint)

	res := stage2.NewTrainer(be, tinyConfig(), 3, train, nil)
	if err := res.FromStage1(ck1); err == nil || !strings.Contains(err.Error(), "resnet18") || !strings.Contains(err.Error(), "wrn28_2") {
		t.Errorf("resnet18 stage 2 from a wrn28_2 stage 1: %v", err)
	}

	cfg := tinyConfig()
	cfg.Network, cfg.BatchSize, cfg.Epochs = nn.NetworkWRN28_2, 8, 1
	tr := stage2.NewTrainer(be, cfg, 3, train, nil)
	if err := tr.FromStage1(ck1); err != nil {
		t.Fatal(err)
	}
	want := s1.Model.State("")
	for i, e := range tr.Model.State("") {
		if e.Name != want[i].Name || (e.Counter == nil && !sameFloats(e.Tensor().Float32s(), want[i].Tensor().Float32s())) {
			t.Fatalf("%s differs from the stage-1 model's %s", e.Name, want[i].Name)
		}
	}
	if _, err := tr.RunEpoch(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	ck2 := saveLoad(t, tr.Checkpoint)
	if nn.NetworkOf(ck2) != nn.NetworkWRN28_2 {
		t.Errorf("stage-2 checkpoint network %q", ck2.Meta["network"])
	}
	saved, err := stage2.ConfigOf(ck2)
	if err != nil || saved.Network != nn.NetworkWRN28_2 {
		t.Fatalf("saved config network %q (%v)", saved.Network, err)
	}
	back := stage2.NewTrainer(be, saved, 3, train, nil)
	if err := back.Restore(ck2); err != nil {
		t.Fatal(err)
	}
	sameBits(t, snapshot(tr), snapshot(back))

	// cmd/predict's path: the predictor rebuilds the WRN from the config.
	p, err := stage2.NewPredictor(be, ck2, func(string) (stage2.DataInfo, error) {
		return stage2.DataInfo{C: train.C, H: train.H, W: train.W, Mean: train.Mean, Std: train.Std}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Model.Network() != nn.NetworkWRN28_2 {
		t.Errorf("predictor network %s", p.Model.Network())
	}
}

// TestNetworkFlag: stage 2's --network takes resnet18 and wrn28_2 and
// nothing else.
func TestNetworkFlag(t *testing.T) {
	for _, c := range []struct {
		arg string
		ok  bool
	}{{"resnet18", true}, {"wrn28_2", true}, {"wrn", false}} {
		cfg := stage2.DefaultConfig()
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		cfg.RegisterFlags(fs)
		if err := fs.Parse([]string{"--network", c.arg}); err != nil {
			t.Fatal(err)
		}
		err := cfg.Validate()
		if (err == nil) != c.ok || cfg.Network != c.arg {
			t.Errorf("--network %s: network %q, Validate %v", c.arg, cfg.Network, err)
		}
		if !c.ok && !strings.Contains(err.Error(), "--network") {
			t.Errorf("--network %s: %v does not name the flag", c.arg, err)
		}
	}
}
