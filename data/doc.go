// Package data reads the image data sets of the paper (CIFAR-10, CIFAR-100
// with its 20 superclasses, STL-10, and SVHN for Table 4's semi-supervised
// task), MNIST-style IDX files (Fashion-MNIST, MNIST) and folders of images;
// it augments them with torchvision's semantics and batches them for
// training.
//
// # Layout
//
// A Dataset holds N uint8 images of C×H×W, image i at Pixels[i*C*H*W:], each
// image in CHW order (all of plane 0, then plane 1, ...; row-major planes).
// Labels are ints, -1 where unknown.
//
// # Files
//
//	dataset.go   Dataset, Load, Names, DefaultDir, the normalisation constants
//	cifar.go     CIFAR-10 / CIFAR-100 binary records
//	stl10.go     STL-10 binary (column-major planes, labels 1..10)
//	svhn.go      SVHN's train_32x32.mat / test_32x32.mat (labels 10 → 0)
//	mat.go       MATLAB v5 MAT-files: numeric arrays, plain or zlib-compressed
//	idx.go       MNIST-style IDX files, gzipped or not
//	folder.go    root/<class>/*.png|jpg (torchvision ImageFolder) or a flat folder
//	image.go     ReadImage: one PNG/JPEG file of any size, RGB or luma planes (for inference)
//	download.go  --download: fetch, MD5, unpack, move into place
//	color.go     AdjustBrightness/Contrast/Saturation/Hue, RGBToGrayscale
//	resize.go    ResizedCrop (bilinear, PIL/torchvision coefficients), HFlip, Normalize
//	augment.go   Augment (the training transform), TestTransform
//	affine.go    Affine: RandomAffine (bilinear, zero fill), SVHN's flip replacement
//	rng.go       the per-sample random streams
//	loader.go    Loader (shuffled two-view batches, workers, prefetch), EvalBatches
//
// # Numerics of the augmentation
//
// The functional transforms follow torchvision's tensor functional API on
// float32 images in [0,1] (torchvision.transforms.functional on a tensor);
// the golden cases in ../shared/golden were computed with it. The training
// path (Augment.Apply) composes the same float32 kernels with no rounding
// between steps, where torchvision's PIL pipeline (the reference trains with
// PIL images) rounds to uint8 after each step: the two differ by at most one
// uint8 step per operation, the tolerance of the goldens. The one place PIL's
// behaviour is kept on purpose is resizing: a downscale is antialiased with
// the triangle filter widened by the scale (PIL's bilinear resample), which is
// the same arithmetic as torch's bilinear interpolation for every upscale.
//
// # Randomness
//
// Nothing reads a global random source. The loader derives each sample's
// stream from (seed, epoch, index, view) and the shuffle from (seed, epoch)
// (rng.go), so batches are identical whatever the number of workers and a
// resumed run sees the same data as an uninterrupted one.
//
// # Errors
//
// Malformed input (missing file, wrong size, bad magic number, label out of
// range, truncated or corrupted download) is an error naming the file, what
// was expected and what was found, never a panic. Bad arguments from code
// (a dst of the wrong length, a batch size of 0) are bugs and panic with a
// constant message.
package data
