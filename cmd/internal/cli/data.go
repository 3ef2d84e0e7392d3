package cli

import (
	"fmt"

	"twostage/data"
)

// LoadData opens the training and test splits of a data set for a command.
// dir "" means the data set's usual place. With download set, a missing
// CIFAR or STL-10 data set is fetched first. subset > 0 keeps the first
// subset training images. For STL-10, stage 1 (stage1 set) trains on the
// labelled and unlabelled images together (105,000), as the paper; stage 2
// trains and is scored on the 13,000 labelled ones (train+test: the paper's
// "labeled images"), and its test split (8,000) is also scored alone.
func LoadData(name, dir string, download bool, subset int, stage1 bool) (train, test *data.Dataset, err error) {
	if dir == "" {
		dir = data.DefaultDir(name)
	}
	if download && name != "folder" && name != "fashion-mnist" && name != "mnist" {
		if err := data.Download(name, dir, nil); err != nil {
			return nil, nil, err
		}
	}
	split := "train"
	switch {
	case name == "stl10" && stage1:
		split = "train+unlabeled"
	case name == "stl10":
		split = "train+test"
	}
	train, err = data.Load(name, dir, split)
	if err != nil {
		return nil, nil, hint(name, err, download)
	}
	test, err = data.Load(name, dir, "test")
	if err != nil {
		return nil, nil, hint(name, err, download)
	}
	if subset > 0 {
		if subset > train.N {
			return nil, nil, fmt.Errorf("--train_subset %d: the %s training set has only %d images", subset, name, train.N)
		}
		train = train.Subset(subset)
	}
	return train, test, nil
}

// hint adds how to get the data to a loading error.
func hint(name string, err error, download bool) error {
	switch {
	case name == "fashion-mnist":
		return fmt.Errorf("%w. HINT: apt-get install dataset-fashion-mnist, or --data_dir with the four IDX files", err)
	case name == "folder" || name == "mnist" || download:
		return err
	}
	return fmt.Errorf("%w. HINT: add --download, or point --data_dir at the official binary files", err)
}
