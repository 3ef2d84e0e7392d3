package main

import (
	"flag"
	"fmt"

	"twostage/cmd/internal/cli"
	"twostage/stage2"
)

// options are the command's flags.
type options struct {
	Resume    string // --resume: the stage-2 checkpoint
	Images    string // --images: the directory of PNG/JPEG files
	Out       string // --out: the CSV written
	Device    string // --device
	Threads   int    // --threads
	BatchSize int    // --batch_size
	SkipBad   bool   // --skip_bad
	DataDir   string // --data_dir: only for checkpoints saved without a data description
}

func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Resume, "resume", "", "stage-2 checkpoint (stage2_best.safetensors or stage2.safetensors)")
	fs.StringVar(&o.Images, "images", "", "directory of PNG and JPEG images (searched recursively)")
	fs.StringVar(&o.Out, "out", "predictions.csv", "CSV file written: path,cluster,confidence,class")
	fs.StringVar(&o.Device, "device", "cpu", "compute device: cpu or cuda")
	fs.IntVar(&o.Threads, "threads", 0, "compute threads (0 = all cores)")
	fs.IntVar(&o.BatchSize, "batch_size", 64, "images per forward pass")
	fs.BoolVar(&o.SkipBad, "skip_bad", false, "report unreadable images and go on (default: stop at the first)")
	fs.StringVar(&o.DataDir, "data_dir", "", "the training data, read only when the checkpoint lacks a data description (older checkpoints)")
}

// validate rejects settings that cannot run, naming the flag and value.
func (o *options) validate() error {
	switch {
	case o.Resume == "":
		return fmt.Errorf("--resume is required: the stage-2 checkpoint to predict with. HINT: --resume runs/quickstart/stage2_best.safetensors")
	case o.Images == "":
		return fmt.Errorf("--images is required: a directory of PNG or JPEG files")
	case o.Out == "":
		return fmt.Errorf("--out is empty: give the CSV file to write")
	case o.BatchSize < 1:
		return fmt.Errorf("--batch_size %d: must be at least 1", o.BatchSize)
	}
	return nil
}

// describe measures the training data of a checkpoint saved without a data
// description: its shape, normalisation and class names.
func (o *options) describe(dataset string) (stage2.DataInfo, error) {
	train, _, err := cli.LoadData(dataset, o.DataDir, false, 0, false)
	if err != nil {
		return stage2.DataInfo{}, fmt.Errorf("the checkpoint has no data description, and its data set could not be read to measure it: %w", err)
	}
	return stage2.DataInfoOf(dataset, train), nil
}
