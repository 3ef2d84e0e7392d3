package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CIFAR binary format (https://www.cs.toronto.edu/~kriz/cifar.html), one
// record per image, nothing between records:
//
//	CIFAR-10:  <1 byte label 0..9> <1024 R> <1024 G> <1024 B>          3073 bytes
//	CIFAR-100: <1 byte coarse 0..19> <1 byte fine 0..99> <3072 pixels> 3074 bytes
//
// Each plane is the 32×32 image in row-major order, so a record's pixels are
// already in this package's CHW layout.
const (
	cifarPixels = 3 * 32 * 32
)

var cifar10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

var cifar100Fine = []string{
	"apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
	"bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
	"chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
	"dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
	"lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
	"mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
	"plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
	"rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
	"squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
	"train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
}

var cifar100Coarse = []string{
	"aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
	"household_electrical_devices", "household_furniture", "insects", "large_carnivores",
	"large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
	"medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees",
	"vehicles_1", "vehicles_2",
}

// cifarFormat describes one of the two record layouts.
type cifarFormat struct {
	labelBytes int // bytes before the pixels
	labelAt    int // which of them is the label used
	classes    int // labels must be < classes
}

func (f cifarFormat) record() int { return f.labelBytes + cifarPixels }

// parseCIFAR decodes CIFAR records from b (name is used in errors): labelBytes
// is 1 for CIFAR-10 and 2 for CIFAR-100, labelAt picks which label byte is
// returned (CIFAR-100: 0 coarse, 1 fine) and classes bounds it. Pixels come
// back in CHW order, 3072 bytes per image.
func parseCIFAR(b []byte, name string, labelBytes, labelAt, classes int) (pix []uint8, labels []int, err error) {
	f := cifarFormat{labelBytes, labelAt, classes}
	if labelBytes < 1 || labelAt < 0 || labelAt >= labelBytes || classes < 1 || classes > 256 {
		panic("data: parseCIFAR: bad record format")
	}
	if err := f.check(len(b), name); err != nil {
		return nil, nil, err
	}
	n := len(b) / f.record()
	pix, labels = make([]uint8, n*cifarPixels), make([]int, n)
	return pix, labels, f.decode(b, name, pix, labels)
}

// check validates a file size: a positive whole number of records.
func (f cifarFormat) check(size int, name string) error {
	rec := f.record()
	if size == 0 || size%rec != 0 {
		return fmt.Errorf("data: %s: size %d bytes is not a positive multiple of the %d-byte CIFAR record "+
			"(%d whole records and %d bytes left; HINT: truncated or not a CIFAR binary file, re-download)",
			name, size, rec, size/rec, size%rec)
	}
	return nil
}

// decode writes the records of b into pix (len(b)/record*3072 bytes) and
// labels (len(b)/record).
func (f cifarFormat) decode(b []byte, name string, pix []uint8, labels []int) error {
	rec := f.record()
	for i := range labels {
		// r = label byte(s), then R, G, B planes: the pixels are copied as is.
		r := b[i*rec : (i+1)*rec]
		l := int(r[f.labelAt])
		if l >= f.classes {
			return fmt.Errorf("data: %s: record %d: label %d out of range, want 0..%d", name, i, l, f.classes-1)
		}
		labels[i] = l
		copy(pix[i*cifarPixels:(i+1)*cifarPixels], r[f.labelBytes:])
	}
	return nil
}

// readCIFARFiles reads and concatenates the records of files (in order).
func readCIFARFiles(files []string, f cifarFormat) (pix []uint8, labels []int, err error) {
	total := 0
	for _, p := range files {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("data: %w (HINT: fetch the data set with --download, or point --data_dir at it)", err)
		}
		if err := f.check(int(st.Size()), p); err != nil {
			return nil, nil, err
		}
		total += int(st.Size()) / f.record()
	}
	// One allocation for all files; each file is then read whole (30 MB) and
	// its records copied into place.
	pix, labels = make([]uint8, total*cifarPixels), make([]int, total)
	at := 0
	for _, p := range files {
		b, err := readFileExact(p)
		if err != nil {
			return nil, nil, err
		}
		if err := f.check(len(b), p); err != nil { // the file changed since Stat
			return nil, nil, err
		}
		n := len(b) / f.record()
		if at+n > total {
			return nil, nil, fmt.Errorf("data: %s: grew while being read", p)
		}
		if err := f.decode(b, p, pix[at*cifarPixels:(at+n)*cifarPixels], labels[at:at+n]); err != nil {
			return nil, nil, err
		}
		at += n
	}
	if at != total {
		return nil, nil, fmt.Errorf("data: %s: files shrank while being read", files[0])
	}
	return pix, labels, nil
}

// readFileExact reads a whole file, wrapping errors with the data: prefix.
func readFileExact(p string) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(fh)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", p, err)
	}
	return b, nil
}

// loadCIFAR10 reads data_batch_1..5.bin ("train") or test_batch.bin
// ("test") from dir or dir/cifar-10-batches-bin.
func loadCIFAR10(dir, split string) (*Dataset, error) {
	if err := checkSplit("cifar10", split, "train", "test"); err != nil {
		return nil, err
	}
	dir = findDir(dir, "cifar-10-batches-bin", "test_batch.bin")
	var files []string
	if split == "train" {
		for i := 1; i <= 5; i++ {
			files = append(files, filepath.Join(dir, fmt.Sprintf("data_batch_%d.bin", i)))
		}
	} else {
		files = []string{filepath.Join(dir, "test_batch.bin")}
	}
	pix, labels, err := readCIFARFiles(files, cifarFormat{1, 0, 10})
	if err != nil {
		return nil, err
	}
	classes, err := readNames(filepath.Join(dir, "batches.meta.txt"), cifar10Classes)
	if err != nil {
		return nil, err
	}
	return &Dataset{N: len(labels), C: 3, H: 32, W: 32, Pixels: pix, Labels: labels, Classes: classes}, nil
}

// loadCIFAR100 reads train.bin or test.bin from dir or dir/cifar-100-binary;
// coarse selects the 20 superclass labels (cifar20) instead of the 100 fine
// ones.
func loadCIFAR100(dir, split string, coarse bool) (*Dataset, error) {
	name, f, namesFile, builtin := "cifar100", cifarFormat{2, 1, 100}, "fine_label_names.txt", cifar100Fine
	if coarse {
		name, f, namesFile, builtin = "cifar20", cifarFormat{2, 0, 20}, "coarse_label_names.txt", cifar100Coarse
	}
	if err := checkSplit(name, split, "train", "test"); err != nil {
		return nil, err
	}
	dir = findDir(dir, "cifar-100-binary", "test.bin")
	pix, labels, err := readCIFARFiles([]string{filepath.Join(dir, split+".bin")}, f)
	if err != nil {
		return nil, err
	}
	classes, err := readNames(filepath.Join(dir, namesFile), builtin)
	if err != nil {
		return nil, err
	}
	return &Dataset{N: len(labels), C: 3, H: 32, W: 32, Pixels: pix, Labels: labels, Classes: classes}, nil
}
