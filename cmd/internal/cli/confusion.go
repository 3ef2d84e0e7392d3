package cli

import (
	"fmt"
	"image"
	"image/color"
	"strconv"
)

// PlotConfusion draws the confusion matrix m as a PNG heatmap and writes it
// to path atomically. m[i][j] counts the images of true class i assigned to
// column j (a cluster, mapped to a class by the Hungarian matching), so that
// a perfect clustering is diagonal. rowNames and colNames label the rows and
// columns (nil: their indexes). Each cell shows its count; its shade is the
// count's fraction of its row (the per-class recall), so classes of
// different sizes read alike. The image grows with the matrix: cells are
// 28 to 64 pixels, wide enough for their counts.
func PlotConfusion(path string, m [][]int, rowNames, colNames []string, title string) error {
	img, err := renderConfusion(m, rowNames, colNames, title)
	if err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	return writePNG(path, img)
}

// Shades of the heatmap: a fraction 0 of the row is white, 1 is dark blue.
var (
	cellLight = color.RGBA{247, 251, 255, 255}
	cellDark  = color.RGBA{8, 48, 107, 255}
)

// shade interpolates between cellLight (t = 0) and cellDark (t = 1).
func shade(t float64) color.RGBA {
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + t*(float64(b)-float64(a)) + 0.5) }
	return color.RGBA{mix(cellLight.R, cellDark.R), mix(cellLight.G, cellDark.G), mix(cellLight.B, cellDark.B), 255}
}

// renderConfusion draws the heatmap of PlotConfusion.
func renderConfusion(m [][]int, rowNames, colNames []string, title string) (*image.RGBA, error) {
	R := len(m)
	if R == 0 || len(m[0]) == 0 {
		return nil, fmt.Errorf("confusion matrix is empty (%d rows)", R)
	}
	C := len(m[0])
	// Check the matrix and gather what the layout needs: row sums (for the
	// shades) and the widest count (for the cell size).
	rowSum := make([]int, R)
	maxDigits := 1
	for i, row := range m {
		if len(row) != C {
			return nil, fmt.Errorf("confusion matrix row %d has %d columns, row 0 has %d", i, len(row), C)
		}
		for j, v := range row {
			if v < 0 {
				return nil, fmt.Errorf("confusion matrix [%d][%d] = %d is negative", i, j, v)
			}
			rowSum[i] += v
			maxDigits = max(maxDigits, len(strconv.Itoa(v)))
		}
	}
	// Labels default to the indexes; given ones must match the matrix.
	names := func(given []string, n int, what string) ([]string, error) {
		if given == nil {
			given = make([]string, n)
			for i := range given {
				given[i] = strconv.Itoa(i)
			}
		}
		if len(given) != n {
			return nil, fmt.Errorf("%d %s names for %d %ss", len(given), what, n, what)
		}
		return given, nil
	}
	rowNames, err := names(rowNames, R, "row")
	if err != nil {
		return nil, err
	}
	colNames, err = names(colNames, C, "column")
	if err != nil {
		return nil, err
	}

	// Cell size: about 560 pixels for the larger side, within [28, 64], and
	// at least the width of the longest count plus a margin.
	cell := min(64, max(28, 560/max(R, C)))
	cell = max(cell, maxDigits*glyphW+8)
	maxW := func(ss []string) int {
		w := 0
		for _, s := range ss {
			w = max(w, textWidth(s))
		}
		return w
	}
	// Column names go under the grid, horizontal when every one fits in its
	// cell and turned upwards otherwise.
	colUp := maxW(colNames) > cell-4
	colH := lineH
	if colUp {
		colH = maxW(colNames)
	}
	// Margins: left for the turned "true class" and the row names, top for
	// the title and the note, bottom for the column names and the x label.
	// The image is at least as wide as its title.
	const pad = 10
	const yLabel, xLabel = "true class", "cluster (mapped to class)"
	note := "shade: fraction of the row"
	ml := pad + lineH + 8 + maxW(rowNames) + 8
	mt := pad + lineH + 4 + lineH + 10
	grid := image.Rect(ml, mt, ml+C*cell, mt+R*cell)
	W := max(grid.Max.X+pad*2, textWidth(title)+2*pad, textWidth(note)+2*pad)
	H := grid.Max.Y + 6 + colH + 6 + lineH + pad

	img := image.NewRGBA(image.Rect(0, 0, W, H))
	fillRect(img, img.Bounds(), white)
	drawText(img, title, W/2, pad, center, top, textColor, true)
	drawText(img, note, W/2, pad+lineH+4, center, top, axisGray, false)

	for i := range R {
		for j := range C {
			t := 0.0
			if rowSum[i] > 0 {
				t = float64(m[i][j]) / float64(rowSum[i])
			}
			r := image.Rect(grid.Min.X+j*cell, grid.Min.Y+i*cell, grid.Min.X+(j+1)*cell, grid.Min.Y+(i+1)*cell)
			fillRect(img, r, shade(t))
			// The count, in white on the darker half of the scale.
			ink := black
			if t > 0.5 {
				ink = white
			}
			drawText(img, strconv.Itoa(m[i][j]), (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2, center, middle, ink, false)
		}
	}
	// Thin separating lines and a frame.
	for i := 0; i <= R; i++ {
		y := grid.Min.Y + i*cell
		fillRect(img, image.Rect(grid.Min.X, y, grid.Max.X+1, y+1), gridGray)
	}
	for j := 0; j <= C; j++ {
		x := grid.Min.X + j*cell
		fillRect(img, image.Rect(x, grid.Min.Y, x+1, grid.Max.Y+1), gridGray)
	}

	// Labels: row names right-aligned on the left, column names under the
	// grid, then the axis titles.
	for i, s := range rowNames {
		drawText(img, s, grid.Min.X-6, grid.Min.Y+i*cell+cell/2, right, middle, textColor, false)
	}
	for j, s := range colNames {
		x := grid.Min.X + j*cell + cell/2
		if colUp {
			drawTextUp(img, s, x, grid.Max.Y+6, center, top, textColor)
		} else {
			drawText(img, s, x, grid.Max.Y+6, center, top, textColor, false)
		}
	}
	drawTextUp(img, yLabel, pad, (grid.Min.Y+grid.Max.Y)/2, left, middle, textColor)
	drawText(img, xLabel, (grid.Min.X+grid.Max.X)/2, H-pad, center, bottom, textColor, false)
	return img, nil
}
