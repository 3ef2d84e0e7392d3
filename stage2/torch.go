package stage2

import (
	"fmt"
	"math"
	"strings"

	"twostage/nn"
)

// restoreTorch loads a stage-2 checkpoint of the authors' code (read by
// nn.LoadTorch: main.py's ckpt_ul.t7): the encoder's weights and batch-norm
// statistics and the raw head weights heads.<h>.weight [D,C], which the
// authors' _Head_fc normalises along its rows (Normalize(2) sums over dim
// 1), as --head_norm rows does. The file holds no optimiser buffers, no
// losses and no config: the run starts at epoch 0 with a fresh optimiser,
// and until an epoch has run the answer is head 0 (the authors' test
// prints every head's accuracy; so does the result's "heads").
func (t *Trainer) restoreTorch(ck *nn.Checkpoint) error {
	if t.Heads.Dim != NormRows {
		return fmt.Errorf("%s: the authors' heads are normalised along their rows; --head_norm %s would score other clusters (HINT: --head_norm rows)", ck.Path, t.Cfg.HeadNorm)
	}
	if err := ck.GetEncoder(t.Model); err != nil {
		return err
	}
	saved := 0
	for name := range ck.Tensors {
		if strings.HasPrefix(name, "heads.") {
			saved++
		}
	}
	if saved != len(t.Heads.W) {
		return fmt.Errorf("%s: %d heads saved, this run has --heads %d (HINT: --heads %d)", ck.Path, saved, len(t.Heads.W), saved)
	}
	for _, e := range t.Heads.State("") {
		if err := ck.GetTensor(e.Name, e.Buffer); err != nil {
			return fmt.Errorf("%w (HINT: a head's weight is [low_dim, classes]: the data set needs as many classes as the saved run's)", err)
		}
	}
	t.Heads.Normalise()
	t.Epoch, t.Batch, t.Partial, t.LastHeadLoss, t.BestLoss = 0, 0, EpochStats{}, nil, math.Inf(1)
	return nil
}
