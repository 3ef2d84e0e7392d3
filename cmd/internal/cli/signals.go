package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// WithSignals returns a context that the first SIGINT (Ctrl-C) or SIGTERM
// cancels: the trainer sees ctx.Err() between batches, saves its checkpoint
// and returns, and main exits cleanly. A second signal exits at once with
// status 130 (128 + SIGINT, the shell's convention), without saving; the
// last checkpoint written stays valid since checkpoints are written
// atomically. Each signal prints one line to standard error saying which of
// the two happened.
//
// stop restores the default signal handling and cancels the context; call it
// (defer) when the work the context guards is over.
func WithSignals(parent context.Context) (ctx context.Context, stop func()) {
	return withSignals(parent, os.Stderr, os.Exit)
}

// withSignals is WithSignals with the message writer and exit function
// injected (tests).
func withSignals(parent context.Context, w io.Writer, exit func(int)) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case sig := <-ch:
				n++
				if n == 1 {
					fmt.Fprintf(w, "\n%v: stopping after the current batch and saving a checkpoint "+
						"(send it again to exit at once)\n", sig)
					cancel()
					continue
				}
				fmt.Fprintf(w, "\n%v again: exiting now without saving\n", sig)
				exit(130)
				return
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			cancel()
		})
	}
	return ctx, stop
}
