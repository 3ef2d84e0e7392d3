package main

import (
	"flag"
	"fmt"

	"twostage/cmd/internal/cli"
	"twostage/nn"
	"twostage/stage2"
)

// adoptTorchArch sets up cfg for a checkpoint of the authors' code (a .t7
// of super_and.py to start stage 2 from, or of main.py to evaluate or
// continue), which saves no config: the preset applies as for a fresh
// stage 2, and the encoder's width and embedding size come from the file
// unless given now. The data set is --dataset's (the file does not name
// it), and --train_subset picks the images scored.
func adoptTorchArch(fs *flag.FlagSet, cfg *stage2.Config, ck *nn.Checkpoint) error {
	if k := ck.Kind(); k != stage2.Kind && k != "superand" {
		return fmt.Errorf("%s: a %q checkpoint of the authors' code, neither stage 1 nor stage 2", ck.Path, k)
	}
	return cli.AdoptTorchArch(fs, cfg.Preset, stage2.Presets, ck, &cfg.Width, &cfg.LowDim)
}
