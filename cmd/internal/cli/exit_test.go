package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"twostage/cuda"
)

func TestFatalText(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{errors.New("data: x.bin: no such file"), "error: data: x.bin: no such file\n"},
		{errors.New("bad value; HINT: use 3"), "error: bad value\nHINT: use 3\n"},
		{errors.New("a: b HINT:   fix it\n"), "error: a: b\nHINT: fix it\n"},
		{cuda.ErrNotBuilt, "error: cuda: this binary was built without CUDA support\nHINT: rebuild with `go build -tags cuda`"},
		{nil, "error: <nil>\n"},
		{errors.New("data: a.jpg: unknown format (HINT: only PNG (or JPEG) is read); add --skip_bad"),
			"error: data: a.jpg: unknown format\nHINT: only PNG (or JPEG) is read; add --skip_bad\n"},
	} {
		if got := fatalText(c.err); !strings.HasPrefix(got, c.want) {
			t.Errorf("fatalText(%v) = %q, want prefix %q", c.err, got, c.want)
		}
	}
}

// TestFatalExits runs itself as a child that calls Fatal, and checks the
// child's status and standard error.
func TestFatalExits(t *testing.T) {
	if os.Getenv("CLI_TEST_FATAL_CHILD") == "1" {
		Check(nil) // must not exit
		Fatal(errors.New("checkpoint: c.st: bad magic; HINT: is it a stage-1 file?"))
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFatalExits$")
	cmd.Env = append(os.Environ(), "CLI_TEST_FATAL_CHILD=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("child exit = %v, want status 1", err)
	}
	if want := "error: checkpoint: c.st: bad magic\nHINT: is it a stage-1 file?\n"; stderr.String() != want {
		t.Errorf("child stderr = %q, want %q", stderr.String(), want)
	}
}

func TestFinalJSON(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("epoch 1 ...\n")
	v := map[string]any{"stage": 1, "dataset": "fmnist\n", "knn_top1": 0.625}
	if err := FinalJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output %q does not end in a newline", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	if len(lines) != 2 || got["dataset"] != "fmnist\n" || got["knn_top1"] != 0.625 || got["stage"] != 1.0 {
		t.Errorf("FinalJSON wrote %q", out)
	}
	b.Reset()
	if err := FinalJSON(&b, map[string]float64{"acc": math.NaN()}); err == nil || b.Len() != 0 {
		t.Errorf("FinalJSON(NaN) = %v, wrote %q; want an error and nothing written", err, b.String())
	}
}

func TestResolveCheckpoint(t *testing.T) {
	work, models := t.TempDir(), t.TempDir()
	t.Chdir(work)
	if err := os.WriteFile("here.st", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(models, "abs.st")
	for _, c := range []struct{ resume, modelDir, want string }{
		{"", models, ""}, // no resume
		{"ckpt.st", models, filepath.Join(models, "ckpt.st")}, // bare, absent here: in model_dir
		{"here.st", models, "here.st"},                        // bare, present here: as given
		{"sub/ckpt.st", models, "sub/ckpt.st"},                // has a directory: as given
		{"./ckpt.st", models, "./ckpt.st"},
		{abs, models, abs},
		{"ckpt.st", "", "ckpt.st"}, // no model_dir to look in
	} {
		if got := ResolveCheckpoint(c.resume, c.modelDir); got != c.want {
			t.Errorf("ResolveCheckpoint(%q, %q) = %q, want %q", c.resume, c.modelDir, got, c.want)
		}
	}
}
