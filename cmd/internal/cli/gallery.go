package cli

import (
	"fmt"
	"image"
	"image/color"

	xdraw "golang.org/x/image/draw"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"twostage/data"
)

// GalleryRow is one row of a gallery: a few lines of text on the left, then
// images, the first Split of them in one group (a cluster's most confident
// images) and the rest in a second group after a gap (random members).
// Notes, when not nil, holds one short caption per image (its confidence).
type GalleryRow struct {
	Text   []string
	Images []image.Image
	Notes  []string
	Split  int
}

// Layout of a gallery, in pixels.
const (
	galleryText   = 200 // the text column
	galleryGap    = 18  // between the two groups of a row
	galleryPad    = 12
	galleryNoteH  = 13 // room for an image's caption
	galleryHeader = 48 // the title and the group captions
)

// ThumbSize is the side of a gallery image for data of side h: a whole
// multiple of h (pixels stay sharp) between 48 and 96, or 96 for larger
// images (shrunk).
func ThumbSize(h int) int {
	if h >= 48 {
		return min(h, 96)
	}
	return h * max(1, 96/h)
}

// PlotGallery draws rows of images as a PNG and writes it to path
// atomically: a title, the captions of the two groups (groups[0] over the
// first Split images of the rows, groups[1] over the rest), then one row
// each. Images are scaled to thumb×thumb pixels (nearest neighbour, so
// small images stay sharp). No rows, or a thumb under 8, is an error.
func PlotGallery(path, title string, groups [2]string, rows []GalleryRow, thumb int) error {
	c, err := renderGallery(title, groups, rows, thumb)
	if err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	return savePNG(path, c)
}

// renderGallery draws the picture of PlotGallery.
func renderGallery(title string, groups [2]string, rows []GalleryRow, thumb int) (*vgimg.Canvas, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("gallery has no rows")
	}
	if thumb < 8 {
		return nil, fmt.Errorf("gallery thumbnails of %d pixels, want at least 8", thumb)
	}
	// The widest row's groups set the image width; every row uses the
	// same columns, so the groups line up.
	first, second := 0, 0
	for _, r := range rows {
		if r.Split < 0 || r.Split > len(r.Images) {
			return nil, fmt.Errorf("gallery row %v: split %d of %d images", r.Text, r.Split, len(r.Images))
		}
		if r.Notes != nil && len(r.Notes) != len(r.Images) {
			return nil, fmt.Errorf("gallery row %v: %d notes for %d images", r.Text, len(r.Notes), len(r.Images))
		}
		first, second = max(first, r.Split), max(second, len(r.Images)-r.Split)
	}
	cell := thumb + 4
	// A row is as tall as its images (with their notes) or its text.
	rowH := func(r GalleryRow) int {
		h := len(r.Text) * 14
		if len(r.Images) > 0 {
			h = max(h, cell+galleryNoteH)
		}
		return h + 8
	}
	W := galleryPad + galleryText + first*cell + galleryGap + second*cell + galleryPad
	H := galleryHeader + galleryPad
	for _, r := range rows {
		H += rowH(r)
	}
	c := newCanvas(W, H)
	dc := draw.New(c)
	// Canvas coordinates grow upwards: y(t) is t pixels below the top.
	top := func(t int) vg.Length { return px(float64(H - t)) }
	left := func(l int) vg.Length { return px(float64(l)) }

	dc.FillText(textStyle(13, true, color.Black, draw.XLeft, draw.YTop), vg.Point{X: left(galleryPad), Y: top(8)}, title)
	x0 := galleryPad + galleryText
	x1 := x0 + first*cell + galleryGap
	caption := textStyle(10, false, color.Gray{Y: 70}, draw.XLeft, draw.YTop)
	dc.FillText(caption, vg.Point{X: left(x0), Y: top(galleryHeader - 16)}, groups[0])
	if second > 0 {
		dc.FillText(caption, vg.Point{X: left(x1), Y: top(galleryHeader - 16)}, groups[1])
	}

	line := textStyle(10, false, color.Black, draw.XLeft, draw.YTop)
	head := textStyle(11, true, color.Black, draw.XLeft, draw.YTop)
	note := textStyle(8, false, color.Gray{Y: 90}, draw.XCenter, draw.YTop)
	y := galleryHeader
	for i, r := range rows {
		if i > 0 {
			y += rowH(rows[i-1])
		}
		if i > 0 { // a thin rule between rows
			dc.StrokeLine2(draw.LineStyle{Color: color.Gray{Y: 225}, Width: px(1)}, left(galleryPad), top(y-4), left(W-galleryPad), top(y-4))
		}
		for k, s := range r.Text {
			st := line
			if k == 0 {
				st = head
			}
			dc.FillText(st, vg.Point{X: left(galleryPad), Y: top(y + 2 + 14*k)}, s)
		}
		for j, img := range r.Images {
			x := x0 + j*cell
			if j >= r.Split {
				x = x1 + (j-r.Split)*cell
			}
			rect := vg.Rectangle{Min: vg.Point{X: left(x + 2), Y: top(y + 2 + thumb)}, Max: vg.Point{X: left(x + 2 + thumb), Y: top(y + 2)}}
			c.DrawImage(rect, scaleNearest(img, thumb))
			if r.Notes != nil {
				dc.FillText(note, vg.Point{X: left(x + 2 + thumb/2), Y: top(y + 3 + thumb)}, r.Notes[j])
			}
		}
	}
	return c, nil
}

// scaleNearest returns img scaled to s×s pixels, nearest neighbour.
func scaleNearest(img image.Image, s int) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, s, s))
	xdraw.NearestNeighbor.Scale(dst, dst.Bounds(), img, img.Bounds(), xdraw.Src, nil)
	return dst
}

// DatasetImage returns image i of ds as an image.Image: grey for one
// channel, RGB for three (other channel counts show their first plane).
func DatasetImage(ds *data.Dataset, i int) image.Image {
	pix := ds.Image(i)
	hw := ds.H * ds.W
	if ds.C < 3 {
		g := image.NewGray(image.Rect(0, 0, ds.W, ds.H))
		copy(g.Pix, pix[:hw])
		return g
	}
	m := image.NewRGBA(image.Rect(0, 0, ds.W, ds.H))
	for p := range hw {
		m.Pix[4*p], m.Pix[4*p+1], m.Pix[4*p+2], m.Pix[4*p+3] = pix[p], pix[hw+p], pix[2*hw+p], 255
	}
	return m
}
