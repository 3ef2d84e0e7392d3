package stage2

import "twostage/metrics"

// Restarts: stage 2's result is set by the partition its fixed heads settle
// on, and which one they reach changes with the heads' draw and the batch
// order (docs/logs/quickstart/README.md). --restarts N runs N stage-2 runs
// from the same stage-1 encoder for the first --restart_epochs epochs, keeps
// the one whose heads agree most (Agreement; or, with --restart_by loss, the
// lowest TrialLoss) and finishes it alone, as k-means keeps the
// lowest-inertia of its restarts. With one restart the run is the paper's.

// RestartSeed is the seed of restart r of a run seeded seed: restart 0 is the
// run itself, so --restarts 1 changes nothing, and the others are spread by
// the 64-bit golden ratio (so restart r of seed s is not restart 0 of a
// nearby seed).
func RestartSeed(seed uint64, r int) uint64 { return seed + uint64(r)*0x9E3779B97F4A7C15 }

// TrialLoss is what --restart_by loss compares the restarts by after their
// trial epochs: the epoch's lowest head loss (BestHead, the authors' answer)
// plus λ times the consistency-preserving loss, that is, the total loss the
// run would have with that head alone.
func TrialLoss(st EpochStats, cpWeight float64) float64 {
	if len(st.HeadLoss) == 0 {
		return st.Loss
	}
	return st.HeadLoss[BestHead(st.HeadLoss)] + cpWeight*st.CP
}

// TrialEpochs is how many epochs each restart runs before the choice: the
// --restart_epochs of cfg, at most the whole schedule.
func TrialEpochs(cfg Config) int { return min(cfg.TrialEp, cfg.Epochs) }

// Agreement is the mean NMI between head h's clusters and each other
// head's (preds[g][i]: head g's cluster of image i), 1 when there is no
// other head. The heads are fixed random projections of one embedding: when
// it has a clear cluster structure they reach the same partition, so their
// agreement measures how stable the run's partition is, the criterion of
// stability-based cluster validation (Ben-Hur et al. 2002, Lange et al. 2004).
func Agreement(preds [][]int, h int) float64 {
	if len(preds) < 2 {
		return 1
	}
	s := 0.0
	for g, p := range preds {
		if g != h {
			s += metrics.NMI(preds[h], p)
		}
	}
	return s / float64(len(preds)-1)
}

// Agreements is Agreement of every head: agree[h] = Agreement(preds, h).
func Agreements(preds [][]int) []float64 {
	agree := make([]float64, len(preds))
	for h := range preds {
		agree[h] = Agreement(preds, h)
	}
	return agree
}

// ChooseHead is the head whose clusters are the run's answer: with by
// "agreement" the one that agrees most with the other heads (agree, as
// Agreements gives it for the training images), the consensus of the fixed
// random heads; otherwise (by "loss", the authors' rule) BestHead of the
// last epoch's head losses, head 0 without them. Ties go to the first head.
func ChooseHead(by string, headLoss, agree []float64) int {
	if by != "agreement" || len(agree) < 2 {
		if len(headLoss) == 0 {
			return 0
		}
		return BestHead(headLoss)
	}
	best := 0
	for h, ag := range agree {
		if ag > agree[best] {
			best = h
		}
	}
	return best
}
