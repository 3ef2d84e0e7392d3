package cli

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type rec struct {
	Epoch int     `json:"epoch"`
	Loss  float64 `json:"loss"`
}

func TestJSONLAppendsAcrossRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", MetricsFile) // the directory is created
	j, err := OpenJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	for e := range 2 {
		if err := j.Write(rec{e, 1.5 - float64(e)}); err != nil {
			t.Fatal(err)
		}
	}
	// Each Write reaches the file at once (nothing buffered), before Close.
	if b, _ := os.ReadFile(path); strings.Count(string(b), "\n") != 2 {
		t.Fatalf("after 2 writes the file holds %q", b)
	}
	if err := j.Write(map[string]float64{"loss": math.NaN()}); err == nil {
		t.Error("writing a NaN succeeded")
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	// A resumed run appends.
	j, err = OpenJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Write(rec{2, 0.25}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	got, err := ReadJSONL[rec](path)
	if err != nil {
		t.Fatal(err)
	}
	want := []rec{{0, 1.5}, {1, 0.5}, {2, 0.25}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("ReadJSONL = %v, want %v", got, want)
	}
}

// A crash in the middle of a write leaves a line without its newline; the
// next run cuts it off instead of gluing its first record to it.
func TestJSONLDropsTornLine(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ before, after string }{
		{`{"epoch":0,"loss":1}` + "\n" + `{"epoch":1,"lo`, `{"epoch":0,"loss":1}` + "\n" + `{"epoch":7,"loss":0}` + "\n"},
		{`{"epo`, `{"epoch":7,"loss":0}` + "\n"},
		{"", `{"epoch":7,"loss":0}` + "\n"},
	} {
		path := filepath.Join(dir, "m.jsonl")
		if err := os.WriteFile(path, []byte(c.before), 0o644); err != nil {
			t.Fatal(err)
		}
		j, err := OpenJSONL(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Write(rec{7, 0}); err != nil {
			t.Fatal(err)
		}
		j.Close()
		if b, _ := os.ReadFile(path); string(b) != c.after {
			t.Errorf("file %q after a write = %q, want %q", c.before, b, c.after)
		}
	}
}

func TestReadJSONLErrors(t *testing.T) {
	dir := t.TempDir()
	if got, err := ReadJSONL[rec](filepath.Join(dir, "absent.jsonl")); got != nil || err != nil {
		t.Errorf("missing file: %v, %v; want nothing and no error", got, err)
	}
	path := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(path, []byte("{\"epoch\":0}\n\n{oops}\n"), 0o644)
	_, err := ReadJSONL[rec](path)
	if err == nil || !strings.Contains(err.Error(), path+":3") {
		t.Errorf("malformed line 3: error %v, want one naming %s:3", err, path)
	}
}
