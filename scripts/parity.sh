#!/usr/bin/env bash
# The parity runs of ../shared/reference/RESULTS.md: the reference's reduced
# Fashion-MNIST schedule, stage 1 then stage 2, for seeds 1, 2 and 3, with
# every log kept, then a Markdown table of the three runs and their mean ± sd.
#
#   bash scripts/parity.sh [OUT_DIR]          (default: runs/parity)
#
# OUT_DIR/seedS holds each run's stdout (stage1.txt, stage2.txt: the
# parameter table, then the JSON result), stderr (progress: *.log),
# metrics.jsonl, plots and checkpoints; OUT_DIR/table.md the table.
# SEEDS="1 2 3" and THREADS (0 = all cores) may be set in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/usr/local/go/bin"
out=${1:-runs/parity}
seeds=${SEEDS:-1 2 3}
threads=${THREADS:-0}
data=/usr/share/datasets/fashion-mnist
[[ -f $data/train-images-idx3-ubyte.gz ]] || { echo "parity: no $data (apt-get install dataset-fashion-mnist)" >&2; exit 1; }

mkdir -p "$out/bin"
go build -o "$out/bin/" ./cmd/superand ./cmd/stage2 ./cmd/report
# RESULTS.md's flags; kNN after every epoch, so the best of the 10 is known.
common=(--dataset fashion-mnist --data_dir "$data" --train_subset 5000 --width 8 --batch_size 128 --threads "$threads")
dirs=()
for s in $seeds; do
  d=$out/seed$s
  rm -rf "$d" && mkdir -p "$d"
  echo "== seed $s: stage 1" >&2
  "$out/bin/superand" "${common[@]}" --rounds 2 --epochs 5 --lr_decay_start 4 --lr_decay_every 2 --ue_every 4 \
    --eval_every 1 --seed "$s" --model_dir "$d" >"$d/stage1.txt" 2>"$d/stage1.log"
  echo "== seed $s: stage 2" >&2
  "$out/bin/stage2" "${common[@]}" --epochs 5 --lr_decay_start 4 --lr_decay_every 2 --seed "$s" \
    --resume "$d/superand.safetensors" --model_dir "$d" >"$d/stage2.txt" 2>"$d/stage2.log"
  tail -n 1 "$d/stage2.txt" >&2
  dirs+=("$d")
done
"$out/bin/report" --table "${dirs[@]}" | tee "$out/table.md"
