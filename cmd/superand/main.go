// Command superand runs stage 1 of the two-stage classifier: Super-AND
// embedding learning with anchor-neighbourhood rounds and weighted kNN
// evaluation. It prints a parameter table, progress on stderr, writes
// checkpoints, metrics.jsonl and a plot to --model_dir, and ends its
// standard output with one JSON line of results.
//
//	go run ./cmd/superand --preset cpu                 # Fashion-MNIST, minutes on 2 cores
//	go run ./cmd/superand --dataset cifar10 --download # the paper's run (GPU advised)
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"twostage/cmd/internal/cli"
	"twostage/nn"
	"twostage/superand"
)

func main() {
	start := time.Now()
	cfg, ck := parseFlags(os.Args[1:])
	cli.Check(cfg.Validate())

	be, closeBE, err := cli.OpenBackend(cfg.Device, cfg.Threads)
	cli.Check(err)
	defer closeBE()
	train, test, err := cli.LoadData(cfg.Dataset, cfg.DataDir, cfg.Download, cfg.Subset, true)
	cli.Check(err)
	if !cfg.TestOnly && cfg.BatchSize > train.N { // DropLast would leave every epoch empty
		cli.Fatal(fmt.Errorf("--batch_size %d: more than the %d training images; HINT: lower --batch_size", cfg.BatchSize, train.N))
	}
	fmt.Fprintf(os.Stderr, "data: %s, %d training images (%d×%d×%d), %d test images\n",
		cfg.Dataset, train.N, train.C, train.H, train.W, test.N)

	tr := superand.NewTrainer(be, cfg, train, test)
	if ck != nil {
		cli.Check(tr.Restore(ck))
		fmt.Fprintf(os.Stderr, "resumed %s at round %d, epoch %d, batch %d\n", ck.Path, tr.Round, tr.Epoch, tr.Batch)
	}
	fmt.Fprintf(os.Stderr, "model: %d parameters on %s\n", nn.CountParams(tr.Model), be.Name())
	done := tr.Round*cfg.Epochs + tr.Epoch // epochs finished before this invocation

	if cfg.TestOnly {
		acc := tr.KNN()
		cli.Check(cli.FinalJSON(os.Stdout, result(cfg, tr, start, ck.Path, done)))
		fmt.Fprintf(os.Stderr, "kNN top-1 %.4f\n", acc)
		return
	}
	cli.Check(os.MkdirAll(cfg.ModelDir, 0o755))
	path, err := train1(cfg, tr)
	cli.Check(err)
	cli.Check(cli.FinalJSON(os.Stdout, result(cfg, tr, start, path, done)))
}

// parseFlags reads the command line. With --resume, the saved run's config is
// the base and only flags given now override it; otherwise the preset is.
func parseFlags(args []string) (superand.Config, *nn.Checkpoint) {
	cfg := superand.DefaultConfig()
	fs := flag.NewFlagSet("superand", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	cli.ParseFlags(fs, args)
	if fs.NArg() > 0 {
		cli.Fatal(fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0)))
	}
	var ck *nn.Checkpoint
	if cfg.Resume != "" {
		path := cli.ResolveCheckpoint(cfg.Resume, cfg.ModelDir)
		ck = cli.Must(nn.LoadAny(path)) // ours, or a .t7 of the authors' code
		if ck.IsTorch() {
			cli.Check(adoptTorchArch(fs, &cfg, ck))
		} else {
			saved := cli.Must(superand.ConfigOf(ck))
			fs = flag.NewFlagSet("superand", flag.ContinueOnError)
			saved.RegisterFlags(fs)
			cli.ParseFlags(fs, args) // flags given now win over the saved ones
			cfg = saved
		}
	} else {
		if cfg.TestOnly {
			cli.Fatal(fmt.Errorf("--test_only evaluates a checkpoint: it needs --resume (HINT: --resume %s/superand.safetensors)", cfg.ModelDir))
		}
		cli.Check(cli.ApplyPreset(fs, cfg.Preset, superand.Presets))
	}
	cli.PrintFlags(os.Stdout, fs)
	return cfg, ck
}

// result is the last line of standard output: "epochs" is the number of
// epochs the checkpoint has finished in all, "trained_epochs" those this
// invocation trained (done were finished before it), "rounds" the rounds
// begun.
func result(cfg superand.Config, tr *superand.Trainer, start time.Time, ckpt string, done int) map[string]any {
	epochs := tr.Round*cfg.Epochs + tr.Epoch
	rounds := tr.Round
	if tr.Epoch > 0 || tr.Batch > 0 {
		rounds++
	}
	return map[string]any{
		"stage": 1, "dataset": cfg.Dataset, "knn_top1": tr.LastKNN, "best_knn_top1": tr.BestKNN,
		"epochs": epochs, "trained_epochs": epochs - done, "rounds": rounds, "epochs_per_round": cfg.Epochs,
		"seconds": time.Since(start).Seconds(), "checkpoint": ckpt,
	}
}

// checkpointPath is where the latest state goes; bestPath keeps the state
// of the best kNN accuracy.
func checkpointPath(dir string) string { return filepath.Join(dir, "superand.safetensors") }
func bestPath(dir string) string       { return filepath.Join(dir, "superand_best.safetensors") }
