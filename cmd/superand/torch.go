package main

import (
	"flag"
	"fmt"

	"twostage/cmd/internal/cli"
	"twostage/nn"
	"twostage/superand"
)

// adoptTorchArch sets up cfg for a checkpoint of the authors' code (a .t7,
// which saves no config): the preset applies as for a fresh run, and the
// encoder's width and embedding size come from the file unless given now
// (a mismatch then fails to load, naming the tensor and both shapes).
func adoptTorchArch(fs *flag.FlagSet, cfg *superand.Config, ck *nn.Checkpoint) error {
	if ck.Kind() != superand.Kind {
		return fmt.Errorf("%s: a stage-2 checkpoint of the authors' code (net, fc); stage 1 reads their super_and.py checkpoint (net, npc, ANs_discovery)", ck.Path)
	}
	return cli.AdoptTorchArch(fs, cfg.Preset, superand.Presets, ck, &cfg.Width, &cfg.LowDim)
}
