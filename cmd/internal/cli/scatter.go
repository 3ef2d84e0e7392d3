package cli

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// ScatterPanel is one panel of a PlotScatter picture: points (X[i], Y[i])
// coloured by Group[i], with Names[g] naming group g in the legend.
type ScatterPanel struct {
	Title        string
	XLabel       string
	YLabel       string
	X, Y         []float64
	Group        []int
	Names        []string
	LegendHeader string // "cluster", "true class"
}

// Size of one PlotScatter panel and its legend column, in pixels.
const (
	ScatterW      = 560
	ScatterH      = 560
	scatterLegend = 170
	legendMax     = 30 // more groups than this get no legend (their colours cycle)
)

// groupColor is the colour of group g of n: tab10 for up to 10 groups, else
// n evenly spaced hues (full saturation, alternating two lightnesses so
// neighbours differ).
func groupColor(g, n int) color.RGBA {
	if n <= len(palette) {
		return palette[g]
	}
	h := float64(g) / float64(n) * 6
	v := 0.85
	if g%2 == 1 {
		v = 0.6
	}
	f := h - math.Floor(h)
	q, t := v*(1-f), v*f
	var r, gr, b float64
	switch int(h) % 6 {
	case 0:
		r, gr, b = v, t, 0
	case 1:
		r, gr, b = q, v, 0
	case 2:
		r, gr, b = 0, v, t
	case 3:
		r, gr, b = 0, q, v
	case 4:
		r, gr, b = t, 0, v
	default:
		r, gr, b = v, 0, q
	}
	return color.RGBA{uint8(255 * r), uint8(255 * gr), uint8(255 * b), 255}
}

// PlotScatter draws the panels side by side as a PNG and writes it to path
// atomically: each a ScatterW×ScatterH gonum/plot scatter plot with its
// legend in a column to its right (up to legendMax groups). Points are
// drawn in their given order, each in its group's colour, slightly
// transparent so dense regions read darker. Panels of different lengths,
// groups outside Names, or no panel at all are errors.
func PlotScatter(path, title string, panels []ScatterPanel) error {
	c, err := renderScatter(title, panels)
	if err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	return savePNG(path, c)
}

// renderScatter draws the picture of PlotScatter.
func renderScatter(title string, panels []ScatterPanel) (*vgimg.Canvas, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("scatter plot has no panels")
	}
	const titleH = 36 // the picture's title above the panels' own titles
	W := len(panels) * (ScatterW + scatterLegend)
	H := ScatterH + titleH
	c := newCanvas(W, H)
	dc := draw.New(c)
	dc.FillText(textStyle(13, true, color.Black, draw.XCenter, draw.YTop), vg.Point{X: px(float64(W) / 2), Y: px(float64(H - 8))}, title)
	for k, pn := range panels {
		if len(pn.X) != len(pn.Y) || len(pn.X) != len(pn.Group) {
			return nil, fmt.Errorf("panel %d (%q): %d x, %d y and %d groups", k, pn.Title, len(pn.X), len(pn.Y), len(pn.Group))
		}
		n := len(pn.Names)
		xys := make(plotter.XYs, len(pn.X))
		for i := range pn.X {
			if g := pn.Group[i]; g < 0 || g >= n {
				return nil, fmt.Errorf("panel %d (%q): point %d in group %d of %d", k, pn.Title, i, g, n)
			}
			if !finite(pn.X[i], pn.Y[i]) {
				return nil, fmt.Errorf("panel %d (%q): point %d at (%g, %g)", k, pn.Title, i, pn.X[i], pn.Y[i])
			}
			xys[i] = plotter.XY{X: pn.X[i], Y: pn.Y[i]}
		}
		style := func(g int) draw.GlyphStyle {
			col := groupColor(g, n)
			col.A = 200
			col.R, col.G, col.B = uint8(int(col.R)*200/255), uint8(int(col.G)*200/255), uint8(int(col.B)*200/255) // premultiplied
			return draw.GlyphStyle{Color: col, Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
		}
		p := newPlot(pn.Title)
		p.X.Label.Text, p.Y.Label.Text = pn.XLabel, pn.YLabel
		p.Add(plotter.NewGrid())
		if len(xys) > 0 {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, fmt.Errorf("panel %d (%q): %w", k, pn.Title, err)
			}
			sc.GlyphStyleFunc = func(i int) draw.GlyphStyle { return style(pn.Group[i]) }
			p.Add(sc)
		}
		x0 := float64(k * (ScatterW + scatterLegend))
		area := draw.Crop(dc, px(x0+6), px(x0+ScatterW-float64(W)), px(6), -px(titleH))
		p.Draw(area)
		if n > legendMax {
			continue
		}
		l := plot.NewLegend()
		l.TextStyle.Font = sans(10, false)
		l.Top, l.Left = true, true
		for g, name := range pn.Names {
			st := style(g)
			st.Color = groupColor(g, n)
			st.Radius = vg.Points(3)
			l.Add(name, &plotter.Scatter{GlyphStyle: st})
		}
		la := draw.Crop(dc, px(x0+ScatterW+4), px(x0+ScatterW+scatterLegend-float64(W)), px(10), -px(titleH+32))
		la.FillText(textStyle(10, true, color.Black, draw.XLeft, draw.YBottom), vg.Point{X: la.Min.X, Y: la.Max.Y + px(6)}, pn.LegendHeader)
		l.Draw(la)
	}
	return c, nil
}
