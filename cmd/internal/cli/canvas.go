package cli

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// This file holds what every picture of the package shares: canvases sized
// in pixels, a sans-serif text style, the colour cycle and the atomic PNG
// write. The charts themselves are gonum.org/v1/plot plots.

// dpi is the resolution of every canvas: at 96 dots per inch one pixel is
// 0.75 pt, so a size given in pixels maps to a whole number of dots.
const dpi = 96

// px is a length of n pixels on a canvas of resolution dpi.
func px(n float64) vg.Length { return vg.Length(n) * vg.Inch / dpi }

// newCanvas returns a white w×h-pixel image canvas.
func newCanvas(w, h int) *vgimg.Canvas {
	return vgimg.NewWith(vgimg.UseWH(px(float64(w)), px(float64(h))), vgimg.UseDPI(dpi),
		vgimg.UseBackgroundColor(color.White))
}

// sans is the Liberation Sans face (embedded in gonum/plot) at size points.
func sans(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// textStyle is plain text in colour c, placed by its box's alignment.
func textStyle(size vg.Length, bold bool, c color.Color, xa draw.XAlignment, ya draw.YAlignment) text.Style {
	return text.Style{Color: c, Font: sans(size, bold), XAlign: xa, YAlign: ya, Handler: plot.DefaultTextHandler}
}

// newPlot is a plot with sans-serif text throughout: title, axis labels,
// tick labels and legend.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13, true)
	p.Title.Padding = px(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(11, false)
		a.Tick.Label.Font = sans(10, false)
	}
	p.Legend.TextStyle.Font = sans(10, false)
	return p
}

// palette holds the series colours, in order (matplotlib's tab10), and
// paletteColor cycles through it.
var palette = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
	{188, 189, 34, 255}, {23, 190, 207, 255},
}

func paletteColor(i int) color.RGBA { return palette[i%len(palette)] }

// savePNG encodes the canvas as PNG and writes it to path atomically.
func savePNG(path string, c *vgimg.Canvas) error {
	var b bytes.Buffer
	if err := png.Encode(&b, c.Image()); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	if err := WriteFileAtomic(path, b.Bytes()); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}

// WriteFileAtomic writes data to path so that a reader (or a crash) never
// sees a half-written file: a temporary file in the same directory is
// written, synced, made world-readable and renamed over path. Errors name
// path.
func WriteFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("%s: %w", path, err)
		}
	}()
	if _, err = f.Write(data); err != nil {
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
