package cli

import (
	"bytes"
	"flag"
	"io"
	"strings"
	"testing"
)

func testFlags() (*flag.FlagSet, *int, *string) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	epochs := fs.Int("epochs", 200, "")
	dataset := fs.String("dataset", "cifar10", "")
	fs.Int("width", 64, "")
	return fs, epochs, dataset
}

var presets = map[string]map[string]string{
	"paper": {},
	"cpu":   {"epochs": "6", "dataset": "fashion-mnist"},
	"bad":   {"epochs": "six"},
}

func TestApplyPreset(t *testing.T) {
	fs, epochs, dataset := testFlags()
	if err := fs.Parse([]string{"--epochs", "3"}); err != nil {
		t.Fatal(err)
	}
	if err := ApplyPreset(fs, "cpu", presets); err != nil {
		t.Fatal(err)
	}
	if *epochs != 3 || *dataset != "fashion-mnist" {
		t.Errorf("after preset cpu with --epochs 3: epochs %d dataset %q, want 3 and fashion-mnist", *epochs, *dataset)
	}
	for name, want := range map[string]string{"gpu": `"gpu"`, "bad": "epochs=six"} {
		fs, _, _ := testFlags()
		fs.Parse(nil)
		if err := ApplyPreset(fs, name, presets); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ApplyPreset(%q) error = %v, want one containing %s", name, err, want)
		}
	}
}

func TestPrintFlags(t *testing.T) {
	fs, _, _ := testFlags()
	fs.Parse([]string{"--dataset", "fashion-mnist"})
	var b bytes.Buffer
	PrintFlags(&b, fs)
	want := "" +
		"+-----------+----------------+\n" +
		"| parameter | value          |\n" +
		"+-----------+----------------+\n" +
		"| dataset   | fashion-mnist* |\n" +
		"| epochs    | 200            |\n" +
		"| width     | 64             |\n" +
		"+-----------+----------------+\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
