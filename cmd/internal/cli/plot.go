package cli

import (
	"fmt"
	"image"
	"math"
	"strings"
)

// Series is one line of a PlotLines chart: the points (X[i], Y[i]) joined in
// order. A point with a NaN or infinite coordinate is left out and breaks the
// line there. Axis picks the y axis: 0 the left one (losses), 1 the right
// one (accuracies).
type Series struct {
	Name string
	X, Y []float64
	Axis int
}

// Size of a PlotLines image in pixels.
const (
	PlotW = 900
	PlotH = 500
)

// PlotLines draws series as a PlotW×PlotH PNG line chart and writes it to
// path atomically. The chart has a title, a legend above the plot area, an x
// axis labelled xlabel, and up to two y axes, each scaled to the finite
// values of its own series and labelled with their names: the left for
// Axis 0, the right for Axis 1. Points are marked when a series has few of
// them. Series with no finite point, or no series at all, give an empty
// chart, not an error; X and Y of different lengths, or an Axis other than
// 0 or 1, are errors.
func PlotLines(path, title, xlabel string, series []Series) error {
	img, err := renderLines(title, xlabel, series)
	if err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	return writePNG(path, img)
}

// finite reports whether a point can be drawn.
func finite(x, y float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0) && !math.IsNaN(y) && !math.IsInf(y, 0)
}

// extent gathers the extent of the finite points of the series on one
// axis (axis -1: x of every series). ok is false when there is none.
type extent struct {
	lo, hi  float64
	ints    bool // every value is an integer (epochs): ticks at least 1 apart
	ok      bool
	names   []string
	present bool // some series uses the axis, even with no finite point
}

func (e *extent) add(v float64) {
	if !e.ok {
		e.lo, e.hi, e.ints, e.ok = v, v, true, true
	}
	e.lo, e.hi = min(e.lo, v), max(e.hi, v)
	e.ints = e.ints && v == math.Trunc(v)
}

// ticks places the ticks of an axis; an axis without data gets [0, 1].
func (e *extent) ticks() []float64 {
	if !e.ok {
		return niceTicks(0, 1, 5, 0)
	}
	minStep := 0.0
	if e.ints {
		minStep = 1
	}
	return niceTicks(e.lo, e.hi, 6, minStep)
}

// renderLines draws the chart of PlotLines.
func renderLines(title, xlabel string, series []Series) (*image.RGBA, error) {
	var xs extent
	var ys [2]extent
	for i, s := range series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("series %d (%q): %d x values but %d y values", i, s.Name, len(s.X), len(s.Y))
		}
		if s.Axis != 0 && s.Axis != 1 {
			return nil, fmt.Errorf("series %d (%q): axis %d, want 0 (left) or 1 (right)", i, s.Name, s.Axis)
		}
		y := &ys[s.Axis]
		y.present = true
		y.names = append(y.names, s.Name)
		for j := range s.X {
			if finite(s.X[j], s.Y[j]) {
				xs.add(s.X[j])
				y.add(s.Y[j])
			}
		}
	}
	xt := xs.ticks()
	var yt [2][]float64
	for a := range ys {
		yt[a] = ys[a].ticks()
	}
	// Only the right axis in use: it is still drawn on the right, and the
	// grid follows it.
	gridAxis := 0
	if !ys[0].present && ys[1].present {
		gridAxis = 1
	}

	// Layout: margins fit the tick labels, the axis labels and the legend.
	tickW := func(t []float64) int {
		w := 0
		for _, v := range t {
			w = max(w, textWidth(formatTick(v, t[1]-t[0])))
		}
		return w
	}
	// Left margin: the turned axis label (lineH wide), then the tick labels
	// right-aligned 6 px from the frame. The right one mirrors it when the
	// right axis is in use. Top: title, legend rows; bottom: tick labels and
	// the x label.
	const pad = 8
	ml := pad + lineH + 6 + tickW(yt[0]) + 6
	mr := 3 * pad
	if ys[1].present {
		mr = pad + lineH + 6 + tickW(yt[1]) + 6
	}
	legend := legendRows(series, PlotW-ml-mr)
	mt := pad + lineH + 6 + len(legend)*(lineH+2) + 6
	mb := 6 + lineH + 4 + lineH + pad
	plot := image.Rect(ml, mt, PlotW-mr, PlotH-mb)

	img := image.NewRGBA(image.Rect(0, 0, PlotW, PlotH))
	fillRect(img, img.Bounds(), white)
	drawText(img, title, PlotW/2, pad, center, top, textColor, true)

	// Maps from data to pixels (y grows downwards).
	// The outer ticks are the ends of each axis; a value v maps linearly
	// from [first tick, last tick] to the pixel centres of the frame.
	xLo, xHi := xt[0], xt[len(xt)-1]
	px := func(x float64) float64 {
		return float64(plot.Min.X) + (x-xLo)/(xHi-xLo)*float64(plot.Dx()-1)
	}
	py := func(a int, y float64) float64 {
		lo, hi := yt[a][0], yt[a][len(yt[a])-1]
		return float64(plot.Max.Y-1) - (y-lo)/(hi-lo)*float64(plot.Dy()-1)
	}

	// Grid, ticks and tick labels. Lines are snapped to whole pixels and
	// drawn 1 px wide without anti-aliasing, so the grid stays crisp.
	for _, x := range xt {
		c := int(math.Round(px(x)))
		fillRect(img, image.Rect(c, plot.Min.Y, c+1, plot.Max.Y), gridGray)
		fillRect(img, image.Rect(c, plot.Max.Y, c+1, plot.Max.Y+4), axisGray)
		drawText(img, formatTick(x, xt[1]-xt[0]), c, plot.Max.Y+6, center, top, textColor, false)
	}
	for a := range ys {
		if a == 1 && !ys[1].present {
			continue
		}
		t := yt[a]
		for _, y := range t {
			r := int(math.Round(py(a, y)))
			if a == gridAxis {
				fillRect(img, image.Rect(plot.Min.X, r, plot.Max.X, r+1), gridGray)
			}
			label := formatTick(y, t[1]-t[0])
			if a == 0 {
				fillRect(img, image.Rect(plot.Min.X-4, r, plot.Min.X, r+1), axisGray)
				drawText(img, label, plot.Min.X-6, r, right, middle, textColor, false)
			} else {
				fillRect(img, image.Rect(plot.Max.X, r, plot.Max.X+4, r+1), axisGray)
				drawText(img, label, plot.Max.X+6, r, left, middle, textColor, false)
			}
		}
	}
	// The frame.
	fillRect(img, image.Rect(plot.Min.X-1, plot.Min.Y-1, plot.Max.X+1, plot.Min.Y), axisGray)
	fillRect(img, image.Rect(plot.Min.X-1, plot.Max.Y, plot.Max.X+1, plot.Max.Y+1), axisGray)
	fillRect(img, image.Rect(plot.Min.X-1, plot.Min.Y, plot.Min.X, plot.Max.Y), axisGray)
	fillRect(img, image.Rect(plot.Max.X, plot.Min.Y, plot.Max.X+1, plot.Max.Y), axisGray)

	// Axis labels: x below, y turned upwards beside the tick labels.
	drawText(img, xlabel, (plot.Min.X+plot.Max.X)/2, PlotH-pad, center, bottom, textColor, false)
	axisLabel := func(a int) string {
		// The names of the axis' series, cut to the height of the plot.
		s := strings.Join(ys[a].names, ", ")
		if n := plot.Dy() / glyphW; len(s) > n {
			s = s[:max(0, n-3)] + "..."
		}
		return s
	}
	if ys[0].present {
		drawTextUp(img, axisLabel(0), pad, (plot.Min.Y+plot.Max.Y)/2, left, middle, textColor)
	}
	if ys[1].present {
		drawTextUp(img, axisLabel(1), PlotW-pad, (plot.Min.Y+plot.Max.Y)/2, right, middle, textColor)
	}
	if !xs.ok {
		drawText(img, "no data", (plot.Min.X+plot.Max.X)/2, (plot.Min.Y+plot.Max.Y)/2, center, middle, axisGray, false)
	}

	// The lines: one pen per series; a point is marked when the series has
	// at most markMax points, or when it stands alone between gaps.
	const markMax = 60
	for i, s := range series {
		p := newPen(img.Bounds(), 2)
		prev, havePrev := pt{}, false
		for j := range s.X {
			if !finite(s.X[j], s.Y[j]) {
				havePrev = false
				continue
			}
			q := pt{px(s.X[j]), py(s.Axis, s.Y[j])}
			alone := !havePrev && (j+1 == len(s.X) || !finite(s.X[j+1], s.Y[j+1]))
			if havePrev {
				p.segment(prev, q)
				p.disc(q, 1) // a round joint
			}
			if len(s.X) <= markMax || alone {
				p.disc(q, 3)
			}
			prev, havePrev = q, true
		}
		p.paint(img, palette[i%len(palette)])
	}

	// The legend, above the plot area: a swatch and the name of each series.
	for r, row := range legend {
		y := pad + lineH + 6 + r*(lineH+2)
		x := plot.Min.X
		for _, e := range row {
			c := palette[e.index%len(palette)]
			fillRect(img, image.Rect(x, y+lineH/2-1, x+20, y+lineH/2+1), c)
			drawText(img, e.label, x+26, y, left, top, textColor, false)
			x += e.width
		}
	}
	return img, nil
}

// legendEntry is one series in the legend: its index (colour), its text and
// the width it takes, gap included.
type legendEntry struct {
	index int
	label string
	width int
}

// legendRows lays the legend out in rows no wider than w. A series on the
// right axis is marked "(right)" when both axes are in use.
func legendRows(series []Series, w int) [][]legendEntry {
	both := false
	for _, s := range series {
		both = both || s.Axis != series[0].Axis
	}
	var rows [][]legendEntry
	var row []legendEntry
	used := 0
	for i, s := range series {
		label := s.Name
		if both && s.Axis == 1 {
			label += " (right)"
		}
		e := legendEntry{index: i, label: label, width: 26 + textWidth(label) + 24}
		if len(row) > 0 && used+e.width > w {
			rows, row, used = append(rows, row), nil, 0
		}
		row, used = append(row, e), used+e.width
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}
