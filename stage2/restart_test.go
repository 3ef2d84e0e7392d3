package stage2_test

import (
	"testing"

	"twostage/stage2"
)

// TestChooseHead: by loss the lowest head loss answers (head 0 without
// losses); by agreement the head whose clusters agree most with the other
// heads', here head 2, which two heads share a partition with up to a
// relabelling, while head 0 has the lowest loss and a partition of its own.
func TestChooseHead(t *testing.T) {
	a := []int{0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2}
	relabel := make([]int, len(a))
	for i, c := range a {
		relabel[i] = (c + 1) % 3
	}
	near := append([]int(nil), a...)
	near[0], near[5] = 1, 0
	other := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}
	preds := [][]int{other, near, a, relabel}
	loss := []float64{-1.9, -1.8, -1.7, -1.85}
	agree := stage2.Agreements(preds)
	if h := stage2.ChooseHead("loss", loss, agree); h != 0 {
		t.Errorf("by loss: head %d, want 0", h)
	}
	if h := stage2.ChooseHead("loss", nil, agree); h != 0 {
		t.Errorf("by loss without losses: head %d, want 0", h)
	}
	got := stage2.ChooseHead("agreement", loss, agree)
	for h := range preds {
		if stage2.Agreement(preds, h) > stage2.Agreement(preds, got) {
			t.Errorf("by agreement: head %d (%.4f), but head %d agrees more (%.4f)", got, stage2.Agreement(preds, got), h, stage2.Agreement(preds, h))
		}
	}
	if got != 2 {
		t.Errorf("by agreement: head %d, want 2 (agreements %.3f %.3f %.3f %.3f)", got,
			stage2.Agreement(preds, 0), stage2.Agreement(preds, 1), stage2.Agreement(preds, 2), stage2.Agreement(preds, 3))
	}
	if h := stage2.ChooseHead("agreement", []float64{-1}, stage2.Agreements(preds[:1])); h != 0 {
		t.Errorf("one head: head %d", h)
	}
}
