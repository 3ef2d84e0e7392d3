package finetune

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"twostage/nn"
)

// Kind is the checkpoint kind of a fine-tuning run.
const Kind = "finetune"

// Checkpoint captures the training state: the student (encoder entries under
// their state_dict names, the classifier under "fc."), the teacher under
// "ema." (meanteacher), the optimiser's momentum buffers, the labelled
// images ("labels.index", "labels.label"), the counters and the config.
func (t *Trainer) Checkpoint() (*nn.Checkpoint, error) {
	ck := nn.NewCheckpoint(Kind)
	ck.PutEncoder(t.Student.Enc) // weights and the network name
	ck.PutModule("fc", t.Student.FC)
	if t.Teacher != nil {
		ck.PutModule("ema", t.Teacher)
	}
	ck.PutSGD(t.Opt, t.names)
	idx, lab := make([]int64, len(t.Set)), make([]int64, len(t.Set))
	for i, l := range t.Set {
		idx[i], lab[i] = int64(l.Index), int64(l.Label)
	}
	ck.PutInts("labels.index", idx)
	ck.PutInts("labels.label", lab)
	cfg, err := json.Marshal(t.Cfg)
	if err != nil {
		return nil, err
	}
	partial, err := json.Marshal(t.Partial)
	if err != nil {
		return nil, err
	}
	ck.Meta["config"] = string(cfg)
	ck.Meta["partial"] = string(partial)
	ck.Meta["epoch"] = strconv.Itoa(t.Epoch)
	ck.Meta["batch"] = strconv.Itoa(t.Batch)
	ck.Meta["step"] = strconv.FormatInt(t.Step, 10)
	ck.Meta["classes"] = strconv.Itoa(t.Classes)
	return ck, nil
}

// encoderView is ck without the tensors of its own (classifier, teacher,
// labels), so that the encoder loads strictly from it.
func encoderView(ck *nn.Checkpoint) *nn.Checkpoint {
	v := *ck
	v.Tensors = maps.Clone(ck.Tensors)
	for name := range v.Tensors {
		if strings.HasPrefix(name, "fc.") || strings.HasPrefix(name, "ema.") || strings.HasPrefix(name, "labels.") {
			delete(v.Tensors, name)
		}
	}
	return &v
}

// FromPretrained loads the encoder (weights and BN statistics) of a stage-1
// or stage-2 checkpoint, ours or the authors' .t7, into the student (and the
// teacher); the classifier keeps its fresh initialisation and the optimiser
// starts fresh.
func (t *Trainer) FromPretrained(ck *nn.Checkpoint) error {
	switch ck.Kind() {
	case "superand", "stage2":
	case Kind:
		return fmt.Errorf("%s: a fine-tuning checkpoint; HINT: continue it with --resume %s, or start from its stage-1 or stage-2 checkpoint", ck.Path, ck.Path)
	default:
		return fmt.Errorf("%s: a %q checkpoint; --from takes a stage-1 (superand) or stage-2 checkpoint, or scratch", ck.Path, ck.Kind())
	}
	if err := ck.GetEncoder(t.Student.Enc); err != nil {
		return err
	}
	t.SyncTeacher()
	return nil
}

// Restore continues a fine-tuning run from its checkpoint. The labelled
// images saved in it must be the run's (t.Set).
func (t *Trainer) Restore(ck *nn.Checkpoint) error {
	if ck.Kind() != Kind {
		return fmt.Errorf("%s: a %q checkpoint, not a fine-tuning one", ck.Path, ck.Kind())
	}
	if err := encoderView(ck).GetEncoder(t.Student.Enc); err != nil {
		return err
	}
	if err := ck.GetModule("fc", t.Student.FC, false); err != nil {
		return fmt.Errorf("%w (HINT: the class count of the saved run is needed)", err)
	}
	if t.Teacher != nil {
		if err := ck.GetModule("ema", t.Teacher, false); err != nil {
			return err
		}
	}
	if err := ck.GetSGD(t.Opt, t.names); err != nil {
		return err
	}
	idx, err := ck.Ints("labels.index")
	if err != nil {
		return err
	}
	lab, err := ck.Ints("labels.label")
	if err != nil {
		return err
	}
	if len(idx) != len(t.Set) || len(lab) != len(t.Set) {
		return fmt.Errorf("%s: %d labelled images saved, the run has %d", ck.Path, len(idx), len(t.Set))
	}
	for i, l := range t.Set {
		if int64(l.Index) != idx[i] || int64(l.Label) != lab[i] {
			return fmt.Errorf("%s: labelled image %d is %d (label %d), the run's is %d (label %d): another data set, --train_subset or --seed?",
				ck.Path, i, idx[i], lab[i], l.Index, l.Label)
		}
	}
	var ints [3]int64
	for i, k := range []string{"epoch", "batch", "step"} {
		v, err := strconv.ParseInt(ck.Meta[k], 10, 64)
		if err != nil {
			return fmt.Errorf("%s: metadata %s=%q: %w", ck.Path, k, ck.Meta[k], err)
		}
		ints[i] = v
	}
	var partial EpochStats
	if err := json.Unmarshal([]byte(ck.Meta["partial"]), &partial); err != nil {
		return fmt.Errorf("%s: metadata partial: %w", ck.Path, err)
	}
	t.Epoch, t.Batch, t.Step, t.Partial = int(ints[0]), int(ints[1]), ints[2], partial
	return nil
}

// ConfigOf returns the config saved in a fine-tuning checkpoint.
func ConfigOf(ck *nn.Checkpoint) (Config, error) {
	var c Config
	if ck.Kind() != Kind {
		return c, fmt.Errorf("%s: a %q checkpoint, not a fine-tuning one", ck.Path, ck.Kind())
	}
	if err := json.Unmarshal([]byte(ck.Meta["config"]), &c); err != nil {
		return c, fmt.Errorf("%s: config metadata: %w", ck.Path, err)
	}
	return c, nil
}
