// Package superand is stage 1 of the two-stage method: Super-AND embedding
// learning. An encoder maps images to L2-normalised embeddings; a
// non-parametric classifier scores them against a memory bank of every
// training image's embedding (Memory); anchor neighbourhoods discovered from
// the bank's entropy between rounds (Discover) let confident images pull in
// their nearest neighbour (the AND loss); the augmentation loss pulls two
// views of an image together and the unification-entropy loss sharpens the
// class distribution. Trainer runs the rounds and epochs and evaluates with
// a weighted kNN on the bank.
package superand
