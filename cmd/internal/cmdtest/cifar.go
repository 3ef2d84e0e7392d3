package cmdtest

import (
	"fmt"
	"os"
	"path/filepath"

	"twostage/data"
)

// WriteCIFAR10 writes train and test (3×32×32 images, labels 0..9) to dir
// in the CIFAR-10 binary format (one label byte, then the 3072 CHW pixel
// bytes, per image): train in order over data_batch_1..5.bin (five
// consecutive parts, as the reader wants no empty file; train.N ≥ 5), test
// in test_batch.bin.
func WriteCIFAR10(dir string, train, test *data.Dataset) error {
	if train.N < 5 {
		return fmt.Errorf("cmdtest: WriteCIFAR10: %d training images, need at least one per data_batch file", train.N)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, ds *data.Dataset, from, to int) error {
		var b []byte
		for i := from; i < to; i++ {
			b = append(b, byte(ds.Labels[i]))
			b = append(b, ds.Image(i)...)
		}
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	for f := 0; f < 5; f++ {
		if err := write(fmt.Sprintf("data_batch_%d.bin", f+1), train, f*train.N/5, (f+1)*train.N/5); err != nil {
			return err
		}
	}
	return write("test_batch.bin", test, 0, test.N)
}
