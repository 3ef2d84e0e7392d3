package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"twostage/cmd/internal/cmdtest"
	"twostage/superand"
)

// TestExtendFinishedRun: a finished one-epoch run resumed with --epochs 2
// trains the second epoch (the JSON says so) and ends with the weights of
// an uninterrupted two-epoch run; a later round cannot change its epochs
// per round, and says why.
func TestExtendFinishedRun(t *testing.T) {
	straight, short := t.TempDir(), t.TempDir()
	r := cmdtest.Run(t, bin, tiny(straight, "--epochs", "2")...)
	cmdtest.MustSucceed(t, r)

	r = cmdtest.Run(t, bin, tiny(short, "--epochs", "1")...)
	cmdtest.MustSucceed(t, r)
	ck := filepath.Join(short, "superand.safetensors")
	r = cmdtest.Run(t, bin, "--resume", ck, "--epochs", "2")
	cmdtest.MustSucceed(t, r)
	res := cmdtest.LastJSON(t, r, append(resultKeys, "trained_epochs", "rounds")...)
	if epochsOf(t, res) != 2 || res["trained_epochs"] != 1.0 || res["rounds"] != 1.0 {
		t.Errorf("extended run: epochs %v trained %v rounds %v, want 2, 1, 1", res["epochs"], res["trained_epochs"], res["rounds"])
	}
	if !strings.Contains(r.Stderr, "round 0 epoch 2/2") {
		t.Errorf("the extended run did not train epoch 2 of round 0:\n%s", r.Stderr)
	}
	cmdtest.SameTensors(t, filepath.Join(straight, "superand.safetensors"), ck)

	// Two rounds of two epochs done: --epochs 3 would need round 0 to have
	// had three.
	r = cmdtest.Run(t, bin, "--resume", ck, "--rounds", "2")
	cmdtest.MustSucceed(t, r)
	cmdtest.CleanError(t, cmdtest.Run(t, bin, "--resume", ck, "--epochs", "3"), "--epochs 3", "first round")
}

// TestPresetApplied: --preset cpu sets its values on the flags not given
// (the parameter table marks them with *), and flags given win over it.
func TestPresetApplied(t *testing.T) {
	r := cmdtest.Run(t, bin, append(tiny(t.TempDir(), "--epochs", "1", "--train_subset", "0"), "--preset", "cpu")...)
	cmdtest.MustSucceed(t, r)
	cpu := superand.Presets["cpu"]
	for _, want := range []string{`preset +\| cpu\*`, `epochs +\| 1\*`, `dataset +\| folder\*`,
		`lr_decay_every +\| ` + cpu["lr_decay_every"] + `\*`, `ue_every +\| ` + cpu["ue_every"] + `\*`} {
		if !regexp.MustCompile(`\| ` + want).MatchString(r.Stdout) {
			t.Errorf("parameter table lacks %q:\n%s", want, r.Stdout)
		}
	}
}
