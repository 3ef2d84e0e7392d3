package superand

import (
	"fmt"
	"strconv"

	"twostage/nn"
)

// restoreTorch loads a stage-1 checkpoint of the authors' code (read by
// nn.LoadTorch: super_and.py's ckpt_embed.t7, Super-AND's ckpt_SAND.t7):
// the encoder's weights and batch-norm statistics, the memory bank, the
// anchors and neighbours, and the position. That file holds no optimiser
// buffers (the optimiser starts fresh, as the authors' resume builds a new
// SGD) and no config (t.Cfg, from the flags, is the schedule).
//
// The file records the last epoch it ran, (round, epoch), so the run
// continues at epoch+1 of that round, or at the next round when that was
// the round's last epoch under --epochs. Its kNN accuracy (acc, the last
// evaluation's) becomes both LastKNN and BestKNN.
func (t *Trainer) restoreTorch(ck *nn.Checkpoint) error {
	if err := ck.GetEncoder(t.Model); err != nil {
		return err
	}
	if err := ck.GetTensor("memory.bank", t.Mem.Bank); err != nil {
		return fmt.Errorf("%w (HINT: the memory bank has one row per training image: the authors' run used all of --dataset's training set; give --train_subset only to match a smaller bank)", err)
	}
	nb, err := t.neighbourhoodsOf(ck)
	if err != nil {
		return err
	}
	var ints [2]int
	for i, k := range []string{"round", "epoch"} {
		if ints[i], err = strconv.Atoi(ck.Meta[k]); err != nil {
			return fmt.Errorf("%s: %s=%q: %w", ck.Path, k, ck.Meta[k], err)
		}
	}
	round, epoch := ints[0], ints[1]+1
	switch {
	case epoch > t.Cfg.Epochs:
		return fmt.Errorf("%s: the file ran epoch %d of round %d; --epochs %d is shorter (HINT: give --epochs %d or more, or --test_only)",
			ck.Path, epoch-1, round, t.Cfg.Epochs, epoch)
	case epoch == t.Cfg.Epochs:
		round, epoch = round+1, 0
	}
	acc := -1.0
	if s, ok := ck.Meta["acc"]; ok {
		if acc, err = strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("%s: acc=%q: %w", ck.Path, s, err)
		}
	}
	t.NB, t.PartSums, t.LossSum = nb, Parts{}, 0
	t.Round, t.Epoch, t.Batch = round, epoch, 0
	t.LastKNN, t.BestKNN = acc, acc
	return nil
}
