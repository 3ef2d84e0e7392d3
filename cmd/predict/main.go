// Command predict assigns new images to the clusters of a trained stage-2
// model: each PNG or JPEG file under --images (any size, searched
// recursively) goes through the evaluation transform of the checkpoint's
// data set (resize, centre crop, normalise) and the encoder and chosen head
// of the checkpoint. It writes --out, a CSV of path,cluster,confidence,class
// (class empty when the model has no class names), and ends its standard
// output with one JSON line: {"images":N,"clusters":{...},"seconds":...}.
//
//	go run ./cmd/predict --resume runs/quickstart/stage2_best.safetensors --images photos/ --out predictions.csv
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"twostage/cmd/internal/cli"
	"twostage/nn"
	"twostage/stage2"
)

func main() {
	start := time.Now()
	var o options
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	o.register(fs)
	cli.ParseFlags(fs, os.Args[1:])
	if fs.NArg() > 0 {
		cli.Fatal(fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0)))
	}
	cli.Check(o.validate())
	ck := cli.Must(nn.LoadCheckpoint(o.Resume))
	if ck.Kind() != stage2.Kind {
		cli.Fatal(fmt.Errorf("%s: a %q checkpoint; predict needs a stage-2 one. HINT: run go run ./cmd/stage2 and pass its stage2_best.safetensors", ck.Path, ck.Kind()))
	}
	files := cli.Must(listImages(o.Images))
	be, closeBE, err := cli.OpenBackend(o.Device, o.Threads)
	cli.Check(err)
	defer closeBE()
	p := cli.Must(stage2.NewPredictor(be, ck, o.describe))
	fmt.Fprintf(os.Stderr, "model: %s (%s, head %d, %d clusters), %d images under %s\n",
		ck.Path, p.Info.Dataset, p.Head, p.Heads.W[p.Head].Shape()[1], len(files), o.Images)
	res := cli.Must(predictAll(p, files, o.BatchSize, o.SkipBad, os.Stderr))
	cli.Check(writeCSV(o.Out, res.rows))
	fmt.Fprintf(os.Stderr, "wrote %s\n", o.Out)
	cli.Check(cli.FinalJSON(os.Stdout, res.summary(time.Since(start))))
}
