// Package metrics evaluates embeddings and clusterings the way the paper's
// reference code does (reference/twostage_ref.py: knn_acc and
// cluster_eval), on plain slices: labels are []int, embeddings are
// row-major []float32 with an explicit dimension d.
//
//   - KNN, KNNAccuracy: the weighted kNN monitor of stage 1 (K = 200,
//     σ = 0.1 in the paper), GEMM-blocked with a streaming top-K;
//   - ClusterAccuracy: accuracy under the best one-to-one cluster→class
//     map, found by Hungarian (own Jonker–Volgenant implementation);
//   - NMI, ARI: scikit-learn's normalized_mutual_info_score (arithmetic)
//     and adjusted_rand_score, special cases included; Contingency is the
//     table all three start from;
//   - KMeans: Lloyd's algorithm with k-means++ seeding and restarts, the
//     sequential clustering baseline on embeddings.
//
// Conventions: programmer errors (mismatched lengths, labels out of range,
// non-finite weights) panic with a constant "metrics: ..." text; randomness
// comes only from an explicit *rand.Rand (math/rand/v2); parallel loops
// work on fixed blocks whose results depend on the block alone and are
// combined in block order, so results do not depend on the core count.
// Imports are the standard library and gonum (blas32) only.
package metrics
