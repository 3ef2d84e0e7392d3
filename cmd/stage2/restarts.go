package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"twostage/cmd/internal/cli"
	"twostage/nn"
	"twostage/stage2"
)

// trialRow is one line of restarts.jsonl: one trial epoch of one restart.
type trialRow struct {
	Restart int    `json:"restart"`
	Seed    uint64 `json:"seed"`
	epochLosses
	TrialLoss float64  `json:"trial_loss"`
	Agreement *float64 `json:"agreement,omitempty"` // after the last trial epoch
}

// chooseRestart runs cfg.Restarts stage-2 runs from the stage-1 checkpoint
// ck for their first stage2.TrialEpochs epochs, one after the other:
// restart 0 is tr (seeded cfg.Seed), restart r a new trainer seeded
// stage2.RestartSeed(cfg.Seed, r). After its trial epochs each restart is
// scored by the agreement of its answer head (stage2.ChooseHead) with its other
// heads on the training images (stage2.Agreement) and by stage2.TrialLoss. It
// returns the restart with the highest agreement (--restart_by agreement) or
// the lowest trial loss (loss), those epochs' rows for
// metrics.jsonl (so that file holds the kept run's history, as a single run
// with its seed writes it) and a summary of every restart for the result.
// Every trial epoch of every restart goes to restarts.jsonl. A cancelled
// ctx returns ctx.Err(): the trials are not saved.
func chooseRestart(ctx context.Context, cfg stage2.Config, tr *stage2.Trainer, ck *nn.Checkpoint) (*stage2.Trainer, []epochLog, []map[string]any, error) {
	log, err := cli.OpenJSONL(restartsPath(cfg.ModelDir))
	if err != nil {
		return nil, nil, nil, err
	}
	defer log.Close()
	trials := stage2.TrialEpochs(cfg)
	fmt.Fprintf(os.Stderr, "%d restarts of %d trial epochs each; the one kept by %s goes on to epoch %d\n", cfg.Restarts, trials, cfg.RestartBy, cfg.Epochs)
	var (
		best      *stage2.Trainer
		kept      int
		bestRows  []epochLog
		bestScore float64
		summary   []map[string]any
	)
	for r := range cfg.Restarts {
		t := tr
		if r > 0 {
			c := cfg
			c.Seed = stage2.RestartSeed(cfg.Seed, r)
			t = stage2.NewTrainer(tr.BE, c, tr.Classes, tr.Train, tr.Test)
			if err := t.FromStage1(ck); err != nil {
				return nil, nil, nil, err
			}
		}
		var rows []epochLog
		var last trialRow
		for t.Epoch < trials {
			bar := newBar(fmt.Sprintf("stage 2 restart %d/%d epoch %d/%d", r+1, cfg.Restarts, t.Epoch+1, trials), cfg.BatchSize)
			st, err := t.RunEpoch(ctx, func(b, nb int, loss float64) {
				bar.SetTotal(nb)
				bar.Update(b, cli.F("loss", loss))
			})
			if err != nil {
				bar.Done("stopped")
				return nil, nil, nil, err
			}
			last = trialRow{Restart: r, Seed: t.Cfg.Seed, epochLosses: lossesOf(st), TrialLoss: stage2.TrialLoss(st, cfg.CPWeight)}
			if t.Epoch == trials {
				agree := stage2.Agreements(t.Evaluate(t.Train).Preds)
				last.BestHead = stage2.ChooseHead(cfg.HeadBy, st.HeadLoss, agree)
				last.Agreement = &agree[last.BestHead]
			}
			line := fmt.Sprintf("loss %.4f  head %d  trial loss %.4f", st.Loss, last.BestHead, last.TrialLoss)
			if last.Agreement != nil {
				line += fmt.Sprintf("  agreement %.4f", *last.Agreement)
			}
			bar.Done(line)
			if err := log.Write(last); err != nil {
				return nil, nil, nil, err
			}
			rows = append(rows, jsonSafe(unevaluated(st)))
		}
		ag := *last.Agreement
		summary = append(summary, map[string]any{"restart": r, "seed": t.Cfg.Seed, "agreement": num(ag), "trial_loss": num(last.TrialLoss),
			"loss": num(last.Loss), "head_loss": last.HeadLoss, "head": last.BestHead})
		score := -last.TrialLoss // higher is better
		if cfg.RestartBy == "agreement" {
			score = ag
		}
		if best == nil || score > bestScore {
			best, kept, bestRows, bestScore = t, r, rows, score
		}
	}
	var all []string
	for _, s := range summary {
		all = append(all, fmt.Sprintf("%.4f / %.4f", s["agreement"], s["trial_loss"]))
	}
	summary[kept]["kept"] = true
	fmt.Fprintf(os.Stderr, "restart %d of %d kept by %s (seed %d); agreement / trial loss of the restarts: %s\n",
		kept+1, cfg.Restarts, cfg.RestartBy, best.Cfg.Seed, strings.Join(all, ", "))
	return best, bestRows, summary, nil
}
