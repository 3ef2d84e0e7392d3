package main

import (
	"path/filepath"

	"twostage/cmd/internal/cli"
)

// plot draws stage2.png from metrics.jsonl: the loss and the chosen head's
// accuracy per epoch.
func plot(dir, jsonl string) error {
	rows, err := readRows(jsonl)
	if err != nil {
		return err
	}
	return cli.PlotLines(filepath.Join(dir, "stage2.png"), "stage 2: IIC + CP on normalised-FC heads", "epoch", plotSeries(rows))
}

// plotSeries are the chart's lines. Only stage 2's rows count (stage 1
// logs to the same metrics.jsonl when both share --model_dir), and of them
// only the latest run's; x is the stage-2 epoch (1 = the first). An
// accuracy logged as a placeholder (-1: not evaluated that epoch) is left
// out, so the line joins the epochs that were evaluated.
func plotSeries(rows []epochLog) []cli.Series {
	var x, loss, acc, test []float64
	for _, r := range rows {
		if r.Stage != 2 {
			continue
		}
		x = append(x, float64(r.Epoch+1))
		loss = append(loss, r.Loss)
		acc = append(acc, r.Acc)
		test = append(test, r.TestAcc)
	}
	s := cli.LastRun(x)
	x, loss, acc, test = x[s:], loss[s:], acc[s:], test[s:]
	ax, ay := cli.MeasuredPoints(x, acc)
	tx, ty := cli.MeasuredPoints(x, test)
	return []cli.Series{
		{Name: "loss", X: x, Y: loss, Axis: 0},
		{Name: "train acc (best head)", X: ax, Y: ay, Axis: 1},
		{Name: "test acc", X: tx, Y: ty, Axis: 1},
	}
}

// readRows reads metrics.jsonl; rows of stage 1 decode too (with zero
// fields where stage 2 has more), plotSeries drops them by their stage.
func readRows(jsonl string) ([]epochLog, error) { return cli.ReadJSONL[epochLog](jsonl) }
