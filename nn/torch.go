package nn

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"twostage/nn/safetensors"
	"twostage/nn/torchfile"
)

// TorchFormat is the Meta["format"] of a checkpoint read by LoadTorch: one
// the authors' PyTorch code saved, with no training state of this program
// (no optimiser buffers, no config).
const TorchFormat = "torch.save"

// torchDTypes names each torch storage class's element type as safetensors
// does (Tensor.FileDType).
var torchDTypes = map[string]string{
	"FloatStorage": "F32", "DoubleStorage": "F64", "HalfStorage": "F16", "BFloat16Storage": "BF16",
	"LongStorage": "I64", "IntStorage": "I32", "ShortStorage": "I16", "CharStorage": "I8",
	"ByteStorage": "U8", "BoolStorage": "BOOL",
}

// LoadAny reads a checkpoint of this program (LoadCheckpoint) or a
// torch.save file of the authors' code (LoadTorch), told apart by their
// first bytes.
func LoadAny(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	if torchfile.IsTorchFile(head[:n]) {
		return LoadTorch(path)
	}
	return LoadCheckpoint(path)
}

// LoadTorch reads a checkpoint saved by the authors' code with torch.save,
// in the legacy (.t7, PyTorch < 1.6) or the zip format, CUDA storages
// included, and names its tensors as this program's checkpoints do:
//
//	stage 1 (super_and.py: ckpt_embed.t7, Super-AND's ckpt_SAND.t7), kind "superand":
//	  net.<name>                 → <name> ("module." of DataParallel dropped)
//	  npc.memory [M,D]           → memory.bank
//	  npc.params [T, momentum]   → Meta npc_t, npc_m
//	  ANs_discovery.position [M] → ans.position
//	  ANs_discovery.neighbours [A,k] → ans.neighbours [A·k], Meta ans_size = k
//	  acc, round, epoch          → Meta acc, round, epoch
//	stage 2 (main.py: ckpt_ul.t7), kind "stage2":
//	  net.<name>                 → <name>
//	  fc.heads.<h>.weight [D,C]  → heads.<h>.weight
//	  acc_list                   → Meta acc_list (JSON)
//
// The encoder's shape goes to Meta width, in_channels (conv1.weight) and
// low_dim (linear.weight). The fixed Sobel filters (sobel.0.*, sobel.1.*)
// are kept for GetEncoder to check. Anything else in net is loaded as is,
// so a strict GetModule names it.
func LoadTorch(path string) (*Checkpoint, error) {
	v, err := torchfile.Load(path)
	if err != nil {
		return nil, err
	}
	top, ok := v.(*torchfile.Dict)
	if !ok {
		return nil, fmt.Errorf("checkpoint: %s: the saved object is not a dict; HINT: --resume takes the .t7 of the authors' super_and.py or main.py", path)
	}
	ck := &Checkpoint{Path: path, Meta: map[string]string{"format": TorchFormat}, Tensors: map[string]safetensors.Tensor{}}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("checkpoint: %s: %s", path, fmt.Sprintf(format, args...))
	}
	net, err := dictAt(top, "net")
	if err != nil {
		return nil, fail("%v", err)
	}
	if err := putTorchTensors(ck, net, "net.", func(k string) string { return strings.TrimPrefix(k, "module.") }); err != nil {
		return nil, fail("%v", err)
	}
	for _, k := range []string{"conv1.weight", "linear.weight"} {
		if t, ok := ck.Tensors[k]; !ok || len(t.Shape) < 2 {
			return nil, fail("net has no %s of rank ≥ 2: not the authors' ResNet18withSobel", k)
		}
	}
	conv, lin := ck.Tensors["conv1.weight"].Shape, ck.Tensors["linear.weight"].Shape
	ck.Meta["width"], ck.Meta["in_channels"], ck.Meta["low_dim"] = strconv.Itoa(conv[0]), strconv.Itoa(conv[1]), strconv.Itoa(lin[0])
	_, hasNPC := top.Get("npc")
	_, hasFC := top.Get("fc")
	switch {
	case hasNPC && !hasFC:
		ck.Meta["kind"] = "superand"
		err = torchStage1(ck, top)
	case hasFC && !hasNPC:
		ck.Meta["kind"] = "stage2"
		err = torchStage2(ck, top)
	default:
		err = fmt.Errorf("keys %v: neither a stage-1 checkpoint (net, npc, ANs_discovery) nor a stage-2 one (net, fc)", top.Keys())
	}
	if err != nil {
		return nil, fail("%v", err)
	}
	return ck, nil
}

// torchStage1 adds the memory bank, the neighbourhoods and the counters of
// super_and.py's state.
func torchStage1(ck *Checkpoint, top *torchfile.Dict) error {
	npc, err := dictAt(top, "npc")
	if err != nil {
		return err
	}
	mem, err := tensorAt(npc, "npc.", "memory", "F32", 2)
	if err != nil {
		return err
	}
	ck.Tensors["memory.bank"] = convert(mem)
	params, err := tensorAt(npc, "npc.", "params", "F32", 1)
	if err != nil {
		return err
	}
	if len(params.F32) != 2 {
		return fmt.Errorf("npc.params holds %d values, want 2 (T, momentum)", len(params.F32))
	}
	ck.Meta["npc_t"] = strconv.FormatFloat(float64(params.F32[0]), 'g', -1, 32)
	ck.Meta["npc_m"] = strconv.FormatFloat(float64(params.F32[1]), 'g', -1, 32)
	ans, err := dictAt(top, "ANs_discovery")
	if err != nil {
		return err
	}
	pos, err := tensorAt(ans, "ANs_discovery.", "position", "I64", 1)
	if err != nil {
		return err
	}
	ck.Tensors["ans.position"] = convert(pos)
	nb, err := tensorAt(ans, "ANs_discovery.", "neighbours", "I64", -1)
	if err != nil {
		return err
	}
	k := 0 // round 0 saves torch.LongTensor([]): shape [0], no anchors
	switch {
	case len(nb.Shape) == 2:
		k = nb.Shape[1]
	case len(nb.Shape) != 1 || nb.Shape[0] != 0:
		return fmt.Errorf("ANs_discovery.neighbours has shape %v, want [anchors, ANs_size]", nb.Shape)
	}
	ck.Tensors["ans.neighbours"] = safetensors.Tensor{DType: "I64", FileDType: "I64", Shape: []int{len(nb.I64)}, I64: nb.I64}
	ck.Meta["ans_size"] = strconv.Itoa(k)
	for _, key := range []string{"round", "epoch"} {
		v, ok := top.Get(key)
		n, isInt := v.(int64)
		if !ok || !isInt || n < 0 {
			return fmt.Errorf("%s is %v, want an int ≥ 0", key, v)
		}
		ck.Meta[key] = strconv.FormatInt(n, 10)
	}
	if v, ok := top.Get("acc"); ok {
		acc, isFloat := v.(float64)
		if !isFloat {
			return fmt.Errorf("acc is a %T, want a float", v)
		}
		ck.Meta["acc"] = strconv.FormatFloat(acc, 'g', -1, 64)
	}
	return nil
}

// torchStage2 adds the heads (and the accuracies) of main.py's state.
func torchStage2(ck *Checkpoint, top *torchfile.Dict) error {
	fc, err := dictAt(top, "fc")
	if err != nil {
		return err
	}
	if err := putTorchTensors(ck, fc, "fc.", func(k string) string { return k }); err != nil {
		return err
	}
	for _, k := range fc.Keys() {
		if s, _ := k.(string); !strings.HasPrefix(s, "heads.") || !strings.HasSuffix(s, ".weight") {
			return fmt.Errorf("fc.%v: the authors' Multi_head_fc holds only heads.<h>.weight", k)
		}
	}
	if v, ok := top.Get("acc_list"); ok {
		l, isList := v.(*torchfile.List)
		if !isList {
			return fmt.Errorf("acc_list is not a list")
		}
		b, err := json.Marshal(l.Items)
		if err != nil {
			return fmt.Errorf("acc_list: %v", err)
		}
		ck.Meta["acc_list"] = string(b)
	}
	return nil
}

// putTorchTensors stores every entry of d (all tensors) under rename(key).
func putTorchTensors(ck *Checkpoint, d *torchfile.Dict, label string, rename func(string) string) error {
	for _, k := range d.Keys() {
		key, ok := k.(string)
		if !ok {
			return fmt.Errorf("%skey %v is not a string", label, k)
		}
		v, _ := d.Get(key)
		t, ok := v.(*torchfile.Tensor)
		if !ok {
			return fmt.Errorf("%s%s is not a tensor", label, key)
		}
		name := rename(key)
		if _, dup := ck.Tensors[name]; dup {
			return fmt.Errorf("%s%s: %q twice (with and without \"module.\"?)", label, key, name)
		}
		ck.Tensors[name] = convert(t)
	}
	return nil
}

// convert turns a torch tensor into the checkpoint's tensor type.
func convert(t *torchfile.Tensor) safetensors.Tensor {
	class := t.Storage[strings.LastIndexByte(t.Storage, '.')+1:]
	return safetensors.Tensor{DType: t.DType, FileDType: torchDTypes[class], Shape: t.Shape, F32: t.F32, I64: t.I64}
}

// dictAt returns the dict under key.
func dictAt(d *torchfile.Dict, key string) (*torchfile.Dict, error) {
	v, ok := d.Get(key)
	if !ok {
		keys := fmt.Sprint(d.Keys())
		return nil, fmt.Errorf("no %q entry (keys %s)", key, keys)
	}
	sub, ok := v.(*torchfile.Dict)
	if !ok {
		return nil, fmt.Errorf("%q is not a dict", key)
	}
	return sub, nil
}

// tensorAt returns the tensor under key, of element type dtype and rank
// (−1: any).
func tensorAt(d *torchfile.Dict, label, key, dtype string, rank int) (*torchfile.Tensor, error) {
	v, ok := d.Get(key)
	if !ok {
		return nil, fmt.Errorf("no %s%s", label, key)
	}
	t, ok := v.(*torchfile.Tensor)
	if !ok {
		return nil, fmt.Errorf("%s%s is not a tensor", label, key)
	}
	if t.DType != dtype || rank >= 0 && len(t.Shape) != rank {
		return nil, fmt.Errorf("%s%s is a %s tensor of shape %v, want %s of rank %d", label, key, t.Storage, t.Shape, dtype, rank)
	}
	return t, nil
}

// TorchArch returns the encoder shape LoadTorch recorded.
func TorchArch(ck *Checkpoint) (width, lowDim, inChannels int, err error) {
	var v [3]int
	for i, k := range []string{"width", "low_dim", "in_channels"} {
		if v[i], err = strconv.Atoi(ck.Meta[k]); err != nil {
			return 0, 0, 0, fmt.Errorf("checkpoint: %s: metadata %s=%q: %w", ck.Path, k, ck.Meta[k], err)
		}
	}
	return v[0], v[1], v[2], nil
}

// IsTorch reports whether ck was read from a torch.save file.
func (c *Checkpoint) IsTorch() bool { return c.Meta["format"] == TorchFormat }

// sobelKeys are the fixed filters the authors' ResNet18withSobel keeps in
// its state dict (self.sobel = nn.Sequential(grayscale, sobel_filter)).
var sobelKeys = []string{"sobel.0.weight", "sobel.0.bias", "sobel.1.weight", "sobel.1.bias"}

// GetEncoder loads e from c strictly (GetModule). The fixed Sobel filters a
// PyTorch state dict carries are not loaded but checked against e's own: a
// file whose sobel.* differ (other constants, another channel count) is an
// error naming the entry.
//
// A file holding another network (metadata "network", NetworkOf) is
// refused first, with an error naming both.
func (c *Checkpoint) GetEncoder(e *Encoder) error {
	if err := c.checkNetwork(e); err != nil {
		return err
	}
	present := 0
	for _, k := range sobelKeys {
		if _, ok := c.Tensors[k]; ok {
			present++
		}
	}
	if present > 0 && e.Sob == nil {
		return fmt.Errorf("checkpoint: %s: has the fixed Sobel filters of a two-tower resnet18, the model is a %s one", c.Path, e.Network())
	}
	if present > 0 {
		grey, sob := e.Sob.grey.Val, e.Sob.sob.Val
		want := map[string]struct {
			shape []int
			vals  []float32
		}{
			"sobel.0.weight": {grey.Shape(), grey.Float32s()},
			"sobel.0.bias":   {[]int{1}, []float32{0}},
			"sobel.1.weight": {sob.Shape(), sob.Float32s()},
			"sobel.1.bias":   {[]int{2}, []float32{0, 0}},
		}
		keys := append([]string{}, sobelKeys...)
		sort.Strings(keys)
		for _, k := range keys {
			t, ok := c.Tensors[k]
			if !ok {
				return fmt.Errorf("checkpoint: %s: %s missing (the other fixed Sobel filters are there)", c.Path, k)
			}
			w := want[k]
			if !equalInts(t.Shape, w.shape) || t.DType != "F32" {
				hint := ""
				if k == "sobel.0.weight" && len(t.Shape) == 4 {
					hint = fmt.Sprintf(" (HINT: the saved model takes %d-channel images, this data set has %d)", t.Shape[1], w.shape[1])
				}
				return fmt.Errorf("checkpoint: %s: tensor %q has shape %v, the model needs %v%s", c.Path, k, t.Shape, w.shape, hint)
			}
			for i, v := range t.F32 {
				if d := v - w.vals[i]; d > 1e-6 || d < -1e-6 {
					return fmt.Errorf("checkpoint: %s: fixed filter %q differs from this model's: element %d is %v, want %v", c.Path, k, i, v, w.vals[i])
				}
			}
		}
	}
	return c.GetModule("", e, true, sobelKeys...)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
