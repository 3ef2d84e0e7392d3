package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"twostage/cmd/internal/cli"
	"twostage/finetune"
)

// stage is the "stage" field of this command's metrics.jsonl rows and
// result: 3, the step after the two stages. A number, as the stages' rows
// are, so that every command's plot decodes the metrics.jsonl they share
// when they share --model_dir and keeps only its own rows.
const stage = 3

// epochLog is one line of metrics.jsonl; accuracies not measured that
// epoch are -1 (JSON has no NaN).
type epochLog struct {
	Stage       int     `json:"stage"`
	Method      string  `json:"method"`
	Epoch       int     `json:"epoch"`
	LR          float64 `json:"lr"`
	Loss        float64 `json:"loss"`
	CE          float64 `json:"ce_loss"`
	Consistency float64 `json:"consistency_loss"`
	Weight      float64 `json:"consistency_w"`
	LabeledAcc  float64 `json:"labeled_acc"`
	TestAcc     float64 `json:"test_acc"`         // the result's: the teacher's for meanteacher
	StudentAcc  float64 `json:"student_test_acc"` // the student's
	TeacherAcc  float64 `json:"teacher_test_acc"` // -1 without a teacher
	Seconds     float64 `json:"epoch_s"`
}

func checkpointPath(dir string) string { return filepath.Join(dir, "finetune.safetensors") }

// run trains the remaining epochs, measuring the test accuracy every
// --eval_every epochs and after the last, logging and saving after each;
// Ctrl-C saves and returns. The result is the last evaluation's.
func run(cfg finetune.Config, tr *finetune.Trainer) (map[string]any, error) {
	ctx, stop := cli.WithSignals(context.Background())
	defer stop()
	log, err := cli.OpenJSONL(filepath.Join(cfg.ModelDir, "metrics.jsonl"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	save := func() error {
		ck, err := tr.Checkpoint()
		if err != nil {
			return err
		}
		return ck.Save(checkpointPath(cfg.ModelDir))
	}
	var last *finetune.Scores
	lastEpoch := -1
	for !tr.Done() {
		bar := cli.NewProgress(os.Stderr, fmt.Sprintf("finetune %s epoch %d/%d", cfg.Method, tr.Epoch+1, cfg.Epochs), tr.Batches(), cli.IsTerminal(os.Stderr))
		bar.PerStep = cfg.BatchSize
		bar.Start()
		st, err := tr.RunEpoch(ctx, func(b, nb int, st finetune.EpochStats) {
			bar.Update(b, cli.F("loss", st.Loss), cli.F("ce", st.CE), cli.F("cons", st.Consistency), cli.F("w", st.Weight), cli.F("acc", st.LabeledAcc))
		})
		if errors.Is(err, context.Canceled) {
			bar.Done("interrupted")
			if err := save(); err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "interrupted: saved %s\n", checkpointPath(cfg.ModelDir))
			return map[string]any{"stage": stage, "dataset": cfg.Dataset, "method": cfg.Method, "interrupted": true}, nil
		}
		if err != nil {
			bar.Done("failed")
			return nil, err
		}
		row := epochLog{Stage: stage, Method: cfg.Method, Epoch: st.Epoch, LR: st.LR, Loss: st.Loss, CE: st.CE,
			Consistency: st.Consistency, Weight: st.Weight, LabeledAcc: st.LabeledAcc, TestAcc: -1, StudentAcc: -1, TeacherAcc: -1, Seconds: st.Seconds}
		line := fmt.Sprintf("loss %.4f  ce %.4f  cons %.5f  w %.3g  labelled acc %.4f  not evaluated this epoch", st.Loss, st.CE, st.Consistency, st.Weight, st.LabeledAcc)
		if (st.Epoch+1)%cfg.EvalEvery == 0 || tr.Done() {
			s := tr.Evaluate(tr.Test)
			last, lastEpoch = &s, st.Epoch
			row.TestAcc, row.StudentAcc, row.TeacherAcc = orMinus(s.Result()), orMinus(s.Student), orMinus(s.Teacher)
			line = fmt.Sprintf("loss %.4f  ce %.4f  cons %.5f  w %.3g  labelled acc %.4f  test acc %.4f", st.Loss, st.CE, st.Consistency, st.Weight, st.LabeledAcc, s.Student)
			if tr.Teacher != nil {
				line += fmt.Sprintf("  teacher test acc %.4f", s.Teacher)
			}
		}
		bar.Done(line)
		if err := log.Write(row); err != nil {
			return nil, err
		}
		if err := save(); err != nil {
			return nil, err
		}
		if err := plot(cfg.ModelDir, log.Path()); err != nil {
			fmt.Fprintf(os.Stderr, "warning: plot: %v\n", err)
		}
	}
	if last == nil { // nothing left to train: evaluate the checkpoint
		s := tr.Evaluate(tr.Test)
		last, lastEpoch = &s, tr.Epoch-1
	}
	return result(cfg, tr, *last, lastEpoch)
}

// result is the final JSON object: test_acc is the teacher's for
// meanteacher (the model Tarvainen & Valpola report), the student's
// otherwise; both are given as student_test_acc and teacher_test_acc
// (null without a teacher), with the best test accuracy over the epochs of
// the latest run in metrics.jsonl (an extended run's earlier epochs count).
func result(cfg finetune.Config, tr *finetune.Trainer, s finetune.Scores, epoch int) (map[string]any, error) {
	res := map[string]any{
		"stage": stage, "dataset": cfg.Dataset, "method": cfg.Method, "from": cfg.From, "network": cfg.Network,
		"labels": len(tr.Set), "epoch": epoch + 1, "epochs": cfg.Epochs,
		"test_acc": jsonNum(s.Result()), "student_test_acc": jsonNum(s.Student), "teacher_test_acc": jsonNum(s.Teacher),
		"checkpoint": checkpointPath(cfg.ModelDir),
	}
	rows, err := cli.ReadJSONL[epochLog](filepath.Join(cfg.ModelDir, "metrics.jsonl"))
	if err != nil {
		return nil, err
	}
	var mine []epochLog // this command's rows, of the latest run only
	var x []float64
	for _, r := range rows {
		if r.Stage == stage {
			mine, x = append(mine, r), append(x, float64(r.Epoch))
		}
	}
	best, bestEpoch := -1.0, -1
	for _, r := range mine[cli.LastRun(x):] {
		if r.TestAcc > best {
			best, bestEpoch = r.TestAcc, r.Epoch+1
		}
	}
	if bestEpoch > 0 {
		res["best_test_acc"], res["best_epoch"] = best, bestEpoch
	}
	return res, nil
}

// orMinus is v, or -1 for NaN (metrics.jsonl's "not measured").
func orMinus(v float64) float64 {
	if math.IsNaN(v) {
		return -1
	}
	return v
}

// jsonNum is v, or nil (JSON null) for NaN.
func jsonNum(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}
