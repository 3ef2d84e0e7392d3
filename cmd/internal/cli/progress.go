package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"
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
// On a terminal it keeps one line redrawn in place with '\r', at most every
// Interval (and always at the last step):
//
//	round 1 epoch 3/6 [=========>          ] 23/39  loss 12.3456  812 img/s  ETA 0:42
//
// Elsewhere (a log file, a pipe) it prints a plain line each time another
// Every fraction of the steps is done, without the bar:
//
//	round 1 epoch 3/6 10/39 (26%)  loss 12.3456  812 img/s  ETA 0:42
//
// Done prints the epoch's closing line in both cases. Rates and the ETA come
// from wall time since NewProgress (Now, injectable for tests): the ETA is
// the mean time per step so far times the steps left.
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

	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int
	tty      bool
	start    time.Time
	lastDraw time.Time
	drawn    bool // a redraw happened (lastDraw is valid)
	logged   int  // non-terminal: log lines printed so far
	width    int  // terminal: length of the line on screen, to blank it out
	done     int
	fields   []Field
}

// NewProgress starts reporting an epoch of total steps to w under label
// ("round 1 epoch 3/6"), and starts the clock. isTTY selects the redrawn bar
// (see IsTerminal). Options (PerStep, Every, Interval) may be set before the
// first Update; a test that sets Now calls Start after it.
func NewProgress(w io.Writer, label string, total int, isTTY bool) *Progress {
	p := &Progress{w: w, label: label, total: total, tty: isTTY}
	p.Start()
	return p
}

// IsTerminal reports whether f is a character device (a terminal), the test
// for drawing a progress bar on it. It is a heuristic that needs no terminal
// library: /dev/null is a character device too.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Start restarts the clock (with Now), for when setup work between
// NewProgress and the first step should not count in the rate.
func (p *Progress) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Now == nil {
		p.Now = time.Now
	}
	p.start = p.Now()
	p.drawn = false
}

// SetTotal changes the number of steps, for a caller that learns it only
// from the first step (a trainer's progress callback, say).
func (p *Progress) SetTotal(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = total
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
	now := p.Now()
	if p.tty {
		interval := p.Interval
		if interval <= 0 {
			interval = 100 * time.Millisecond
		}
		if p.drawn && now.Sub(p.lastDraw) < interval && done < p.total {
			return
		}
		p.lastDraw, p.drawn = now, true
		p.redraw(p.barLine(now))
		return
	}
	if done >= p.total || done < p.logStep(p.logged+1) {
		return
	}
	for done >= p.logStep(p.logged+1) { // one line even when a call jumps several marks
		p.logged++
	}
	fmt.Fprintln(p.w, p.logLine(now))
}

// Logf prints a line of its own without breaking the bar: on a terminal the
// bar is blanked, the line printed, and the bar drawn again below it.
func (p *Progress) Logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	if !p.tty || !p.drawn {
		fmt.Fprintln(p.w, line)
		return
	}
	p.redraw(line)
	fmt.Fprintln(p.w)
	p.width = 0
	p.redraw(p.barLine(p.Now()))
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
	if p.tty {
		p.redraw(line)
		fmt.Fprintln(p.w)
		p.width = 0
		return
	}
	fmt.Fprintln(p.w, line)
}

// redraw writes line over the terminal line, padding with spaces to blank
// what is left of a longer previous one.
func (p *Progress) redraw(line string) {
	pad := max(0, p.width-len(line))
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", pad))
	p.width = len(line)
}

// barWidth is the number of characters inside the brackets of the bar.
const barWidth = 20

// barLine is the terminal line: label, bar, counts, fields, rate, ETA.
func (p *Progress) barLine(now time.Time) string {
	frac := 0.0
	if p.total > 0 {
		frac = min(1, max(0, float64(p.done)/float64(p.total)))
	}
	fill := int(frac * barWidth)
	bar := strings.Repeat("=", fill)
	if fill < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-fill-1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %d/%d", p.label, bar, p.done, p.total)
	p.tail(&b, now)
	return b.String()
}

// logLine is the non-terminal line: label, counts, percent, fields, rate, ETA.
func (p *Progress) logLine(now time.Time) string {
	pct := 0
	if p.total > 0 {
		pct = 100 * p.done / p.total
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d/%d (%d%%)", p.label, p.done, p.total, pct)
	p.tail(&b, now)
	return b.String()
}

// tail appends "  field…  rate  ETA m:ss" to b.
func (p *Progress) tail(b *strings.Builder, now time.Time) {
	for _, f := range p.fields {
		b.WriteString("  " + f.String())
	}
	elapsed := now.Sub(p.start)
	if p.done > 0 && elapsed > 0 {
		b.WriteString("  " + p.rate(p.done, elapsed))
		left := time.Duration(float64(elapsed) / float64(p.done) * float64(max(0, p.total-p.done)))
		b.WriteString("  ETA " + clock(left))
	}
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
