package stage2

import (
	"encoding/json"
	"fmt"
	"strconv"

	"twostage/nn"
)

// Kind is the checkpoint kind of stage 2.
const Kind = "stage2"

// Checkpoint captures the training state: encoder weights and BN
// statistics, optimiser buffers, the fixed heads, the epoch and the config.
func (t *Trainer) Checkpoint() (*nn.Checkpoint, error) {
	ck := nn.NewCheckpoint(Kind)
	ck.PutEncoder(t.Model) // weights and the network name
	ck.PutSGD(t.Opt, t.names)
	for _, e := range t.Heads.State("") {
		ck.PutTensor(e.Name, e.Buffer)
	}
	cfg, err := json.Marshal(t.Cfg)
	if err != nil {
		return nil, err
	}
	ck.Meta["config"] = string(cfg)
	ck.Meta["epoch"] = strconv.Itoa(t.Epoch)
	ck.Meta["batch"] = strconv.Itoa(t.Batch)
	partial, err := json.Marshal(t.Partial)
	if err != nil {
		return nil, err
	}
	ck.Meta["partial"] = string(partial)
	last, err := json.Marshal(t.LastHeadLoss)
	if err != nil {
		return nil, err
	}
	ck.Meta["head_loss"] = string(last)
	ck.Meta["classes"] = strconv.Itoa(t.Classes)
	ck.Meta["best_loss"] = strconv.FormatFloat(t.BestLoss, 'g', -1, 64)
	return ck, nil
}

// FromStage1 loads the encoder (weights and BN statistics) of a stage-1
// checkpoint: the start of stage 2. The optimiser starts fresh, as the
// reference builds a new SGD for stage 2.
func (t *Trainer) FromStage1(ck *nn.Checkpoint) error {
	if ck.Kind() != "superand" {
		return fmt.Errorf("%s: a %q checkpoint; stage 2 starts from a stage-1 (superand) checkpoint", ck.Path, ck.Kind())
	}
	return ck.GetEncoder(t.Model) // ours, or the authors' .t7 (its fixed Sobel filters checked)
}

// Restore continues a stage-2 run from its checkpoint.
func (t *Trainer) Restore(ck *nn.Checkpoint) error {
	if ck.Kind() != Kind {
		return fmt.Errorf("%s: a %q checkpoint, not a stage-2 one", ck.Path, ck.Kind())
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
	for _, e := range t.Heads.State("") {
		if err := ck.GetTensor(e.Name, e.Buffer); err != nil {
			return fmt.Errorf("%w (HINT: the same --heads and class count as the saved run are needed)", err)
		}
	}
	t.Heads.Normalise()
	ep, err := strconv.Atoi(ck.Meta["epoch"])
	if err != nil {
		return fmt.Errorf("%s: metadata epoch=%q: %w", ck.Path, ck.Meta["epoch"], err)
	}
	bl, err := strconv.ParseFloat(ck.Meta["best_loss"], 64)
	if err != nil {
		return fmt.Errorf("%s: metadata best_loss=%q: %w", ck.Path, ck.Meta["best_loss"], err)
	}
	b, err := strconv.Atoi(ck.Meta["batch"])
	if err != nil {
		return fmt.Errorf("%s: metadata batch=%q: %w", ck.Path, ck.Meta["batch"], err)
	}
	var partial EpochStats
	if err := json.Unmarshal([]byte(ck.Meta["partial"]), &partial); err != nil {
		return fmt.Errorf("%s: metadata partial: %w", ck.Path, err)
	}
	if b > 0 && len(partial.HeadLoss) != len(t.Heads.W) {
		return fmt.Errorf("%s: metadata partial has %d head losses for %d heads", ck.Path, len(partial.HeadLoss), len(t.Heads.W))
	}
	var last []float64
	if err := json.Unmarshal([]byte(ck.Meta["head_loss"]), &last); err != nil {
		return fmt.Errorf("%s: metadata head_loss: %w", ck.Path, err)
	}
	t.Epoch, t.BestLoss, t.Batch, t.Partial, t.LastHeadLoss = ep, bl, b, partial, last
	return nil
}

// ConfigOf returns the config saved in a stage-2 checkpoint.
func ConfigOf(ck *nn.Checkpoint) (Config, error) {
	var c Config
	if ck.Kind() != Kind {
		return c, fmt.Errorf("%s: a %q checkpoint, not a stage-2 one", ck.Path, ck.Kind())
	}
	if err := json.Unmarshal([]byte(ck.Meta["config"]), &c); err != nil {
		return c, fmt.Errorf("%s: config metadata: %w", ck.Path, err)
	}
	if c.HeadNorm == "" { // saved before --head_norm existed, when the heads normalised columns
		c.HeadNorm = "cols"
	}
	if c.Network == "" { // saved before --network existed
		c.Network = nn.NetworkResNet18
	}
	if c.Restarts == 0 { // saved before --restarts existed: a single run
		d := DefaultConfig()
		c.Restarts, c.TrialEp, c.RestartBy = 1, d.TrialEp, d.RestartBy
	}
	if c.HeadBy == "" { // saved before --head_by existed: the lowest loss
		c.HeadBy = "loss"
	}
	return c, nil
}
