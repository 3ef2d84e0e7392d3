// Package stage2 is the second stage of the two-stage method: class
// assignment. The stage-1 encoder is fine-tuned under five normalised-FC
// heads (fixed random prototypes, temperature τc) with the IIC
// mutual-information loss between the two views of each image plus the
// consistency-preserving loss on the features; the head with the lowest
// training loss gives the clusters, scored by Hungarian accuracy, NMI and
// ARI.
package stage2
