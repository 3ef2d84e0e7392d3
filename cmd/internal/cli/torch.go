package cli

import (
	"flag"

	"twostage/nn"
)

// AdoptTorchArch sets up a run from a checkpoint of the authors' code (a
// .t7, which saves no config): the preset applies as for a fresh run, and
// the encoder's width and embedding size come from the file unless given
// on the command line (a mismatch then fails to load, naming the tensor
// and both shapes). Call it after fs.Parse.
func AdoptTorchArch(fs *flag.FlagSet, preset string, presets map[string]map[string]string, ck *nn.Checkpoint, width, lowDim *int) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if err := ApplyPreset(fs, preset, presets); err != nil {
		return err
	}
	w, d, _, err := nn.TorchArch(ck)
	if err != nil {
		return err
	}
	if !given["width"] {
		*width = w
	}
	if !given["low_dim"] {
		*lowDim = d
	}
	return nil
}
