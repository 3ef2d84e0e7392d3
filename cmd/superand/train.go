package main

import (
	"context"
	"errors"
	"fmt"
	"math"
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
		if (st.Epoch+1)%cfg.EvalEvery == 0 || lastOfRound {
			knn = tr.KNN()
		}
		knnText := "kNN not evaluated this epoch"
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

// plot draws loss and kNN accuracy per epoch from metrics.jsonl.
func plot(dir, jsonl string) error {
	rows, err := cli.ReadJSONL[epochLog](jsonl)
	if err != nil {
		return err
	}
	var x, loss, acc []float64
	for i, r := range rows {
		x = append(x, float64(i+1))
		loss = append(loss, r.Loss)
		if r.KNN >= 0 {
			acc = append(acc, r.KNN)
		} else {
			acc = append(acc, math.NaN())
		}
	}
	return cli.PlotLines(filepath.Join(dir, "superand.png"), "stage 1: Super-AND", "epoch", []cli.Series{
		{Name: "loss", X: x, Y: loss, Axis: 0},
		{Name: "kNN top-1", X: x, Y: acc, Axis: 1},
	})
}

// newBar starts the progress display of one epoch on stderr.
func newBar(label string, batch int) *cli.Progress {
	bar := cli.NewProgress(os.Stderr, label, 0, cli.IsTerminal(os.Stderr))
	bar.PerStep = batch
	return bar
}
