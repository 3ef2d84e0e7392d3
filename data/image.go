package data

import (
	"fmt"
	"os"
)

// ReadImage reads one PNG or JPEG file of any size as uint8 planes
// [channels, h, w] (CHW, h×w the file's size), for a model trained on a data
// set of that many channels: channels 3 is RGB, as the folder data sets
// (alpha dropped, grey repeated); channels 1 is PIL's convert("L") luma,
//
//	L = (19595·R + 38470·G + 7471·B + 2¹⁵) >> 16   (0.299, 0.587, 0.114 in 16-bit fixed point)
//
// the grey that torchvision's Grayscale gives a PIL image. Errors name the
// file: unreadable, not PNG or JPEG, an announced size above 64 Mpixel, or a
// truncated body.
func ReadImage(path string, channels int) (pix []uint8, h, w int, err error) {
	if channels != 1 && channels != 3 {
		return nil, 0, 0, fmt.Errorf("data: %s: %d channels, want 1 or 3", path, channels)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("data: %w", err)
	}
	img, err := decodeImage(b, path)
	if err != nil {
		return nil, 0, 0, err
	}
	r := img.Bounds()
	h, w = r.Dy(), r.Dx()
	rgb := make([]uint8, 3*h*w)
	toCHW(rgb, img)
	if channels == 3 {
		return rgb, h, w, nil
	}
	hw := h * w
	grey := make([]uint8, hw)
	for i := range grey {
		grey[i] = uint8((19595*uint32(rgb[i]) + 38470*uint32(rgb[hw+i]) + 7471*uint32(rgb[2*hw+i]) + 1<<15) >> 16)
	}
	return grey, h, w, nil
}
