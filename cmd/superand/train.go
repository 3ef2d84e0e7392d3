package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"twostage/cmd/internal/cli"
	"twostage/superand"
)

// epochLog is one line of metrics.jsonl.
type epochLog struct {
	Stage     int     `json:"stage"`
	Round     int     `json:"round"`
	Epoch     int     `json:"epoch"`
	LR        float64 `json:"lr"`
	UEWeight  float64 `json:"ue_w"`
	Loss      float64 `json:"loss"`
	AND       float64 `json:"and_loss"`
	Aug       float64 `json:"aug_loss"`
	UE        float64 `json:"ue_loss"`
	KNN       float64 `json:"knn"`
	BestKNN   float64 `json:"best_knn"`
	Seconds   float64 `json:"epoch_s"`
	ImgPerSec float64 `json:"img_per_s"`
}

// train1 runs every remaining epoch, saving after each and on Ctrl-C; it
// returns the path of the last checkpoint.
func train1(cfg superand.Config, tr *superand.Trainer) (string, error) {
	ctx, stop := cli.WithSignals(context.Background())
	defer stop()
	log, err := cli.OpenJSONL(filepath.Join(cfg.ModelDir, "metrics.jsonl"))
	if err != nil {
		return "", err
	}
	defer log.Close()
	last := checkpointPath(cfg.ModelDir)
	save := func(path string) error {
		ck, err := tr.Checkpoint()
		if err != nil {
			return err
		}
		return ck.Save(path)
	}
	canKNN := labelled(tr.Train.Labels) && tr.Test != nil && labelled(tr.Test.Labels)
	if !canKNN {
		fmt.Fprintln(os.Stderr, "the training or test images have no labels: the kNN evaluation is skipped (training is unchanged; no superand_best checkpoint)")
	}
	for !tr.Done() {
		if tr.Epoch == 0 && tr.Batch == 0 {
			n, cons := tr.Discover()
			if tr.Round > 0 {
				fmt.Fprintf(os.Stderr, "round %d: %d anchors, neighbour label consistency %.4f\n", tr.Round, n, cons)
			}
		}
		label := fmt.Sprintf("round %d epoch %d/%d", tr.Round, tr.Epoch+1, cfg.Epochs)
		bar := newBar(label, cfg.BatchSize)
		st, err := tr.RunEpoch(ctx, func(b, nb int, loss float64) {
			bar.SetTotal(nb)
			p := tr.PartSums
			n := float64(b)
			bar.Update(b, cli.F("loss", loss), cli.F("and", p.AND/n), cli.F("aug", p.Aug/n), cli.F("ue", p.UE/n))
		})
		if errors.Is(err, context.Canceled) {
			bar.Done("interrupted")
			if err := save(last); err != nil {
				return "", err
			}
			fmt.Fprintf(os.Stderr, "interrupted: saved %s (resume with --resume %s)\n", last, last)
			return last, nil
		}
		if err != nil {
			bar.Done("failed")
			return "", err
		}
		knn := -1.0
		lastOfRound := tr.Epoch == 0 // RunEpoch moved to the next round
		if canKNN && ((st.Epoch+1)%cfg.EvalEvery == 0 || lastOfRound) {
			knn = tr.KNN()
		}
		knnText := "kNN not evaluated this epoch"
		if !canKNN {
			knnText = "kNN skipped (no labels)"
		}
		if knn >= 0 {
			knnText = fmt.Sprintf("kNN %.4f (best %.4f)", knn, tr.BestKNN)
		}
		bar.Done(fmt.Sprintf("loss %.4f  %s  %.0f img/s", st.Loss, knnText, float64(st.Images)/st.Seconds))
		if err := log.Write(epochLog{Stage: 1, Round: st.Round, Epoch: st.Epoch, LR: st.LR, UEWeight: st.UEWeight,
			Loss: st.Loss, AND: st.Parts.AND, Aug: st.Parts.Aug, UE: st.Parts.UE, KNN: knn, BestKNN: tr.BestKNN, Seconds: st.Seconds, ImgPerSec: float64(st.Images) / st.Seconds}); err != nil {
			return "", err
		}
		if err := save(last); err != nil {
			return "", err
		}
		if knn >= 0 && knn == tr.BestKNN {
			if err := save(bestPath(cfg.ModelDir)); err != nil {
				return "", err
			}
		}
		if err := plot(cfg.ModelDir, log.Path()); err != nil {
			fmt.Fprintf(os.Stderr, "warning: plot: %v\n", err)
		}
	}
	return last, nil
}

// plot draws superand.png from metrics.jsonl.
func plot(dir, jsonl string) error {
	rows, err := cli.ReadJSONL[epochLog](jsonl)
	if err != nil {
		return err
	}
	return cli.PlotLines(filepath.Join(dir, "superand.png"), "stage 1: Super-AND", "epoch", plotSeries(rows))
}

// plotSeries are the chart's lines: loss and kNN accuracy per epoch. Only
// stage 1's rows count (stage 2 logs to the same metrics.jsonl when both
// share --model_dir), and of them only the latest run's (a run from
// scratch in the same directory starts again at round 0, epoch 0); x counts
// its epochs over the rounds. A kNN logged as -1 (not evaluated) is left
// out, so the line joins the epochs that were evaluated.
func plotSeries(rows []epochLog) []cli.Series {
	var order, loss, acc []float64
	for _, r := range rows {
		if r.Stage != 1 {
			continue
		}
		order = append(order, float64(r.Round)*1e6+float64(r.Epoch))
		loss = append(loss, r.Loss)
		acc = append(acc, r.KNN)
	}
	s := cli.LastRun(order)
	x := make([]float64, len(order)-s)
	for i := range x {
		x[i] = float64(i + 1)
	}
	kx, ky := cli.MeasuredPoints(x, acc[s:])
	return []cli.Series{
		{Name: "loss", X: x, Y: loss[s:], Axis: 0},
		{Name: "kNN top-1", X: kx, Y: ky, Axis: 1},
	}
}

// labelled reports whether some image has a label (labels: -1 unknown).
func labelled(labels []int) bool {
	for _, l := range labels {
		if l >= 0 {
			return true
		}
	}
	return false
}

// newBar starts the progress display of one epoch on stderr.
func newBar(label string, batch int) *cli.Progress {
	bar := cli.NewProgress(os.Stderr, label, 0, cli.IsTerminal(os.Stderr))
	bar.PerStep = batch
	bar.Start() // the terminal bar counts images from here
	return bar
}
