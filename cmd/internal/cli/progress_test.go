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

// On a terminal: the bar is redrawn in place, at most every 100 ms, always at
// the last step, and Done replaces it with the summary line.
func TestProgressTerminal(t *testing.T) {
	var out bytes.Buffer
	var now time.Duration
	p := NewProgress(&out, "round 1 epoch 3/6", 40, true)
	p.PerStep = 128
	p.Now = fakeClock(&now)
	p.Start()
	// One step every 50 ms: 2560 img/s; redraws at steps 1, 3, 5, ... (100 ms apart).
	for step := 1; step <= 40; step++ {
		now += 50 * time.Millisecond
		p.Update(step, F("loss", 20-float64(step)/4), Field{Name: "ue", Value: 0.5, Format: "%.1f"})
	}
	now += 400 * time.Millisecond // evaluation time counts in the epoch
	p.Done("loss 10.0000  kNN 61.20%")

	frames := strings.Split(out.String(), "\r")[1:]
	if len(frames) != 22 { // 20 redraws at odd steps, the last step, Done
		t.Fatalf("%d frames, want 22:\n%q", len(frames), out.String())
	}
	bar40 := "round 1 epoch 3/6 [====================] 40/40  loss 10.0000  ue 0.5  2560 img/s  ETA 0:00"
	summary := "round 1 epoch 3/6  loss 10.0000  kNN 61.20%  (0:02, 2133 img/s)"
	want := []string{
		"round 1 epoch 3/6 [>                   ] 1/40  loss 19.7500  ue 0.5  2560 img/s  ETA 0:02",
		"round 1 epoch 3/6 [=====>              ] 11/40  loss 17.2500  ue 0.5  2560 img/s  ETA 0:01",
		bar40,
		summary + strings.Repeat(" ", len(bar40)-len(summary)) + "\n", // blanks the longer bar
	}
	for i, f := range []string{frames[0], frames[5], frames[20], frames[21]} {
		if f != want[i] {
			t.Errorf("frame:\n got %q\nwant %q", f, want[i])
		}
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

// Logf on a terminal blanks the bar, prints its line and draws the bar again.
func TestProgressLogf(t *testing.T) {
	var out bytes.Buffer
	var now time.Duration
	p := NewProgress(&out, "e", 4, true)
	p.Now = fakeClock(&now)
	p.Start()
	now += time.Second
	p.Update(1)
	p.Logf("anchors %d\n", 12)
	bar := "e [=====>              ] 1/4  1.0 it/s  ETA 0:03"
	want := "\r" + bar + "\ranchors 12" + strings.Repeat(" ", len(bar)-len("anchors 12")) + "\n\r" + bar
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
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
