package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from the signal goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func interruptSelf(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("a process cannot send itself os.Interrupt on Windows")
	}
	p, _ := os.FindProcess(os.Getpid())
	if err := p.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
}

// The first interrupt cancels the context; the second calls exit(130).
func TestWithSignals(t *testing.T) {
	var msg syncBuffer
	exited := make(chan int, 1)
	ctx, stop := withSignals(context.Background(), &msg, func(code int) { exited <- code })
	defer stop()

	interruptSelf(t)
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the first interrupt did not cancel the context")
	}
	if !strings.Contains(msg.String(), "saving a checkpoint") {
		t.Errorf("first message %q does not say the run will save", msg.String())
	}
	select {
	case code := <-exited:
		t.Fatalf("exit(%d) after one interrupt", code)
	default:
	}

	interruptSelf(t)
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit(%d), want 130", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second interrupt did not exit")
	}
	if !strings.Contains(msg.String(), "exiting now") {
		t.Errorf("messages %q lack the second one", msg.String())
	}
	stop()
	stop() // idempotent
}

// stop cancels the context and ends the watcher without any signal.
func TestWithSignalsStop(t *testing.T) {
	ctx, stop := withSignals(context.Background(), &syncBuffer{}, func(int) { t.Error("exit called") })
	if ctx.Err() != nil {
		t.Fatal("context cancelled before any signal")
	}
	stop()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("after stop ctx.Err() = %v, want Canceled", ctx.Err())
	}
}

// The real WithSignals in a child process: two interrupts end it with status
// 130 while it would otherwise sleep for a minute.
func TestWithSignalsExitStatus(t *testing.T) {
	if os.Getenv("CLI_TEST_SIGNAL_CHILD") == "1" {
		ctx, stop := WithSignals(context.Background())
		defer stop()
		interruptSelf(t)
		<-ctx.Done()
		interruptSelf(t)
		time.Sleep(time.Minute)
		return
	}
	if runtime.GOOS == "windows" {
		t.Skip("a process cannot send itself os.Interrupt on Windows")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWithSignalsExitStatus$")
	cmd.Env = append(os.Environ(), "CLI_TEST_SIGNAL_CHILD=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("child exit = %v, want status 130; stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "exiting now") {
		t.Errorf("child stderr %q lacks the exit message", stderr.String())
	}
}
