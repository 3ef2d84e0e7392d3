package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"twostage/cmd/internal/cli"
	"twostage/stage2"
)

// epochLog is one line of metrics.jsonl.
type epochLog struct {
	Stage    int       `json:"stage"`
	Epoch    int       `json:"epoch"`
	LR       float64   `json:"lr"`
	Loss     float64   `json:"loss"`
	CP       float64   `json:"cp_loss"`
	HeadLoss []float64 `json:"head_loss"`
	BestHead int       `json:"best_head"`
	Acc      float64   `json:"acc"`
	NMI      float64   `json:"nmi"`
	ARI      float64   `json:"ari"`
	TestAcc  float64   `json:"test_acc"`
	HeadAcc  []float64 `json:"train_all_heads_acc"`
	Seconds  float64   `json:"epoch_s"`
}

func checkpointPath(dir string) string { return filepath.Join(dir, "stage2.safetensors") }
func bestPath(dir string) string       { return filepath.Join(dir, "stage2_best.safetensors") }

// train2 runs the remaining epochs, evaluating, logging and saving after
// each; Ctrl-C saves and returns.
func train2(cfg stage2.Config, tr *stage2.Trainer) (map[string]any, error) {
	ctx, stop := cli.WithSignals(context.Background())
	defer stop()
	log, err := cli.OpenJSONL(filepath.Join(cfg.ModelDir, "metrics.jsonl"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	save := func(path string) error {
		ck, err := tr.Checkpoint()
		if err != nil {
			return err
		}
		return ck.Save(path)
	}
	var res map[string]any
	for !tr.Done() {
		bar := newBar(fmt.Sprintf("stage 2 epoch %d/%d", tr.Epoch+1, cfg.Epochs), cfg.BatchSize)
		st, err := tr.RunEpoch(ctx, func(b, nb int, loss float64) {
			bar.SetTotal(nb)
			n := float64(b)
			mi := 0.0
			for _, l := range tr.Partial.HeadLoss {
				mi += l
			}
			bar.Update(b, cli.F("loss", loss), cli.F("cp", tr.Partial.CP/n), cli.F("iic", mi/n/float64(len(tr.Partial.HeadLoss))))
		})
		if errors.Is(err, context.Canceled) {
			bar.Done("interrupted")
			if err := save(checkpointPath(cfg.ModelDir)); err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "interrupted: saved %s\n", checkpointPath(cfg.ModelDir))
			if res == nil {
				res = map[string]any{"stage": 2, "dataset": cfg.Dataset, "interrupted": true}
			}
			return res, nil
		}
		if err != nil {
			bar.Done("failed")
			return nil, err
		}
		row := epochLog{Stage: 2, Epoch: st.Epoch, LR: st.LR, Loss: st.Loss, CP: st.CP, HeadLoss: st.HeadLoss,
			BestHead: stage2.BestHead(st.HeadLoss), Acc: math.NaN(), NMI: math.NaN(), ARI: math.NaN(), TestAcc: math.NaN(), Seconds: st.Seconds}
		if (st.Epoch+1)%cfg.EvalEvery == 0 || tr.Done() {
			var trainEv, testEv *stage2.Eval
			res, trainEv, testEv = evaluateAll(cfg, tr)
			b := row.BestHead
			row.Acc, row.NMI, row.ARI = trainEv.Scores[b].Acc, trainEv.Scores[b].NMI, trainEv.Scores[b].ARI
			row.TestAcc = testEv.Scores[b].Acc
			for _, s := range trainEv.Scores {
				row.HeadAcc = append(row.HeadAcc, s.Acc)
			}
		}
		bar.Done(fmt.Sprintf("loss %.4f  head %d  acc %.4f  nmi %.4f  ari %.4f  test acc %.4f", st.Loss, row.BestHead, row.Acc, row.NMI, row.ARI, row.TestAcc))
		if err := log.Write(jsonSafe(row)); err != nil {
			return nil, err
		}
		if err := save(checkpointPath(cfg.ModelDir)); err != nil {
			return nil, err
		}
		if st.Loss == tr.BestLoss {
			if err := save(bestPath(cfg.ModelDir)); err != nil {
				return nil, err
			}
		}
		if err := plot(cfg.ModelDir, log.Path()); err != nil {
			fmt.Fprintf(os.Stderr, "warning: plot: %v\n", err)
		}
	}
	if res == nil { // nothing left to train: evaluate the checkpoint
		res, _, _ = evaluateAll(cfg, tr)
	}
	return res, nil
}

// jsonSafe replaces NaN (not representable in JSON) by -1.
func jsonSafe(r epochLog) epochLog {
	for _, p := range []*float64{&r.Acc, &r.NMI, &r.ARI, &r.TestAcc} {
		if math.IsNaN(*p) {
			*p = -1
		}
	}
	return r
}

// plot draws the loss and the chosen head's accuracy per epoch.
func plot(dir, jsonl string) error {
	rows, err := cli.ReadJSONL[epochLog](jsonl)
	if err != nil {
		return err
	}
	var x, loss, acc, test []float64
	for i, r := range rows {
		x = append(x, float64(i+1))
		loss = append(loss, r.Loss)
		acc = append(acc, orNaN(r.Acc))
		test = append(test, orNaN(r.TestAcc))
	}
	return cli.PlotLines(filepath.Join(dir, "stage2.png"), "stage 2: IIC + CP on normalised-FC heads", "epoch", []cli.Series{
		{Name: "loss", X: x, Y: loss, Axis: 0},
		{Name: "train acc (best head)", X: x, Y: acc, Axis: 1},
		{Name: "test acc", X: x, Y: test, Axis: 1},
	})
}

func orNaN(v float64) float64 {
	if v < 0 {
		return math.NaN()
	}
	return v
}

// newBar starts the progress display of one epoch on stderr.
func newBar(label string, batch int) *cli.Progress {
	bar := cli.NewProgress(os.Stderr, label, 0, cli.IsTerminal(os.Stderr))
	bar.PerStep = batch
	return bar
}
