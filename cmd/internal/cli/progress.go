package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Field is one named number shown on a progress line, "loss 12.3456".
type Field struct {
	Name   string
	Value  float64
	Format string // fmt verb for Value; "" means "%.4f"
}

// F is a Field with the default format.
func F(name string, value float64) Field { return Field{Name: name, Value: value} }

func (f Field) String() string {
	format := f.Format
	if format == "" {
		format = "%.4f"
	}
	return f.Name + " " + fmt.Sprintf(format, f.Value)
}

// Progress reports the progress of one epoch (total steps, usually batches).
//
// On a terminal it is a github.com/schollz/progressbar bar: one line redrawn
// in place, at most every Interval (and always at the last step), the
// fields in its description:
//
//	round 1 epoch 3/6  loss 12.3456   58% |███████         | (2944/5120, 812 img/s) [3s:2s]
//
// Elsewhere (a log file, a pipe) it prints a plain line each time another
// Every fraction of the steps is done:
//
//	round 1 epoch 3/6 10/39 (26%)  loss 12.3456  812 img/s  ETA 0:42
//
// Done prints the epoch's closing line in both cases. Rates and the ETA of
// the plain lines and of Done come from wall time since Start (Now,
// injectable for tests): the ETA is the mean time per step so far times the
// steps left.
type Progress struct {
	// PerStep is the number of images a step processes; 0 shows steps/s
	// ("it/s") in place of images/s.
	PerStep int
	// Every is the fraction of the steps between two log lines when the
	// output is not a terminal (default 0.25: four lines per epoch).
	Every float64
	// Interval is the least time between two redraws on a terminal
	// (default 100 ms: at most 10 per second).
	Interval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu     sync.Mutex
	w      io.Writer
	label  string
	total  int
	tty    bool
	bar    *progressbar.ProgressBar // terminal only, made by Start
	start  time.Time
	logged int // non-terminal: log lines printed so far
	done   int
	fields []Field
}

// NewProgress starts reporting an epoch of total steps to w under label
// ("round 1 epoch 3/6"), and starts the clock. isTTY selects the redrawn bar
// (see IsTerminal). Options (PerStep, Every, Interval) may be set before the
// first Update, and Start called again after them (it restarts the clock
// and, on a terminal, makes the bar with them); a test that sets Now does
// the same.
func NewProgress(w io.Writer, label string, total int, isTTY bool) *Progress {
	p := &Progress{w: w, label: label, total: total, tty: isTTY}
	p.Start()
	return p
}

// IsTerminal reports whether f is a terminal, the test for drawing a
// progress bar on it (golang.org/x/term: /dev/null and pipes are not).
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Start restarts the clock (with Now), for when setup work between
// NewProgress and the first step should not count in the rate; on a
// terminal it makes the bar afresh, so call it again after setting PerStep.
// The bar's own clock (its rate and ETA) starts here too, but nothing is
// drawn before the first Update.
func (p *Progress) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Now == nil {
		p.Now = time.Now
	}
	p.start = p.Now()
	if p.tty {
		p.bar = p.newBar()
		p.bar.StartWithoutRender()
	}
}

// SetTotal changes the number of steps, for a caller that learns it only
// from the first step (a trainer's progress callback, say).
func (p *Progress) SetTotal(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total != p.total && p.bar != nil {
		p.bar.ChangeMax(max(1, total*p.unit()))
	}
	p.total = total
}

// unit is what one step counts on the bar: its images, or 1.
func (p *Progress) unit() int { return max(1, p.PerStep) }

// newBar makes the terminal bar: it counts images (or steps), shows their
// rate and the predicted time left, and is redrawn at most every Interval.
func (p *Progress) newBar() *progressbar.ProgressBar {
	interval := p.Interval
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	its := "it"
	if p.PerStep > 0 {
		its = "img"
	}
	return progressbar.NewOptions(max(1, p.total*p.unit()), // a total learnt later comes through SetTotal
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.label),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(interval),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(its),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(), // Done writes the closing line
	)
}

// logStep is the step count at which the k-th log line is due,
// ceil(k·Every·total), and at least k: a tiny total gets at most one line per
// step.
func (p *Progress) logStep(k int) int {
	every := p.Every
	if every <= 0 {
		every = 0.25
	}
	return max(k, int(math.Ceil(float64(k)*every*float64(p.total)-1e-9)))
}

// Update records that done of the total steps are finished, with the current
// values of fields (a running mean loss, say), and redraws or logs if due.
// Not on a terminal, the last step prints nothing: Done closes the epoch.
func (p *Progress) Update(done int, fields ...Field) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.fields = done, fields
	if p.tty {
		if p.bar == nil {
			p.bar = p.newBar()
		}
		p.bar.Set(done * p.unit())
		p.bar.Describe(p.label + p.fieldText())
		return
	}
	if done >= p.total || done < p.logStep(p.logged+1) {
		return
	}
	for done >= p.logStep(p.logged+1) { // one line even when a call jumps several marks
		p.logged++
	}
	fmt.Fprintln(p.w, p.logLine(p.Now()))
}

// Logf prints a line of its own without breaking the bar: on a terminal the
// bar is cleared and the line printed; the bar comes back below it (at once,
// or at the next Update when a redraw is not yet due).
func (p *Progress) Logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	if p.bar == nil {
		fmt.Fprintln(p.w, line)
		return
	}
	p.bar.Clear()
	fmt.Fprintln(p.w, line)
	p.bar.RenderBlank()
}

// Done ends the epoch: it prints "label summary  (0:48, 812 img/s)" on a
// line of its own (on a terminal, in place of the bar).
func (p *Progress) Done(summary string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := p.Now().Sub(p.start)
	line := p.label
	if summary != "" {
		line += "  " + summary
	}
	line += fmt.Sprintf("  (%s, %s)", clock(elapsed), p.rate(p.done, elapsed))
	if p.bar != nil {
		p.bar.Clear()
		p.bar.Exit()
		p.bar = nil
	}
	fmt.Fprintln(p.w, line)
}

// fieldText is "  field…" for the current fields.
func (p *Progress) fieldText() string {
	var b strings.Builder
	for _, f := range p.fields {
		b.WriteString("  " + f.String())
	}
	return b.String()
}

// logLine is the non-terminal line: label, counts, percent, fields, rate, ETA.
func (p *Progress) logLine(now time.Time) string {
	pct := 0
	if p.total > 0 {
		pct = 100 * p.done / p.total
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d/%d (%d%%)%s", p.label, p.done, p.total, pct, p.fieldText())
	elapsed := now.Sub(p.start)
	if p.done > 0 && elapsed > 0 {
		left := time.Duration(float64(elapsed) / float64(p.done) * float64(max(0, p.total-p.done)))
		b.WriteString("  " + p.rate(p.done, elapsed) + "  ETA " + clock(left))
	}
	return b.String()
}

// rate is the throughput over elapsed for done steps: "812 img/s" or "3.2 it/s".
func (p *Progress) rate(done int, elapsed time.Duration) string {
	s := elapsed.Seconds()
	if s <= 0 {
		s = math.SmallestNonzeroFloat64
	}
	if p.PerStep > 0 {
		return fmt.Sprintf("%.0f img/s", float64(done*p.PerStep)/s)
	}
	return fmt.Sprintf("%.1f it/s", float64(done)/s)
}

// clock formats d as m:ss, or h:mm:ss from an hour on (rounded to seconds).
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
