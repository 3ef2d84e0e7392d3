// Package cmdtest holds what the tests of the two commands share: building a
// command once into a temporary directory, writing a tiny synthetic image
// folder data set, running the built binary as a subprocess (optionally
// interrupting it once it has started training) and reading its outputs.
// Only _test.go files import it.
package cmdtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"twostage/nn"
)

// Build compiles the command in the current directory (a test's working
// directory is its package's) into dir and returns the binary's path. Call
// it once, from TestMain, so every test runs the same binary.
func Build(dir, name string) (string, error) {
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Classes are the class folders WriteBlobs makes.
var Classes = []string{"left", "middle", "right"}

// Side is the image side of WriteBlobs: 28, the smallest common size the
// encoder takes (three stride-2 stages and a 4×4 pool need ≥ 25).
const Side = 28

// WriteBlobs writes perClass PNG images per class into root/split/<class>/:
// grey 28×28 noise (0..59) with a bright band (+150) in column third c for
// class c, rows 7..21, so that the classes are separable and training has
// signal. The pixels are drawn from a PCG seeded with seed.
func WriteBlobs(root, split string, perClass int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 9))
	for c, name := range Classes {
		dir := filepath.Join(root, split, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for i := 0; i < perClass; i++ {
			img := image.NewGray(image.Rect(0, 0, Side, Side))
			for y := 0; y < Side; y++ {
				for x := 0; x < Side; x++ {
					v := rng.IntN(60)
					if x*3/Side == c && y > 6 && y < 22 {
						v += 150
					}
					img.SetGray(x, y, color.Gray{Y: uint8(v)})
				}
			}
			var b bytes.Buffer
			if err := png.Encode(&b, img); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d.png", i)), b.Bytes(), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// Result is what one run of a command left behind.
type Result struct {
	Stdout, Stderr string
	Code           int // exit status (-1: killed by a signal)
}

// Run runs bin with args (at most 2 minutes) and returns its outputs.
func Run(t *testing.T, bin string, args ...string) Result {
	t.Helper()
	return RunInterrupt(t, bin, "", args...)
}

// lockedBuffer is a bytes.Buffer written by the process's pipe goroutine
// and read by the test at the same time.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// RunInterrupt runs bin with args; when trigger is not "", it sends the
// process os.Interrupt (Ctrl-C) once its standard error contains trigger,
// as a user would after seeing the first progress line. It fails the test
// if trigger never appears.
func RunInterrupt(t *testing.T, bin, trigger string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	sent, exited := false, false
	var err error
	if trigger != "" {
	poll:
		for !strings.Contains(stderr.String(), trigger) {
			select {
			case err = <-done: // exited before the trigger
				exited = true
				break poll
			case <-time.After(5 * time.Millisecond):
			}
		}
		if !exited {
			sent = cmd.Process.Signal(os.Interrupt) == nil
		}
	}
	if !exited {
		err = <-done
	}
	r := Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
	if ctx.Err() != nil {
		t.Fatalf("%s %v: timed out\nstderr:\n%s", bin, args, r.Stderr)
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	if trigger != "" && !sent {
		t.Fatalf("%s %v: %q never appeared on stderr (exit %d):\n%s", bin, args, trigger, r.Code, r.Stderr)
	}
	return r
}

// MustSucceed fails the test unless r exited 0 (showing its stderr).
func MustSucceed(t *testing.T, r Result) {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("exit status %d\nstderr:\n%s", r.Code, r.Stderr)
	}
}

// LastJSON decodes the last line of standard output, which must be one JSON
// object, and checks that it has every key of keys.
func LastJSON(t *testing.T, r Result, keys ...string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimRight(r.Stdout, "\n"), "\n")
	last := lines[len(lines)-1]
	var m map[string]any
	if err := json.Unmarshal([]byte(last), &m); err != nil {
		t.Fatalf("last stdout line %q is not a JSON object: %v", last, err)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("result %s has no key %q", last, k)
		}
	}
	return m
}

// CleanError checks that r failed with a short message on standard error:
// a non-zero status, an "error: " line holding every string of want, at most
// two lines (the error and its HINT), and no panic or goroutine trace.
func CleanError(t *testing.T, r Result, want ...string) {
	t.Helper()
	if r.Code == 0 {
		t.Fatalf("exit status 0, want a failure\nstderr:\n%s", r.Stderr)
	}
	if strings.Contains(r.Stderr, "goroutine") || strings.Contains(r.Stderr, "panic") {
		t.Fatalf("stderr holds a panic trace:\n%s", r.Stderr)
	}
	var errLine string
	n := 0
	for _, l := range strings.Split(r.Stderr, "\n") {
		if strings.HasPrefix(l, "error: ") {
			errLine = l
			n = 0
		}
		if errLine != "" && l != "" {
			n++
		}
	}
	if errLine == "" {
		t.Fatalf("no \"error: \" line on stderr:\n%s", r.Stderr)
	}
	if n > 2 {
		t.Errorf("the error takes %d lines, want one (and a HINT):\n%s", n, r.Stderr)
	}
	msg := errLine + strings.SplitN(r.Stderr, errLine, 2)[1]
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", strings.TrimSpace(msg), w)
		}
	}
}

// ReadJSONL decodes every line of a JSON Lines file.
func ReadJSONL(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%s: line %q: %v", path, l, err)
		}
		out = append(out, m)
	}
	return out
}

// IsPNG fails the test unless path is a decodable PNG image.
func IsPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s: %v", path, err)
	}
}

// SameTensors fails unless two checkpoints hold the same tensors bit for bit.
func SameTensors(t *testing.T, a, b string) {
	t.Helper()
	ca, err := nn.LoadCheckpoint(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := nn.LoadCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ca.Tensors) != len(cb.Tensors) {
		t.Fatalf("%d tensors vs %d", len(ca.Tensors), len(cb.Tensors))
	}
	for name, ta := range ca.Tensors {
		tb := cb.Tensors[name]
		if len(ta.F32) != len(tb.F32) || len(ta.I64) != len(tb.I64) {
			t.Fatalf("%s: sizes differ", name)
		}
		for i := range ta.F32 {
			if math.Float32bits(ta.F32[i]) != math.Float32bits(tb.F32[i]) {
				t.Fatalf("%s[%d]: %v vs %v", name, i, ta.F32[i], tb.F32[i])
			}
		}
		for i := range ta.I64 {
			if ta.I64[i] != tb.I64[i] {
				t.Fatalf("%s[%d]: %v vs %v", name, i, ta.I64[i], tb.I64[i])
			}
		}
	}
}
