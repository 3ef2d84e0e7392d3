package main

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"

	"twostage/cmd/internal/cli"
	"twostage/data"
	"twostage/stage2"
)

// How much of each cluster the gallery shows, and how many points the
// embedding map draws at most (more only blur into each other).
const (
	galleryTop    = 8
	galleryRandom = 4
	mapPoints     = 6000
)

// clusterSizes counts the images of each of k clusters.
func clusterSizes(pred []int, k int) []int {
	sizes := make([]int, k)
	for _, c := range pred {
		sizes[c]++
	}
	return sizes
}

// clusterInfo is what the pictures say about one cluster of the chosen head.
type clusterInfo struct {
	members []int     // image indexes, most confident first
	conf    []float32 // their confidences, in the same order
	class   string    // the mapped class name ("" without labels)
	purity  float64   // fraction of the labelled members in the majority class (-1: none labelled)
	major   string    // that majority class
}

// describeClusters gathers the members of each cluster of pred (sorted by
// the head's confidence conf, highest first), its mapped class and purity.
func describeClusters(ds *data.Dataset, pred []int, conf []float32, k int, mapping []int) []clusterInfo {
	cs := make([]clusterInfo, k)
	for i, c := range pred {
		cs[c].members = append(cs[c].members, i)
	}
	for c := range cs {
		m := cs[c].members
		slices.SortStableFunc(m, func(a, b int) int { return cmp.Compare(conf[b], conf[a]) })
		for _, i := range m {
			cs[c].conf = append(cs[c].conf, conf[i])
		}
		if c < len(mapping) && mapping[c] >= 0 && mapping[c] < len(ds.Classes) {
			cs[c].class = ds.Classes[mapping[c]]
		}
		counts := map[int]int{}
		labelled, best := 0, -1
		for _, i := range m {
			if l := ds.Labels[i]; l >= 0 {
				counts[l]++
				labelled++
				if best < 0 || counts[l] > counts[best] || counts[l] == counts[best] && l < best {
					best = l
				}
			}
		}
		cs[c].purity = -1
		if labelled > 0 {
			cs[c].purity = float64(counts[best]) / float64(labelled)
			if best < len(ds.Classes) {
				cs[c].major = ds.Classes[best]
			}
		}
	}
	return cs
}

// writeGallery draws clusters.png: one row per cluster (in the order of
// their mapped classes when there are labels), its galleryTop most
// confident images with their confidence, then galleryRandom random other
// members, labelled with its size and, where labels exist, its mapped class
// and purity.
func writeGallery(path string, ds *data.Dataset, head int, cs []clusterInfo, mapping []int, seed uint64) error {
	order := make([]int, len(cs))
	for c := range order {
		order[c] = c
	}
	key := func(c int) int {
		if c < len(mapping) && mapping[c] >= 0 {
			return mapping[c]
		}
		return len(cs) + c // unmapped clusters last
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key(a), key(b)) })
	rng := rand.New(rand.NewPCG(seed, 0x9a11))
	var rows []cli.GalleryRow
	var empty []string
	for _, c := range order {
		info := cs[c]
		n := len(info.members)
		if n == 0 { // listed together on the last row
			empty = append(empty, fmt.Sprint(c))
			continue
		}
		row := cli.GalleryRow{Text: []string{fmt.Sprintf("cluster %d", c), fmt.Sprintf("%d images (%.1f%%)", n, 100*float64(n)/float64(max(1, ds.N)))}}
		if info.class != "" {
			row.Text = append(row.Text, "mapped to "+info.class)
		}
		if info.purity >= 0 {
			row.Text = append(row.Text, fmt.Sprintf("purity %.2f (%s)", info.purity, info.major))
		}
		top := min(galleryTop, n)
		for j := range top {
			row.Images = append(row.Images, cli.DatasetImage(ds, info.members[j]))
			row.Notes = append(row.Notes, fmt.Sprintf("%.2f", info.conf[j]))
		}
		row.Split = top
		rest := info.members[top:]
		for _, j := range rng.Perm(len(rest))[:min(galleryRandom, len(rest))] {
			row.Images = append(row.Images, cli.DatasetImage(ds, rest[j]))
			row.Notes = append(row.Notes, fmt.Sprintf("%.2f", info.conf[top+j]))
		}
		rows = append(rows, row)
	}
	if len(empty) > 0 {
		rows = append(rows, cli.GalleryRow{Text: []string{fmt.Sprintf("%d empty clusters", len(empty)), strings.Join(empty, ", ")}})
	}
	title := fmt.Sprintf("clusters of head %d on the %d training images", head, ds.N)
	groups := [2]string{"most confident (head probability)", "random members"}
	return cli.PlotGallery(path, title, groups, rows, cli.ThumbSize(ds.H))
}

// writeEmbeddingMap draws embedding.png: the embeddings emb [N, d] of ds
// projected on their first two principal components, coloured by cluster
// and, in a second panel where labels exist, by true class. At most
// mapPoints random images are drawn.
func writeEmbeddingMap(path string, ds *data.Dataset, emb []float32, d int, pred []int, k int, cs []clusterInfo, mapping []int, seed uint64) error {
	x, y, ex, err := cli.PCA2(emb, ds.N, d)
	if err != nil {
		return err
	}
	pick := rand.New(rand.NewPCG(seed, 0xe3b)).Perm(ds.N)[:min(mapPoints, ds.N)]
	xl, yl := fmt.Sprintf("PC 1 (%.0f%% of the variance)", 100*ex[0]), fmt.Sprintf("PC 2 (%.0f%%)", 100*ex[1])
	// A cluster's colour is its mapped class's colour in the second panel
	// when the clusters map one to one onto the classes; else its own.
	group := colourGroups(mapping, k, len(ds.Classes))
	byCluster := cli.ScatterPanel{Title: "by cluster", XLabel: xl, YLabel: yl, LegendHeader: "cluster", Names: make([]string, k)}
	for c := range k {
		name := fmt.Sprintf("%d", c)
		if cs[c].class != "" {
			name += " → " + cs[c].class
		}
		byCluster.Names[group[c]] = name
	}
	byClass := cli.ScatterPanel{Title: "by true class", XLabel: xl, YLabel: yl, Names: ds.Classes, LegendHeader: "true class"}
	for _, i := range pick {
		byCluster.X, byCluster.Y, byCluster.Group = append(byCluster.X, x[i]), append(byCluster.Y, y[i]), append(byCluster.Group, group[pred[i]])
		if l := ds.Labels[i]; l >= 0 && l < len(ds.Classes) {
			byClass.X, byClass.Y, byClass.Group = append(byClass.X, x[i]), append(byClass.Y, y[i]), append(byClass.Group, l)
		}
	}
	panels := []cli.ScatterPanel{byCluster}
	if len(byClass.X) > 0 {
		panels = append(panels, byClass)
	}
	title := fmt.Sprintf("embeddings of %d training images, PCA to 2-D", len(pick))
	return cli.PlotScatter(path, title, panels)
}

// writePictures draws clusters.png and embedding.png in --model_dir for
// the chosen head's clusters of the training images.
func writePictures(cfg stage2.Config, tr *stage2.Trainer, head int, ev *stage2.Eval) error {
	ds := tr.Train
	_, conf := tr.Heads.Assign(tr.BE, ev.Embeddings, ds.N, head)
	pred := ev.Preds[head]
	mapping := ev.Scores[head].Mapping
	cs := describeClusters(ds, pred, conf, tr.Classes, mapping)
	if err := writeGallery(filepath.Join(cfg.ModelDir, "clusters.png"), ds, head, cs, mapping, cfg.Seed); err != nil {
		return err
	}
	return writeEmbeddingMap(filepath.Join(cfg.ModelDir, "embedding.png"), ds, ev.Embeddings, cfg.LowDim, pred, tr.Classes, cs, mapping, cfg.Seed)
}

// assignmentOf is the chosen head of an evaluateAll result and its class
// mapping on the training images (nil without labels).
func assignmentOf(res map[string]any, trainEv *stage2.Eval) *stage2.Assignment {
	h := res["head"].(int)
	return &stage2.Assignment{Head: h, Mapping: trainEv.Scores[h].Mapping}
}

// colourGroups gives each of k clusters a colour index: with as many
// clusters as classes, a mapped cluster takes its class's index (so the two
// panels agree) and the others, which the Hungarian matching leaves
// unmapped only when they are empty, take the indexes left over; otherwise
// each cluster keeps its own.
func colourGroups(mapping []int, k, classes int) []int {
	group := make([]int, k)
	for c := range group {
		group[c] = c
	}
	if k != classes || mapping == nil {
		return group
	}
	used := make([]bool, k)
	for c := range group {
		group[c] = -1
		if c < len(mapping) && mapping[c] >= 0 && mapping[c] < k && !used[mapping[c]] {
			group[c], used[mapping[c]] = mapping[c], true
		}
	}
	free := 0
	for c := range group {
		if group[c] < 0 {
			for used[free] {
				free++
			}
			group[c], used[free] = free, true
		}
	}
	return group
}

// clusterCount is the number of clusters stage 2 finds: --clusters, or as
// many as the training images have classes (0 for images without any).
func clusterCount(cfg stage2.Config, train *data.Dataset) int {
	if cfg.Clusters > 0 {
		return cfg.Clusters
	}
	return len(train.Classes)
}

// hasLabels reports whether any image of ds has a label.
func hasLabels(ds *data.Dataset) bool {
	for _, l := range ds.Labels {
		if l >= 0 {
			return true
		}
	}
	return false
}
