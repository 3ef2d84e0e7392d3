package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock returns a clock reading start + *now, advanced by the test.
func fakeClock(now *time.Duration) func() time.Time {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return start.Add(*now) }
}

// On a terminal: a progressbar line redrawn in place (carriage returns),
// its description holding the label and the fields, counting images with
// their rate; Done clears it and prints the summary line.
func TestProgressTerminal(t *testing.T) {
	var out bytes.Buffer
	var now time.Duration
	p := NewProgress(&out, "round 1 epoch 3/6", 0, true)
	p.PerStep = 128
	p.Interval = time.Nanosecond // redraw every step
	p.Now = fakeClock(&now)
	p.Start()
	p.SetTotal(40) // known only once the epoch runs, as in the trainers
	for step := 1; step <= 40; step++ {
		now += 50 * time.Millisecond
		p.Update(step, F("loss", 20-float64(step)/4), Field{Name: "ue", Value: 0.5, Format: "%.1f"})
		time.Sleep(time.Millisecond) // the bar throttles on the real clock
	}
	now += 400 * time.Millisecond // evaluation time counts in the epoch
	p.Done("loss 10.0000  kNN 61.20%")

	s := out.String()
	for _, want := range []string{"\r", "round 1 epoch 3/6  loss 19.7500  ue 0.5", "loss 10.2500", "/5120", "img/s"} {
		if !strings.Contains(s, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, s)
		}
	}
	summary := "round 1 epoch 3/6  loss 10.0000  kNN 61.20%  (0:02, 2133 img/s)\n"
	if !strings.HasSuffix(s, "\r"+summary) {
		t.Errorf("terminal output does not end with the cleared bar and the summary %q:\n%q", summary, s)
	}
	if n := strings.Count(s, "\n"); n != 1 {
		t.Errorf("terminal output has %d newlines, want 1 (the summary):\n%q", n, s)
	}
}

// Not on a terminal: one plain line per quarter of the epoch (none at the
// end, where Done speaks), and no carriage returns.
func TestProgressLog(t *testing.T) {
	var out bytes.Buffer
	var now time.Duration
	p := NewProgress(&out, "epoch 2/300", 39, false)
	p.Now = fakeClock(&now)
	p.Start()
	for step := 1; step <= 39; step++ {
		now += 2 * time.Second
		p.Update(step, F("loss", 3))
	}
	p.Done("")
	want := "epoch 2/300 10/39 (25%)  loss 3.0000  0.5 it/s  ETA 0:58\n" +
		"epoch 2/300 20/39 (51%)  loss 3.0000  0.5 it/s  ETA 0:38\n" +
		"epoch 2/300 30/39 (76%)  loss 3.0000  0.5 it/s  ETA 0:18\n" +
		"epoch 2/300  (1:18, 0.5 it/s)\n"
	if out.String() != want {
		t.Errorf("log output:\n%s\nwant:\n%s", out.String(), want)
	}

	// A call that jumps over several marks prints one line; a total smaller
	// than 1/Every prints at most one line per step.
	out.Reset()
	p = NewProgress(&out, "e", 0, false)
	p.Now = fakeClock(&now)
	p.Start()
	p.SetTotal(3) // known only once the epoch runs
	p.Update(2)
	p.Update(2)
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("jump over marks: %d lines, want 1:\n%s", n, out.String())
	}
}

// Logf on a terminal clears the bar, prints its line and draws the bar
// again below it.
func TestProgressLogf(t *testing.T) {
	var out bytes.Buffer
	var now time.Duration
	p := NewProgress(&out, "e", 4, true)
	p.Interval = time.Nanosecond
	p.Now = fakeClock(&now)
	p.Start()
	now += time.Second
	p.Update(1)
	p.Logf("anchors %d\n", 12)
	time.Sleep(time.Millisecond)
	p.Update(2)
	s := out.String()
	i := strings.Index(s, "\ranchors 12\n")
	if i < 0 || !strings.Contains(s[:i], "1/4") || !strings.Contains(s[i:], "2/4") {
		t.Errorf("want the bar (1/4), a cleared line with the message, the bar below it (2/4); got %q", s)
	}
}

func TestClock(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0:00", 42 * time.Second: "0:42", 61500 * time.Millisecond: "1:02",
		time.Hour + 2*time.Minute + 3*time.Second: "1:02:03", -time.Second: "0:00",
	} {
		if got := clock(d); got != want {
			t.Errorf("clock(%v) = %q, want %q", d, got, want)
		}
	}
}
