package nn_test

import (
	"testing"

	"twostage/nn"
)

func TestFlagChecks(t *testing.T) {
	var ok nn.FlagChecks
	ok.Check(false, "epochs", 3, "must be at least 1")
	if err := ok.Err(); err != nil {
		t.Fatalf("no rule failed, got %v", err)
	}
	var v nn.FlagChecks
	v.Check(false, "width", 8, "must be at least 1")
	v.Check(true, "epochs", 0, "must be at least 1")
	v.Check(true, "lr", -1.5, "must be positive")
	if err := v.Err(); err == nil || err.Error() != "--epochs 0: must be at least 1" {
		t.Fatalf("want the first failed rule, got %v", err)
	}
}
