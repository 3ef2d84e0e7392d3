package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers the JPEG decoder
	_ "image/png"  // registers the PNG decoder
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// A folder data set is torchvision's ImageFolder: root/<class>/<image>, the
// classes being the subdirectories in sorted order and label = position; or,
// when root has no subdirectory holding images, a flat folder whose images
// are unlabeled (label -1). Images are *.png, *.jpg, *.jpeg (any case) and
// are converted to RGB (C = 3) as torchvision's default loader does
// (Image.convert("RGB"): alpha is dropped, grey is repeated). Files directly
// in root are ignored when class folders exist, as ImageFolder does.
//
// A Dataset has one image size: the size of the first image (sorted by class
// then file name). Other sizes are resized to cover it (bilinear, antialiased
// when shrinking) and centre-cropped, the test transform's geometry.
//
// Mean and Std are computed over the loaded pixels.

// maxImagePixels bounds the size a header may announce (64 Mpixel), so a
// corrupt or hostile file cannot make the decoder allocate gigabytes. The
// fuzz test lowers it.
var maxImagePixels = 1 << 26

// isImage reports whether name has a decodable image extension.
func isImage(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// loadFolder reads root/split when it is a directory, root otherwise.
func loadFolder(root, split string) (*Dataset, error) {
	if split != "" {
		if st, err := os.Stat(filepath.Join(root, split)); err == nil && st.IsDir() {
			root = filepath.Join(root, split)
		}
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("data: folder: %w", err)
	}
	type item struct {
		path  string
		label int
	}
	// Collect (path, label) first: the image size is known only once the
	// first file is decoded, and the pixels are allocated then.
	var items []item
	var classes []string
	for _, e := range entries { // ReadDir sorts by name
		if !e.IsDir() {
			continue
		}
		files, err := imageFiles(filepath.Join(root, e.Name()))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			continue // ImageFolder skips empty class folders too (allow_empty=False raises; we skip)
		}
		for _, f := range files {
			items = append(items, item{f, len(classes)})
		}
		classes = append(classes, e.Name())
	}
	if len(classes) == 0 { // flat folder
		files, err := imageFiles(root)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			items = append(items, item{f, -1})
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("data: folder: %s: no *.png, *.jpg or *.jpeg images in it or in its subdirectories", root)
	}
	d := &Dataset{N: len(items), C: 3, Classes: classes, Labels: make([]int, len(items))}
	for i, it := range items {
		b, err := os.ReadFile(it.path)
		if err != nil {
			return nil, fmt.Errorf("data: folder: %w", err)
		}
		img, err := decodeImage(b, it.path)
		if err != nil {
			return nil, err
		}
		r := img.Bounds()
		if i == 0 {
			d.H, d.W = r.Dy(), r.Dx()
			d.Pixels = make([]uint8, len(items)*3*d.H*d.W)
		}
		dst := d.Image(i)
		if r.Dy() == d.H && r.Dx() == d.W {
			toCHW(dst, img)
		} else {
			fit(dst, img, d.H, d.W)
		}
		d.Labels[i] = it.label
	}
	return d, nil
}

// imageFiles lists the image files of dir, sorted.
func imageFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: folder: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && isImage(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// decodeImage decodes a PNG or JPEG file's bytes; name is used in errors.
func decodeImage(b []byte, name string) (image.Image, error) {
	// The header first: its size is checked before the decoder allocates.
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w (HINT: only PNG and JPEG are read)", name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxImagePixels {
		return nil, fmt.Errorf("data: %s: image size %dx%d, want 1 to %d pixels", name, cfg.Width, cfg.Height, maxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", name, err)
	}
	return img, nil
}

// toCHW writes img as RGB planes into dst [3, H, W] (H, W its bounds).
func toCHW(dst []uint8, img image.Image) {
	r := img.Bounds()
	h, w := r.Dy(), r.Dx()
	hw := h * w
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			copy(dst[y*w:], row)
			copy(dst[hw+y*w:], row)
			copy(dst[2*hw+y*w:], row)
		}
	case *image.NRGBA: // PNG with alpha: the colour is stored unpremultiplied, as PIL keeps it
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := 0; x < w; x++ {
				dst[y*w+x], dst[hw+y*w+x], dst[2*hw+y*w+x] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
	default: // YCbCr (JPEG), RGBA, paletted, 16-bit...: the generic, slower path
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := color.NRGBAModel.Convert(img.At(r.Min.X+x, r.Min.Y+y)).(color.NRGBA)
				dst[y*w+x], dst[hw+y*w+x], dst[2*hw+y*w+x] = c.R, c.G, c.B
			}
		}
	}
}

// fit resizes img to cover h×w (scale max(h/ih, w/iw), bilinear, antialiased
// when shrinking), centre-crops it and writes the uint8 result (rounded
// half up, as PIL) into dst [3,h,w].
func fit(dst []uint8, img image.Image, h, w int) {
	r := img.Bounds()
	ih, iw := r.Dy(), r.Dx()
	src := make([]uint8, 3*ih*iw)
	toCHW(src, img)
	// Scale so both sides cover the target, then cut the centre.
	s := max(float64(h)/float64(ih), float64(w)/float64(iw))
	nh := max(h, int(math.Round(float64(ih)*s)))
	nw := max(w, int(math.Round(float64(iw)*s)))
	tmp := make([]float32, 3*nh*nw)
	resizeCrop(tmp, src, 3, ih, iw, 0, 0, ih, iw, nh, nw, 1)
	top, left := (nh-h)/2, (nw-w)/2
	for p := 0; p < 3; p++ {
		for y := 0; y < h; y++ {
			row := tmp[(p*nh+top+y)*nw+left:]
			for x := 0; x < w; x++ {
				dst[(p*h+y)*w+x] = uint8(min(max(row[x]+0.5, 0), 255))
			}
		}
	}
}
