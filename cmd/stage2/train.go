package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"twostage/cmd/internal/cli"
	"twostage/nn"
	"twostage/stage2"
)

// epochLosses are an epoch's training figures, in metrics.jsonl and
// restarts.jsonl alike.
type epochLosses struct {
	Epoch    int       `json:"epoch"`
	LR       float64   `json:"lr"`
	Loss     float64   `json:"loss"`
	CP       float64   `json:"cp_loss"`
	HeadLoss []float64 `json:"head_loss"`
	BestHead int       `json:"best_head"` // the answer head: the lowest loss, or ChooseHead's where the epoch was evaluated
	Seconds  float64   `json:"epoch_s"`
}

func lossesOf(st stage2.EpochStats) epochLosses {
	return epochLosses{Epoch: st.Epoch, LR: st.LR, Loss: st.Loss, CP: st.CP, HeadLoss: st.HeadLoss, BestHead: stage2.BestHead(st.HeadLoss), Seconds: st.Seconds}
}

// epochLog is one line of metrics.jsonl.
type epochLog struct {
	Stage int `json:"stage"`
	epochLosses
	Acc     float64   `json:"acc"`
	NMI     float64   `json:"nmi"`
	ARI     float64   `json:"ari"`
	TestAcc float64   `json:"test_acc"`
	HeadAcc []float64 `json:"train_all_heads_acc"`
}

// unevaluated is the metrics.jsonl row of an epoch without an evaluation
// (its scores NaN until one fills them).
func unevaluated(st stage2.EpochStats) epochLog {
	return epochLog{Stage: 2, epochLosses: lossesOf(st), Acc: math.NaN(), NMI: math.NaN(), ARI: math.NaN(), TestAcc: math.NaN()}
}

func checkpointPath(dir string) string { return filepath.Join(dir, "stage2.safetensors") }
func bestPath(dir string) string       { return filepath.Join(dir, "stage2_best.safetensors") }
func restartsPath(dir string) string   { return filepath.Join(dir, "restarts.jsonl") }

// train2 runs the remaining epochs, evaluating, logging and saving after
// each; Ctrl-C saves and returns. The result is the evaluation of the
// epoch with the lowest mean training loss, the one the authors' main.py
// keeps ("Final best accuracy"), with the last epoch's under "last".
// start is the stage-1 checkpoint when the run starts from it (nil when it
// continues a stage-2 one): then --restarts above 1 first runs the restarts'
// trial epochs (chooseRestart) and goes on with the kept one.
func train2(cfg stage2.Config, tr *stage2.Trainer, start *nn.Checkpoint) (map[string]any, error) {
	ctx, stop := cli.WithSignals(context.Background())
	defer stop()
	log, err := cli.OpenJSONL(filepath.Join(cfg.ModelDir, "metrics.jsonl"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	// assigned is the chosen head and its class mapping when the current
	// weights were evaluated (nil otherwise): saved with them for cmd/predict.
	var assigned *stage2.Assignment
	save := func(path string) error {
		ck, err := tr.Checkpoint()
		if err != nil {
			return err
		}
		if err := stage2.PutInference(ck, stage2.DataInfoOf(cfg.Dataset, tr.Train), assigned); err != nil {
			return err
		}
		return ck.Save(path)
	}
	var res map[string]any
	var restarts []map[string]any
	if start != nil && cfg.Restarts > 1 {
		var rows []epochLog
		tr, rows, restarts, err = chooseRestart(ctx, cfg, tr, start)
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "interrupted during the restarts' trial epochs: nothing saved")
			return map[string]any{"stage": 2, "dataset": cfg.Dataset, "interrupted": true}, nil
		}
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if err := log.Write(r); err != nil {
				return nil, err
			}
		}
		// The kept run's state, and its best so far when that is now (a
		// best file of an earlier run in this directory must not stand in).
		if err := save(checkpointPath(cfg.ModelDir)); err != nil {
			return nil, err
		}
		if err := os.Remove(bestPath(cfg.ModelDir)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if len(rows) > 0 && rows[len(rows)-1].Loss == tr.BestLoss {
			if err := save(bestPath(cfg.ModelDir)); err != nil {
				return nil, err
			}
		}
	}
	for !tr.Done() {
		assigned = nil
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
		row := unevaluated(st)
		line := fmt.Sprintf("loss %.4f  head %d  not evaluated this epoch", st.Loss, row.BestHead)
		if (st.Epoch+1)%cfg.EvalEvery == 0 || tr.Done() {
			var trainEv, testEv *stage2.Eval
			res, trainEv, testEv = evaluateAll(cfg, tr)
			assigned = assignmentOf(res, trainEv)
			b := res["head"].(int)
			row.BestHead = b
			row.Acc, row.NMI, row.ARI = trainEv.Scores[b].Acc, trainEv.Scores[b].NMI, trainEv.Scores[b].ARI
			row.TestAcc = testEv.Scores[b].Acc
			for _, s := range trainEv.Scores {
				row.HeadAcc = append(row.HeadAcc, s.Acc)
			}
			line = fmt.Sprintf("loss %.4f  head %d  acc %.4f  nmi %.4f  ari %.4f  test acc %.4f  (best head %.4f, mean of %d %.4f)",
				st.Loss, b, row.Acc, row.NMI, row.ARI, row.TestAcc, maxOf(row.HeadAcc), len(row.HeadAcc), meanOf(row.HeadAcc))
			if math.IsNaN(row.Acc) { // no labels: nothing to score
				line = fmt.Sprintf("loss %.4f  head %d  cluster sizes %v (no labels to score)", st.Loss, b, clusterSizes(trainEv.Preds[b], tr.Classes))
			}
		}
		bar.Done(line)
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
	res, err = lowestLoss(cfg, tr, res)
	if err == nil && restarts != nil {
		res["restarts"] = restarts
	}
	return res, err
}

// lowestLoss returns the result of the run: the evaluation of the
// lowest-loss checkpoint (stage2_best.safetensors, saved whenever an
// epoch's mean loss is the lowest so far) with last, the evaluation of the
// final weights, under "last". When the last epoch is the lowest-loss one
// that is last itself; otherwise the best checkpoint is evaluated now (it
// may not have been evaluated when it was trained, with --eval_every > 1),
// and its outputs (predictions, confusion matrix, embeddings) replace the
// last epoch's, so the files match the reported numbers.
func lowestLoss(cfg stage2.Config, tr *stage2.Trainer, last map[string]any) (map[string]any, error) {
	ck, err := nn.LoadCheckpoint(bestPath(cfg.ModelDir))
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "warning: no %s: the result is the last epoch's\n", bestPath(cfg.ModelDir))
		last["last"] = summary(last)
		return last, nil
	}
	if err != nil {
		return nil, err
	}
	best := stage2.NewTrainer(tr.BE, tr.Cfg, tr.Classes, tr.Train, tr.Test)
	if err := best.Restore(ck); err != nil {
		return nil, err
	}
	if best.Epoch == tr.Epoch && best.BestLoss == tr.BestLoss {
		last["last"] = summary(last)
		return last, nil
	}
	fmt.Fprintf(os.Stderr, "the lowest training loss (%.4f) was epoch %d's: evaluating %s\n", best.BestLoss, best.Epoch, ck.Path)
	res, trainEv, _ := evaluateAll(cfg, best)
	res["last"] = summary(last)
	// The best checkpoint now has an evaluation: record its assignment.
	if err := stage2.PutInference(ck, stage2.DataInfoOf(cfg.Dataset, tr.Train), assignmentOf(res, trainEv)); err != nil {
		return nil, err
	}
	return res, ck.Save(ck.Path)
}

// jsonSafe replaces NaN (not representable in JSON) by -1, including every
// score of images without labels.
func jsonSafe(r epochLog) epochLog {
	for _, p := range []*float64{&r.Acc, &r.NMI, &r.ARI, &r.TestAcc} {
		if math.IsNaN(*p) {
			*p = -1
		}
	}
	r.HeadAcc = append([]float64(nil), r.HeadAcc...)
	for i, a := range r.HeadAcc {
		if math.IsNaN(a) {
			r.HeadAcc[i] = -1
		}
	}
	return r
}

// newBar starts the progress display of one epoch on stderr.
func newBar(label string, batch int) *cli.Progress {
	bar := cli.NewProgress(os.Stderr, label, 0, cli.IsTerminal(os.Stderr))
	bar.PerStep = batch
	bar.Start() // the terminal bar counts images from here
	return bar
}
