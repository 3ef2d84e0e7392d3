package main

import (
	"path/filepath"

	"twostage/cmd/internal/cli"
)

// plot draws finetune.png from metrics.jsonl: the loss, the accuracy on the
// labelled training batches and the test accuracy per epoch, of this
// command's rows of the latest run only; epochs not evaluated (-1) are
// left out, so the test line joins the evaluated ones.
func plot(dir, jsonl string) error {
	rows, err := cli.ReadJSONL[epochLog](jsonl)
	if err != nil {
		return err
	}
	var x, loss, lab, test []float64
	method := ""
	for _, r := range rows {
		if r.Stage != stage {
			continue
		}
		x, loss, lab, test = append(x, float64(r.Epoch+1)), append(loss, r.Loss), append(lab, r.LabeledAcc), append(test, r.TestAcc)
		method = r.Method
	}
	s := cli.LastRun(x)
	x, loss, lab, test = x[s:], loss[s:], lab[s:], test[s:]
	tx, ty := cli.MeasuredPoints(x, test)
	return cli.PlotLines(filepath.Join(dir, "finetune.png"), "fine-tuning with few labels: "+method, "epoch", []cli.Series{
		{Name: "loss", X: x, Y: loss, Axis: 0},
		{Name: "labelled batch acc", X: x, Y: lab, Axis: 1},
		{Name: "test acc", X: tx, Y: ty, Axis: 1},
	})
}
