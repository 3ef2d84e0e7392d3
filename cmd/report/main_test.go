package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"twostage/cmd/internal/cli"
)

// TestWrite: the summary names the numbers and the verdict against the
// baseline, and the last line is the JSON object of the keys.
func TestWrite(t *testing.T) {
	r1 := map[string]any{"knn_top1": 0.61, "best_knn_top1": 0.62}
	r2 := map[string]any{"head": 3.0, "epoch": 12.0, "acc": 0.66, "nmi": 0.6, "ari": 0.5, "test_acc": 0.65, "test_nmi": 0.59, "test_ari": 0.48,
		"best_head_test_acc": 0.67, "mean_heads_test_acc": 0.63}
	for _, c := range []struct {
		base    float64
		verdict string
	}{{0.556, "0.6500 vs k-means on pixels 0.5560 (test accuracy): above"}, {0.7, "NOT above"}} {
		var b bytes.Buffer
		if err := Write(&b, r1, r2, map[string]any{"test_acc": c.base, "test_nmi": 0.5}, 754.2); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		if !strings.Contains(b.String(), c.verdict) || !strings.Contains(b.String(), "total 12 min 34 s") {
			t.Errorf("summary:\n%s", b.String())
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]any{"acc": 0.66, "nmi": 0.6, "ari": 0.5, "test_acc": 0.65, "test_nmi": 0.59, "test_ari": 0.48,
			"kmeans_pixels_test_acc": c.base, "knn_top1": 0.61, "seconds": 754.2} {
			if got[k] != v {
				t.Errorf("%s = %v, want %v", k, got[k], v)
			}
		}
	}
}

// TestWriteRestarts: a stage-2 result with restarts gets a line naming the
// kept one and each restart's agreement.
func TestWriteRestarts(t *testing.T) {
	r2 := map[string]any{"test_acc": 0.7, "restarts": []any{
		map[string]any{"agreement": 0.71}, map[string]any{"agreement": 0.75, "kept": true}, map[string]any{"agreement": 0.7}}}
	var b bytes.Buffer
	if err := Write(&b, map[string]any{}, r2, nil, -1); err != nil {
		t.Fatal(err)
	}
	if want := "stage 2 restarts: 3, restart 2 kept (agreement of the heads after the trial epochs: 0.7100, 0.7500, 0.7000)"; !strings.Contains(b.String(), want) {
		t.Errorf("summary\n%s\nwithout %q", b.String(), want)
	}
}

// TestWriteHeadBy: the summary says which rule chose the answer head.
func TestWriteHeadBy(t *testing.T) {
	for by, want := range map[string]string{"": "head 2 with the lowest training loss, epoch 30",
		"loss": "head 2 with the lowest training loss", "agreement": "head 2 with the most agreement with the other heads, epoch 30"} {
		var b bytes.Buffer
		if err := Write(&b, map[string]any{}, map[string]any{"head": 2.0, "epoch": 30.0, "head_by": by}, nil, -1); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("head_by %q: summary\n%s\nwithout %q", by, b.String(), want)
		}
	}
}

// TestLastJSONLine: the result is the last line; anything else is an
// error naming the file.
func TestLastJSONLine(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.txt"), filepath.Join(dir, "bad.txt")
	os.WriteFile(good, []byte("table\n{\"acc\":0.5}\n\n"), 0o644)
	os.WriteFile(bad, []byte("{\"acc\":0.5}\nnot json\n"), 0o644)
	if v, err := cli.LastJSONLine(good); err != nil || v["acc"] != 0.5 {
		t.Errorf("%v %v", v, err)
	}
	if _, err := cli.LastJSONLine(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("err %v", err)
	}
	if _, err := cli.LastJSONLine(filepath.Join(dir, "none")); err == nil {
		t.Error("missing file accepted")
	}
}

// TestTable: one column per run, the mean ± sample sd of each row, "–"
// where a run lacks a value, rows no run has left out.
func TestTable(t *testing.T) {
	root := t.TempDir()
	var dirs []string
	for i, acc := range []float64{0.6, 0.7, 0.8} {
		d := filepath.Join(root, "seed"+string(rune('1'+i)))
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "stage1.txt"), []byte(`{"best_knn_top1":0.61,"knn_top1":0.6}`+"\n"), 0o644)
		s2 := `{"acc":` + fmtF(acc) + `,"nmi":0.5,"test_acc":0.5}`
		if i == 2 {
			s2 = `{"acc":0.8,"nmi":null,"test_acc":0.5}`
		}
		os.WriteFile(filepath.Join(d, "stage2.txt"), []byte("params\n"+s2+"\n"), 0o644)
		dirs = append(dirs, d)
	}
	var b bytes.Buffer
	if err := Table(&b, dirs); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| metric | seed1 | seed2 | seed3 | mean ± sd (3 runs) |",
		"| stage 2: accuracy of the answer head (training images) | 0.600 | 0.700 | 0.800 | 0.700 ± 0.100 |",
		"| stage 2: NMI | 0.500 | 0.500 | – | 0.500 ± 0.000 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "k-means") || strings.Contains(out, "seconds") {
		t.Errorf("rows without values:\n%s", out)
	}
	if err := Table(&b, []string{t.TempDir()}); err == nil {
		t.Error("a directory without results accepted")
	}
}

func fmtF(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
