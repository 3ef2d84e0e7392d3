package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"twostage/cmd/internal/cli"
	"twostage/data"
	"twostage/stage2"
)

// listImages returns the PNG and JPEG files under dir (any depth, by
// extension, case-insensitive), sorted. No such directory, or none in it,
// is an error naming dir.
func listImages(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".png", ".jpg", ".jpeg":
			if d.Type().IsRegular() {
				files = append(files, path)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("--images %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("--images %s: no *.png, *.jpg or *.jpeg files in it", dir)
	}
	sort.Strings(files)
	return files, nil
}

// row is one line of the CSV.
type row struct {
	path    string
	cluster int
	conf    float32
	class   string
}

// result is what predictAll found.
type result struct {
	rows    []row
	skipped []string
	sizes   map[int]int
}

// summary is the final JSON line.
func (r result) summary(elapsed time.Duration) map[string]any {
	clusters := map[string]int{}
	for c, n := range r.sizes {
		clusters[strconv.Itoa(c)] = n
	}
	out := map[string]any{"images": len(r.rows), "clusters": clusters, "seconds": elapsed.Seconds()}
	if len(r.skipped) > 0 {
		out["skipped"] = r.skipped
	}
	return out
}

// predictAll reads, prepares and predicts files batch at a time. A file
// that cannot be read as an image stops the run with an error naming it,
// or, with skipBad, is reported on log and left out.
func predictAll(p *stage2.Predictor, files []string, batch int, skipBad bool, log io.Writer) (result, error) {
	res := result{sizes: map[int]int{}}
	var x []float32
	var paths []string
	flush := func() {
		if len(paths) == 0 {
			return
		}
		cluster, conf, class := p.Predict(x, len(paths))
		for i, path := range paths {
			res.rows = append(res.rows, row{path, cluster[i], conf[i], class[i]})
			res.sizes[cluster[i]]++
		}
		x, paths = x[:0], paths[:0]
	}
	for _, f := range files {
		pix, h, w, err := data.ReadImage(f, p.Info.C)
		if err != nil {
			if !skipBad {
				return res, fmt.Errorf("%w; --skip_bad reports such files and goes on", err)
			}
			fmt.Fprintf(log, "skipped: %v\n", err)
			res.skipped = append(res.skipped, f)
			continue
		}
		x = append(x, p.Prepare(pix, h, w)...)
		paths = append(paths, f)
		if len(paths) == batch {
			flush()
		}
	}
	flush()
	if len(res.rows) == 0 {
		return res, fmt.Errorf("none of the %d images could be read", len(files))
	}
	return res, nil
}

// writeCSV writes the rows with a header line, atomically.
func writeCSV(path string, rows []row) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"path", "cluster", "confidence", "class"})
	for _, r := range rows {
		w.Write([]string{r.path, strconv.Itoa(r.cluster), strconv.FormatFloat(float64(r.conf), 'f', 4, 32), r.class})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if err := cli.WriteFileAtomic(path, b.Bytes()); err != nil {
		return fmt.Errorf("--out %w", err)
	}
	return nil
}
