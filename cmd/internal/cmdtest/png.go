package cmdtest

import (
	"image"
	"image/png"
	"os"
	"testing"
)

// PNGSize decodes the PNG image at path and returns its width and height,
// failing the test when it is missing or not a PNG.
func PNGSize(t *testing.T, path string) (w, h int) {
	t.Helper()
	b := Image(t, path).Bounds()
	return b.Dx(), b.Dy()
}

// Image decodes the PNG image at path, failing the test when it cannot.
func Image(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}
