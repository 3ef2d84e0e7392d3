package superand_test

import (
	"flag"
	"strings"
	"testing"

	"twostage/data/datatest"
	"twostage/kernels"
	"twostage/nn"
	"twostage/superand"
)

// wrnConfig is tinyConfig with the WideResNet-28-2 encoder: one round of two
// epochs over 16 images in batches of 8 (the network is 40 times the
// width-2 ResNet18's size, so the run is kept to four steps).
func wrnConfig() superand.Config {
	cfg := tinyConfig()
	cfg.Network = nn.NetworkWRN28_2
	cfg.BatchSize, cfg.Rounds, cfg.Epochs = 8, 1, 2
	return cfg
}

// TestWRNResume: with --network wrn28_2, two epochs straight equal one
// epoch, a checkpoint through a file, a fresh trainer restored from it and
// one more, bit for bit; the checkpoint records the network in its
// metadata and its config.
func TestWRNResume(t *testing.T) {
	be := &kernels.CPU{}
	train := datatest.Bands(16, 3)
	cfg := wrnConfig()
	straight := superand.NewTrainer(be, cfg, train, nil)
	if straight.Model.WRN == nil || straight.Model.Image != nil {
		t.Fatal("--network wrn28_2 did not build a WideResNet encoder")
	}
	run(t, straight, -1)
	first := superand.NewTrainer(be, cfg, train, nil)
	run(t, first, 1)
	ck, err := first.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	if nn.NetworkOf(ck) != nn.NetworkWRN28_2 {
		t.Errorf("checkpoint network metadata %q", ck.Meta["network"])
	}
	if saved, err := superand.ConfigOf(ck); err != nil || saved.Network != nn.NetworkWRN28_2 {
		t.Errorf("saved config network %q (%v)", saved.Network, err)
	}
	second, err := restored(t, first, cfg)
	if err != nil {
		t.Fatal(err)
	}
	run(t, second, -1)
	sameBits(t, snapshot(straight), snapshot(second))
}

// TestNetworkMismatch: a resnet18 checkpoint does not restore into a
// wrn28_2 trainer, nor the reverse; the error names both networks.
func TestNetworkMismatch(t *testing.T) {
	be := &kernels.CPU{}
	train := datatest.Bands(16, 3)
	res := superand.NewTrainer(be, tinyConfig(), train, nil)
	if _, err := restored(t, res, wrnConfig()); err == nil ||
		!strings.Contains(err.Error(), "resnet18") || !strings.Contains(err.Error(), "wrn28_2") {
		t.Errorf("resnet18 checkpoint into wrn28_2: %v", err)
	}
	wrn := superand.NewTrainer(be, wrnConfig(), train, nil)
	cfg := tinyConfig()
	cfg.BatchSize = 8
	if _, err := restored(t, wrn, cfg); err == nil ||
		!strings.Contains(err.Error(), "resnet18") || !strings.Contains(err.Error(), "wrn28_2") {
		t.Errorf("wrn28_2 checkpoint into resnet18: %v", err)
	}
}

// TestNetworkFlag: --network defaults to resnet18, takes wrn28_2, and any
// other value fails validation naming the flag, the value and the choices.
func TestNetworkFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
		err  bool
	}{{nil, "resnet18", false}, {[]string{"--network", "wrn28_2"}, "wrn28_2", false}, {[]string{"--network", "resnet50"}, "resnet50", true}} {
		cfg := superand.DefaultConfig()
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		cfg.RegisterFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		err := cfg.Validate()
		if cfg.Network != c.want || (err != nil) != c.err {
			t.Errorf("%v: network %q, Validate %v", c.args, cfg.Network, err)
		}
		if c.err && (err == nil || !strings.Contains(err.Error(), "--network") || !strings.Contains(err.Error(), "resnet50") ||
			!strings.Contains(err.Error(), "wrn28_2")) {
			t.Errorf("%v: error %v does not name the flag, the value and the choices", c.args, err)
		}
	}
}
