// Package cli is the plumbing shared by the two commands, cmd/superand and
// cmd/stage2: everything a training program needs around the trainer itself,
// kept here so that both commands look and behave the same and so that tests
// can reach it.
//
//	backend.go    OpenBackend: "cpu" | "cuda" | "cuda:N" → tensor.Backend
//	profile.go    TWOSTAGE_CPUPROFILE=FILE: a CPU profile of the backend's lifetime
//	progress.go   Progress: a per-epoch bar on a terminal (schollz/progressbar), log lines otherwise
//	jsonl.go      JSONL: metrics.jsonl, one object per line, append mode
//	plot.go       PlotLines: loss and accuracy per epoch, one panel each (LastRun, Measured)
//	confusion.go  PlotConfusion: a heatmap of a confusion matrix
//	gallery.go    PlotGallery: rows of images with captions (a cluster gallery)
//	scatter.go    PlotScatter: coloured scatter panels with legends (an embedding map)
//	pca.go        PCA2: a projection on the first two principal components
//	canvas.go     what the pictures share: canvases in pixels, fonts, colours, WriteFileAtomic
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
// The pictures are drawn with gonum.org/v1/plot (its vgimg canvas, plot
// layout and embedded Liberation fonts) and written as PNG files atomically.
package cli
