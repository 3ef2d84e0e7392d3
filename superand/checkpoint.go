package superand

import (
	"encoding/json"
	"fmt"
	"strconv"

	"twostage/nn"
)

// Kind is the checkpoint kind of stage 1.
const Kind = "superand"

// Checkpoint captures the whole training state: model weights and BN
// statistics, optimiser buffers, memory bank, anchors and neighbours, the
// counters and the config (its seed drives every random draw to come, since
// the loader's randomness is a pure function of seed, epoch and index).
func (t *Trainer) Checkpoint() (*nn.Checkpoint, error) {
	ck := nn.NewCheckpoint(Kind)
	ck.PutEncoder(t.Model) // weights and the network name
	ck.PutSGD(t.Opt, t.names)
	ck.PutTensor("memory.bank", t.Mem.Bank)
	ck.PutInts("ans.position", t.NB.Position)
	k := 0
	var flat []int64
	for _, n := range t.NB.Neighbours {
		k = len(n)
		flat = append(flat, n...)
	}
	ck.PutInts("ans.neighbours", flat)
	cfg, err := json.Marshal(t.Cfg)
	if err != nil {
		return nil, err
	}
	ck.Meta["config"] = string(cfg)
	ck.Meta["round"] = strconv.Itoa(t.Round)
	ck.Meta["epoch"] = strconv.Itoa(t.Epoch)
	ck.Meta["batch"] = strconv.Itoa(t.Batch)
	ck.Meta["loss_sum"] = strconv.FormatFloat(t.LossSum, 'g', -1, 64)
	parts, err := json.Marshal(t.PartSums)
	if err != nil {
		return nil, err
	}
	ck.Meta["loss_parts_sum"] = string(parts)
	ck.Meta["ans_size"] = strconv.Itoa(k)
	ck.Meta["best_knn"] = strconv.FormatFloat(t.BestKNN, 'g', -1, 64)
	ck.Meta["last_knn"] = strconv.FormatFloat(t.LastKNN, 'g', -1, 64)
	ck.Meta["train_images"] = strconv.Itoa(t.Train.N)
	ck.Meta["image_channels"] = strconv.Itoa(t.Train.C)
	ck.Meta["image_size"] = strconv.Itoa(min(t.Train.H, t.Train.W))
	return ck, nil
}

// ConfigOf returns the config saved in a stage-1 checkpoint.
func ConfigOf(ck *nn.Checkpoint) (Config, error) {
	var c Config
	if ck.Kind() != Kind {
		return c, fmt.Errorf("%s: a %q checkpoint, not a stage-1 (%s) one", ck.Path, ck.Kind(), Kind)
	}
	if err := json.Unmarshal([]byte(ck.Meta["config"]), &c); err != nil {
		return c, fmt.Errorf("%s: config metadata: %w", ck.Path, err)
	}
	if c.Network == "" { // saved before --network existed
		c.Network = nn.NetworkResNet18
	}
	return c, nil
}

// Restore loads a checkpoint made by Checkpoint into t (built with the same
// architecture and training set size). Errors name the file and tensor.
func (t *Trainer) Restore(ck *nn.Checkpoint) error {
	if ck.Kind() != Kind {
		return fmt.Errorf("%s: a %q checkpoint, not a stage-1 (%s) one", ck.Path, ck.Kind(), Kind)
	}
	if ck.IsTorch() {
		return t.restoreTorch(ck)
	}
	if err := ck.GetEncoder(t.Model); err != nil {
		return err
	}
	if err := ck.GetSGD(t.Opt, t.names); err != nil {
		return err
	}
	if err := ck.GetTensor("memory.bank", t.Mem.Bank); err != nil {
		return fmt.Errorf("%w (HINT: the same --dataset and --train_subset as the saved run are needed)", err)
	}
	ints := map[string]int{}
	for _, k := range []string{"round", "epoch", "batch"} {
		v, err := strconv.Atoi(ck.Meta[k])
		if err != nil {
			return fmt.Errorf("%s: metadata %s=%q: %w", ck.Path, k, ck.Meta[k], err)
		}
		ints[k] = v
	}
	nb, err := t.neighbourhoodsOf(ck)
	if err != nil {
		return err
	}
	var parts Parts
	if err := json.Unmarshal([]byte(ck.Meta["loss_parts_sum"]), &parts); err != nil {
		return fmt.Errorf("%s: metadata loss_parts_sum: %w", ck.Path, err)
	}
	saved, err := ConfigOf(ck)
	if err != nil {
		return err
	}
	round, epoch, err := Continue(saved.Epochs, ints["round"], ints["epoch"], ints["batch"], t.Cfg.Epochs)
	if err != nil {
		return fmt.Errorf("%s: %w", ck.Path, err)
	}
	if round < ints["round"] { // back inside round 0, whose neighbourhoods are none
		nb = NoNeighbourhoods(t.Train.N)
	}
	t.NB, t.PartSums = nb, parts
	t.Round, t.Epoch, t.Batch = round, epoch, ints["batch"]
	for _, k := range []struct {
		key string
		dst *float64
	}{{"best_knn", &t.BestKNN}, {"last_knn", &t.LastKNN}, {"loss_sum", &t.LossSum}} {
		v, err := strconv.ParseFloat(ck.Meta[k.key], 64)
		if err != nil {
			return fmt.Errorf("%s: metadata %s=%q: %w", ck.Path, k.key, ck.Meta[k.key], err)
		}
		*k.dst = v
	}
	return nil
}

// Continue maps a checkpoint's position (round, epoch, batch, saved with
// savedEpochs epochs per round) to the position in a schedule of epochs per
// round, so that a run extended with a larger --epochs continues exactly as
// an uninterrupted run of the longer schedule would have.
//
// With the same epochs per round the position is unchanged. Otherwise it is
// possible only while the run is in its first round: the end of round 0
// (saved as round 1, epoch 0, batch 0) becomes round 0, epoch savedEpochs,
// which wraps to round 1 again only if that is the new round's length. A
// run that finished earlier rounds with savedEpochs epochs each, or one
// that is already past the new length, cannot be the longer schedule's.
func Continue(savedEpochs, round, epoch, batch, epochs int) (int, int, error) {
	if epochs == savedEpochs {
		return round, epoch, nil
	}
	if round == 1 && epoch == 0 && batch == 0 { // the end of round 0
		round, epoch = 0, savedEpochs
	}
	switch {
	case round > 0:
		return 0, 0, fmt.Errorf("--epochs %d: the checkpoint is at round %d, after rounds of %d epochs each; "+
			"only a run still in its first round can change its epochs per round (HINT: keep --epochs %d, or extend --rounds)",
			epochs, round, savedEpochs, savedEpochs)
	case epoch > epochs || (epoch == epochs && batch > 0):
		return 0, 0, fmt.Errorf("--epochs %d: the checkpoint has already run %d epochs of round 0; a round cannot be shortened",
			epochs, epoch)
	case epoch == epochs:
		return 1, 0, nil
	}
	return round, epoch, nil
}

// neighbourhoodsOf reads the anchors and neighbours of a checkpoint
// (ans.position, ans.neighbours, metadata ans_size) and checks them against
// the training set: one position per image, anchor positions 0..A−1 each
// once, A·ans_size neighbour indexes of training images.
func (t *Trainer) neighbourhoodsOf(ck *nn.Checkpoint) (*Neighbourhoods, error) {
	pos, err := ck.Ints("ans.position")
	if err != nil {
		return nil, err
	}
	if len(pos) != t.Train.N {
		return nil, fmt.Errorf("%s: ans.position has %d entries for %d training images (HINT: the same --dataset and --train_subset as the saved run are needed)", ck.Path, len(pos), t.Train.N)
	}
	flat, err := ck.Ints("ans.neighbours")
	if err != nil {
		return nil, err
	}
	k, err := strconv.Atoi(ck.Meta["ans_size"])
	if err != nil || k < 0 {
		return nil, fmt.Errorf("%s: metadata ans_size=%q: want an integer ≥ 0", ck.Path, ck.Meta["ans_size"])
	}
	anchors := 0
	for _, p := range pos {
		if p >= 0 {
			anchors++
		}
	}
	seen := make([]bool, anchors)
	for i, p := range pos {
		if p >= int64(anchors) || p >= 0 && seen[p] {
			return nil, fmt.Errorf("%s: ans.position[%d] = %d: anchor positions must be 0..%d, each once", ck.Path, i, p, anchors-1)
		}
		if p >= 0 {
			seen[p] = true
		}
	}
	if k*anchors != len(flat) {
		return nil, fmt.Errorf("%s: ans.neighbours has %d entries for %d anchors × %d", ck.Path, len(flat), anchors, k)
	}
	for _, v := range flat {
		if v < 0 || int(v) >= t.Train.N {
			return nil, fmt.Errorf("%s: ans.neighbours holds index %d outside [0,%d)", ck.Path, v, t.Train.N)
		}
	}
	nb := &Neighbourhoods{Position: pos}
	for a := 0; a < anchors; a++ {
		nb.Neighbours = append(nb.Neighbours, flat[a*k:(a+1)*k])
	}
	return nb, nil
}
