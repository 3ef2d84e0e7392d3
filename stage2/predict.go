package stage2

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"

	"twostage/autograd"
	"twostage/data"
	"twostage/nn"
	"twostage/tensor"
)

// This file is the inference side of a stage-2 model: the clusters and
// confidences of a head, what a checkpoint records about its images and
// its chosen head for later use, and a Predictor that rebuilds the model
// from a checkpoint alone.

// Assign returns, for each of the n embeddings emb [n, D], the cluster of
// head h (argmax of softmax(v·Ŵ_h/τc), the same as argmax of the logits)
// and its probability, the head's confidence in it.
func (h *Heads) Assign(be tensor.Backend, emb []float32, n, head int) (cluster []int, conf []float32) {
	d := h.W[head].Shape()[0]
	var p []float32
	autograd.NoGrad(func() {
		v := autograd.Const(tensor.FromFloat32(be, tensor.Shape{n, d}, emb[:n*d]))
		p = h.Probs(v, head).Val.Float32s()
	})
	c := h.W[head].Shape()[1]
	cluster, conf = make([]int, n), make([]float32, n)
	for i := range n {
		row := p[i*c : (i+1)*c]
		best := 0
		for k, q := range row {
			if q > row[best] {
				best = k
			}
		}
		cluster[i], conf[i] = best, row[best]
	}
	return cluster, conf
}

// DataInfo describes the images a model was trained on: what inference
// needs to prepare a new image as the evaluation did (the test transform at
// min(H, W), normalised with Mean and Std) and to name its class.
type DataInfo struct {
	Dataset   string    `json:"dataset"`
	C         int       `json:"c"`
	H         int       `json:"h"`
	W         int       `json:"w"`
	Mean      []float32 `json:"mean"`
	Std       []float32 `json:"std"`
	Classes   []string  `json:"classes,omitempty"` // nil: the images had no labels
	HasLabels bool      `json:"has_labels"`
}

// DataInfoOf describes the data set ds (named name) for DataInfo.
func DataInfoOf(name string, ds *data.Dataset) DataInfo {
	info := DataInfo{Dataset: name, C: ds.C, H: ds.H, W: ds.W, Mean: ds.Mean, Std: ds.Std, Classes: ds.Classes}
	for _, l := range ds.Labels {
		info.HasLabels = info.HasLabels || l >= 0
	}
	return info
}

// Assignment is the head a run chose and the map from its clusters to the
// classes found by the Hungarian matching on the training images (nil when
// they had no labels).
type Assignment struct {
	Head    int   `json:"head"`
	Mapping []int `json:"mapping,omitempty"`
}

// PutInference records info and, when a is not nil, the assignment in the
// checkpoint's metadata ("data", "assignment"), for Predictor.
func PutInference(ck *nn.Checkpoint, info DataInfo, a *Assignment) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	ck.Meta["data"] = string(b)
	if a != nil {
		if b, err = json.Marshal(a); err != nil {
			return err
		}
		ck.Meta["assignment"] = string(b)
	}
	return nil
}

// Predictor assigns new images to the clusters of a stage-2 model.
type Predictor struct {
	BE      tensor.Backend
	Cfg     Config
	Info    DataInfo
	Model   *nn.Encoder
	Heads   *Heads
	Head    int   // the head whose clusters are reported
	Mapping []int // cluster → class index into Info.Classes; nil: no classes
}

// NewPredictor rebuilds the encoder and heads of a stage-2 checkpoint for
// inference. The data description comes from the checkpoint's metadata or,
// in a checkpoint saved without it, from describe(dataset) (the caller loads
// the data set to measure it). The head is the one the run chose (its
// "assignment"), else the lowest last-epoch loss, else head 0.
func NewPredictor(be tensor.Backend, ck *nn.Checkpoint, describe func(dataset string) (DataInfo, error)) (*Predictor, error) {
	cfg, err := ConfigOf(ck)
	if err != nil {
		return nil, err
	}
	var info DataInfo
	if s, ok := ck.Meta["data"]; ok {
		if err := json.Unmarshal([]byte(s), &info); err != nil {
			return nil, fmt.Errorf("%s: metadata data: %w", ck.Path, err)
		}
	} else if info, err = describe(cfg.Dataset); err != nil {
		return nil, err
	}
	if info.C < 1 || info.H < 1 || info.W < 1 || len(info.Mean) != info.C || len(info.Std) != info.C {
		return nil, fmt.Errorf("%s: data description %+v is incomplete", ck.Path, info)
	}
	classes, err := strconv.Atoi(ck.Meta["classes"])
	if err != nil || classes < 1 {
		return nil, fmt.Errorf("%s: metadata classes=%q: want a positive count", ck.Path, ck.Meta["classes"])
	}
	dim, err := HeadNormDim(cfg.HeadNorm)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ck.Path, err)
	}
	// The draws are overwritten by the checkpoint's weights.
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x57a9e2))
	p := &Predictor{BE: be, Cfg: cfg, Info: info,
		Model: nn.NewEncoder(be, rng, nn.EncoderConfig{Network: cfg.Network, Width: cfg.Width, LowDim: cfg.LowDim, InChannels: info.C, ImageSize: min(info.H, info.W)}),
		Heads: NewHeads(be, rng, cfg.Heads, cfg.LowDim, classes, float32(cfg.TauC), dim)}
	if err := ck.GetEncoder(p.Model); err != nil {
		return nil, err
	}
	for _, e := range p.Heads.State("") {
		if err := ck.GetTensor(e.Name, e.Buffer); err != nil {
			return nil, err
		}
	}
	p.Heads.Normalise()
	if s, ok := ck.Meta["assignment"]; ok {
		var a Assignment
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			return nil, fmt.Errorf("%s: metadata assignment: %w", ck.Path, err)
		}
		p.Head, p.Mapping = a.Head, a.Mapping
	} else {
		var last []float64
		if err := json.Unmarshal([]byte(ck.Meta["head_loss"]), &last); err == nil && len(last) == cfg.Heads {
			p.Head = BestHead(last)
		}
	}
	if p.Head < 0 || p.Head >= cfg.Heads {
		return nil, fmt.Errorf("%s: chosen head %d of %d heads", ck.Path, p.Head, cfg.Heads)
	}
	return p, nil
}

// Size is the side of the square images the model reads (the evaluation's
// centre crop).
func (p *Predictor) Size() int { return min(p.Info.H, p.Info.W) }

// Prepare turns one image, uint8 planes [Info.C, h, w] of any size, into
// the model's input [Info.C, Size, Size]: the evaluation transform (resize
// the shorter side to Size, centre crop, normalise with Info's constants).
func (p *Predictor) Prepare(pix []uint8, h, w int) []float32 {
	s := p.Size()
	x := make([]float32, p.Info.C*s*s)
	data.TestTransform(x, pix, p.Info.C, h, w, s, p.Info.Mean, p.Info.Std)
	return x
}

// Predict returns the cluster and confidence of each of n prepared images
// x [n, C, Size, Size], and its class name ("" when the model has no
// classes or the cluster maps to none).
func (p *Predictor) Predict(x []float32, n int) (cluster []int, conf []float32, class []string) {
	emb := p.Model.Embed(p.BE, x, n, p.Size())
	cluster, conf = p.Heads.Assign(p.BE, emb, n, p.Head)
	class = make([]string, n)
	for i, c := range cluster {
		if c < len(p.Mapping) && p.Mapping[c] >= 0 && p.Mapping[c] < len(p.Info.Classes) {
			class[i] = p.Info.Classes[p.Mapping[c]]
		}
	}
	return cluster, conf, class
}
