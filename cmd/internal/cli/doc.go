// Package cli is the plumbing shared by the two commands, cmd/superand and
// cmd/stage2: everything a training program needs around the trainer itself,
// kept here so that both commands look and behave the same and so that tests
// can reach it.
//
//	backend.go    OpenBackend: "cpu" | "cuda" | "cuda:N" → tensor.Backend
//	progress.go   Progress: a per-epoch bar on a terminal, log lines otherwise
//	jsonl.go      JSONL: metrics.jsonl, one object per line, append mode
//	plot.go       PlotLines: a PNG line chart with two y axes
//	confusion.go  PlotConfusion: a PNG heatmap of a confusion matrix
//	raster.go     the drawing primitives both plots share (text, lines, PNG)
//	signals.go    WithSignals: Ctrl-C cancels a context, twice exits now
//	exit.go       Fatal/Check/Must, FinalJSON, ResolveCheckpoint
//	flags.go      ApplyPreset, PrintFlags (the parameter table)
//	parse.go      ParseFlags: -h prints the flags, a bad flag is one error line
//
// Conventions of the commands: human-readable progress goes to standard
// error; standard output carries the parameter table and, as its very last
// line, one JSON object with the results (FinalJSON), so that scripts can
// read `tail -n 1`. Only main exits: the helpers here return errors, and
// Fatal (called by main) is the one place that prints "error: ..." and
// leaves with status 1.
//
// The plots are drawn with image/draw, golang.org/x/image/vector (anti-aliased
// lines) and a fixed 8×16 bitmap font (golang.org/x/image/font/inconsolata),
// with no plotting library: they only need to be legible, not beautiful.
package cli
