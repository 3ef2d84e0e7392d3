package cli

import (
	"encoding/json"
	"flag"
	"fmt"

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

// Arch points at the fields of a run's config that a run started from a
// checkpoint of this project (stage 1 or 2) adopts from it.
type Arch struct {
	Width, LowDim, Subset *int
	Dataset, Network      *string
}

// AdoptArch sets each of a's fields whose flag is not in given to the value
// saved in ck's config (width, low_dim, train_subset, dataset) and network
// metadata (nn.NetworkOf); a mismatch with a given flag then fails to load,
// naming the tensor. Call it after ApplyPreset.
func AdoptArch(given map[string]bool, ck *nn.Checkpoint, a Arch) error {
	var c struct {
		Width, LowDim int
		Dataset       string
		Subset        int
	}
	if err := json.Unmarshal([]byte(ck.Meta["config"]), &c); err != nil {
		return fmt.Errorf("%s: config metadata: %w", ck.Path, err)
	}
	for _, f := range []struct {
		name string
		dst  *int
		v    int
	}{{"width", a.Width, c.Width}, {"low_dim", a.LowDim, c.LowDim}, {"train_subset", a.Subset, c.Subset}} {
		if !given[f.name] {
			*f.dst = f.v
		}
	}
	if !given["dataset"] {
		*a.Dataset = c.Dataset
	}
	if !given["network"] {
		*a.Network = nn.NetworkOf(ck)
	}
	return nil
}
