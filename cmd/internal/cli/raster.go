package cli

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/inconsolata"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// This file holds the drawing primitives of plot.go and confusion.go: text in
// a fixed 8×16 bitmap font (horizontal or turned to read upwards),
// anti-aliased polylines, tick placement and the atomic PNG write.

// Text metrics of the font (inconsolata.Regular8x16): every glyph advances
// glyphW pixels; a line is lineH pixels tall with the baseline ascent pixels
// below its top.
const (
	glyphW = 8
	lineH  = 16
	ascent = 12 // the face says 14, but capitals and digits start 12 above the baseline
)

var (
	white     = color.RGBA{255, 255, 255, 255}
	black     = color.RGBA{0, 0, 0, 255}
	axisGray  = color.RGBA{90, 90, 90, 255}
	gridGray  = color.RGBA{228, 228, 228, 255}
	textColor = color.RGBA{30, 30, 30, 255}
)

// palette holds the line colours, in order (matplotlib's tab10).
var palette = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
	{188, 189, 34, 255}, {23, 190, 207, 255},
}

// hAlign and vAlign place a text box relative to its anchor point.
type hAlign int
type vAlign int

const (
	left hAlign = iota
	center
	right
)

const (
	top vAlign = iota
	middle
	bottom
)

// textWidth is the width in pixels of s in the font.
func textWidth(s string) int { return font.MeasureString(inconsolata.Regular8x16, s).Ceil() }

// textMask renders s as an alpha mask of textWidth(s)×lineH pixels.
func textMask(s string, bold bool) *image.Alpha {
	face := inconsolata.Regular8x16
	if bold {
		face = inconsolata.Bold8x16
	}
	m := image.NewAlpha(image.Rect(0, 0, max(1, textWidth(s)), lineH))
	d := font.Drawer{Dst: m, Src: image.Opaque, Face: face, Dot: fixed.P(0, ascent+1)}
	d.DrawString(s)
	return m
}

// drawText draws s in colour c with its box placed at (x, y) by ha and va.
func drawText(dst draw.Image, s string, x, y int, ha hAlign, va vAlign, c color.Color, bold bool) {
	m := textMask(s, bold)
	r := place(m.Bounds().Dx(), m.Bounds().Dy(), x, y, ha, va)
	draw.DrawMask(dst, r, image.NewUniform(c), image.Point{}, m, image.Point{}, draw.Over)
}

// drawTextUp draws s turned 90° anticlockwise (read from bottom to top), its
// box (lineH wide, textWidth(s) tall) placed at (x, y) by ha and va.
func drawTextUp(dst draw.Image, s string, x, y int, ha hAlign, va vAlign, c color.Color) {
	m := textMask(s, false)
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	up := image.NewAlpha(image.Rect(0, 0, h, w))
	// Pixel (i, j) of the text goes to (j, w-1-i): the text's left end at the bottom.
	for j := range h {
		for i := range w {
			up.SetAlpha(j, w-1-i, m.AlphaAt(i, j))
		}
	}
	r := place(h, w, x, y, ha, va)
	draw.DrawMask(dst, r, image.NewUniform(c), image.Point{}, up, image.Point{}, draw.Over)
}

// place is the w×h rectangle anchored at (x, y) by ha and va.
func place(w, h, x, y int, ha hAlign, va vAlign) image.Rectangle {
	switch ha {
	case center:
		x -= w / 2
	case right:
		x -= w
	}
	switch va {
	case middle:
		y -= h / 2
	case bottom:
		y -= h
	}
	return image.Rect(x, y, x+w, y+h)
}

// fillRect paints r with c.
func fillRect(dst draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(dst, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// pt is a point in pixel coordinates (y down), not rounded.
type pt struct{ X, Y float64 }

// pen accumulates anti-aliased shapes of one colour and paints them at once.
// Every shape is added with the same orientation, so overlaps (a segment and
// the joint disc over its end) saturate instead of cancelling: the rasterizer
// sums signed coverage and clamps its absolute value to 1.
type pen struct {
	z *vector.Rasterizer
	w float64 // line width in pixels
}

func newPen(b image.Rectangle, width float64) *pen {
	z := vector.NewRasterizer(b.Dx(), b.Dy())
	z.DrawOp = draw.Over
	return &pen{z: z, w: width}
}

// segment adds the w-wide rectangle around a–b (no caps; joints get discs).
func (p *pen) segment(a, b pt) {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*p.w/2, dx/l*p.w/2 // the normal, half a width long
	p.z.MoveTo(float32(a.X+nx), float32(a.Y+ny))
	p.z.LineTo(float32(b.X+nx), float32(b.Y+ny))
	p.z.LineTo(float32(b.X-nx), float32(b.Y-ny))
	p.z.LineTo(float32(a.X-nx), float32(a.Y-ny))
	p.z.ClosePath()
}

// disc adds a 16-gon of radius r around c, wound like segment's rectangles
// (angle decreasing).
func (p *pen) disc(c pt, r float64) {
	const n = 16
	for k := range n + 1 {
		a := -2 * math.Pi * float64(k) / n
		x, y := float32(c.X+r*math.Cos(a)), float32(c.Y+r*math.Sin(a))
		if k == 0 {
			p.z.MoveTo(x, y)
		} else {
			p.z.LineTo(x, y)
		}
	}
	p.z.ClosePath()
}

// paint draws what was added, in colour c, over dst.
func (p *pen) paint(dst draw.Image, c color.Color) {
	p.z.Draw(dst, dst.Bounds(), image.NewUniform(c), image.Point{})
}

// niceTicks covers [lo, hi] with about n ticks at a step of 1, 2 or 5 times a
// power of ten, at least minStep. It returns the ticks, from the multiple of
// step at or below lo to the one at or above hi, which are the axis range.
// lo == hi is widened first. lo and hi must be finite.
func niceTicks(lo, hi float64, n int, minStep float64) []float64 {
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		d := math.Abs(lo) * 0.05
		if d == 0 {
			d = 0.5
		}
		lo, hi = lo-d, hi+d
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	step = max(step, minStep)
	first, last := math.Floor(lo/step+1e-9), math.Ceil(hi/step-1e-9)
	ticks := make([]float64, 0, int(last-first)+1)
	for k := first; k <= last; k++ {
		ticks = append(ticks, k*step)
	}
	return ticks
}

// formatTick writes v with as many decimals as the tick step needs.
func formatTick(v, step float64) string {
	if v == 0 {
		return "0"
	}
	if math.Abs(v) >= 1e6 || math.Abs(v) < 1e-4 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	dec := max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// writePNG encodes img to path atomically: a temporary file in the same
// directory is written, synced and renamed over path, so a reader (or a
// crash) never sees a half-written image.
func writePNG(path string, img image.Image) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("plot: %s: %w", path, err)
		}
	}()
	if err = png.Encode(f, img); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
