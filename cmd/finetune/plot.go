package main

import (
	"path/filepath"

	"twostage/cmd/internal/cli"
)

// plot draws finetune.png from metrics.jsonl: the loss, the accuracy on the
// labelled training batches and the test accuracy (for meanteacher the
// teacher's and the student's) per epoch, of this
// command's rows of the latest run only; epochs not evaluated (-1) are
// left out, so the test line joins the evaluated ones.
func plot(dir, jsonl string) error {
	rows, err := cli.ReadJSONL[epochLog](jsonl)
	if err != nil {
		return err
	}
	var x, loss, lab, test, student []float64
	method := ""
	for _, r := range rows {
		if r.Stage != stage {
			continue
		}
		x, loss, lab = append(x, float64(r.Epoch+1)), append(loss, r.Loss), append(lab, r.LabeledAcc)
		test, student = append(test, r.TestAcc), append(student, r.StudentAcc)
		method = r.Method
	}
	s := cli.LastRun(x)
	x, loss, lab, test, student = x[s:], loss[s:], lab[s:], test[s:], student[s:]
	tx, ty := cli.MeasuredPoints(x, test)
	series := []cli.Series{
		{Name: "loss", X: x, Y: loss, Axis: 0},
		{Name: "labelled batch acc", X: x, Y: lab, Axis: 1},
		{Name: "test acc", X: tx, Y: ty, Axis: 1},
	}
	if method == "meanteacher" { // test acc is the teacher's: the student's beside it
		series[2].Name = "test acc (teacher)"
		sx, sy := cli.MeasuredPoints(x, student)
		series = append(series, cli.Series{Name: "test acc (student)", X: sx, Y: sy, Axis: 1})
	}
	return cli.PlotLines(filepath.Join(dir, "finetune.png"), "fine-tuning with few labels: "+method, "epoch", series)
}
